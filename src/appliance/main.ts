#!/usr/bin/env node
// pivs-appliance: the Raspberry Pi image's helpers. Wiring only.
//   pivs-appliance apply [--boot DIR] [--root DIR]   apply the boot partition's files (every boot)
//   pivs-appliance check DIR                         validate them (e.g. on a laptop), change nothing
//   pivs-appliance realserver up|down FILE           direct-routing settings of a real server
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyBootFiles } from './apply';
import { downSteps, parseRealServerFile, sysctlPath, upSteps, type Step } from './realserver';

const USAGE = 'usage: pivs-appliance apply [--boot DIR] [--root DIR] | check DIR | realserver up|down FILE';

function option(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const value = args[i + 1];
  if (value === undefined) throw new Error(`${name} needs a directory`);
  return value;
}

function apply(args: string[]): number {
  const root = option(args, '--root', '/');
  const report = applyBootFiles({ boot: option(args, '--boot', '/boot/firmware'), root });
  for (const note of report.notes) process.stdout.write(`pivs: ${note}\n`);
  if (report.problems.length > 0) {
    // On the console at boot: the one place a user without network access will look.
    process.stderr.write('\npivs: *** the configuration on the boot partition has a problem ***\n');
    for (const p of report.problems) process.stderr.write(`pivs: ${p}\n`);
    process.stderr.write('pivs: fix the file on the boot partition and reboot; SSH stays reachable meanwhile.\n\n');
  }
  if (root === '/' && report.hostname !== null) {
    try {
      execFileSync('hostname', [report.hostname]);
    } catch {
      process.stderr.write(`pivs: the host name could not be set to ${report.hostname}\n`);
    }
  }
  // The boot goes on either way: an invalid file must not cost the SSH access.
  return 0;
}

function check(args: string[]): number {
  const boot = args[0];
  if (boot === undefined) throw new Error('check needs the boot partition directory');
  const scratch = mkdtempSync(join(tmpdir(), 'pivs-check-'));
  try {
    const report = applyBootFiles({ boot, root: scratch });
    for (const p of report.problems) process.stderr.write(`pivs: ${p}\n`);
    if (report.problems.length === 0) process.stdout.write(`pivs: ${boot}: the files are valid${report.role === null ? '' : ` (role: ${report.role})`}\n`);
    return report.problems.length === 0 ? 0 : 1;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function run(step: Step): void {
  try {
    if (step.sysctl !== undefined) writeFileSync(sysctlPath(step.sysctl.key), step.sysctl.value);
    if (step.argv !== undefined) execFileSync(step.argv[0], step.argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    if (step.mayFail === true) return;
    const what = step.sysctl !== undefined ? `${step.sysctl.key}=${step.sysctl.value}` : (step.argv ?? []).join(' ');
    throw new Error(`${what} failed: ${String((e as { stderr?: Buffer }).stderr ?? (e as Error).message).trim()}`);
  }
}

function realServer(args: string[]): number {
  const [action, file] = args;
  if ((action !== 'up' && action !== 'down') || file === undefined) throw new Error(USAGE);
  const vips = parseRealServerFile(readFileSync(file, 'utf8'));
  for (const step of action === 'up' ? upSteps(vips) : downSteps(vips)) run(step);
  process.stdout.write(`pivs: real server ${action}: ${vips.join(', ')} on lo\n`);
  return 0;
}

function main(argv: string[]): number {
  const [command, ...rest] = argv;
  try {
    if (command === 'apply') return apply(rest);
    if (command === 'check') return check(rest);
    if (command === 'realserver') return realServer(rest);
    throw new Error(USAGE);
  } catch (e) {
    process.stderr.write(`pivs-appliance: ${(e as Error).message}\n`);
    return 1;
  }
}

process.exitCode = main(process.argv.slice(2));
