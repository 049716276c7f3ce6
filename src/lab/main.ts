// The lab: a client, a director running pivsd and three real servers on a LAN of network
// namespaces, with VIP:80 (rr) and VIP:53/udp already configured. Started by scripts/lab.
//   lab [up]            build it, show what to type, refresh pivsadm -L -n --stats; Ctrl-C removes it
//   lab exec ROLE CMD   run CMD inside a host of the running lab (client, director, rs1..rs3)
//   lab adm ARGS        run pivsadm against the running lab's pivsd
//   lab clean           remove namespaces left by labs, tests and benches that were killed
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAny, sleep, run } from './exec';
import { PIVSADM_JS, startPivsd, startRealServers, type Pivsd } from './pivsd';
import { Topology, staleNamespaces, type Host } from './topology';

/** One <prefix>.json per running lab, so several labs (or a lab and the tests) can coexist. */
export const STATE_DIR = '/run/pivs-lab';
const REFRESH_MS = 2000;

interface LabState {
  prefix: string;
  pid: number;
  socket: string;
  hosts: Record<string, string>;
}

function fail(message: string): never {
  process.stderr.write(`lab: ${message}\n`);
  process.exit(1);
}

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

/** The lab named by $PIVS_LAB (its prefix), else the most recently started one still running. */
function readState(): LabState {
  let files: string[] = [];
  try { files = readdirSync(STATE_DIR).filter((f) => f.endsWith('.json')); } catch { /* none yet */ }
  const wanted = process.env.PIVS_LAB;
  const labs = files
    .map((f) => join(STATE_DIR, f))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)
    .map((f) => { try { return JSON.parse(readFileSync(f, 'utf8')) as LabState; } catch { return undefined; } })
    .filter((s): s is LabState => s !== undefined && alive(s.pid) && (wanted === undefined || s.prefix === wanted));
  if (labs.length === 0) {
    return fail(wanted === undefined ? 'no lab is running; start one with scripts/lab.' : `no running lab is named ${wanted}.`);
  }
  return labs[0];
}

/** Runs a command with the terminal attached and exits with its status. */
function passThrough(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): void {
  const child = spawn(cmd, args, { stdio: 'inherit', env });
  child.on('error', (e) => fail(e.message));
  child.on('exit', (code, signal) => process.exit(code ?? (signal === null ? 1 : 128)));
}

function cmdExec(args: string[]): void {
  const [role, cmd, ...rest] = args;
  if (role === undefined || cmd === undefined) fail('usage: scripts/lab exec ROLE COMMAND [ARGS...] (ROLE: client, director, rs1, ...).');
  const state = readState();
  const ns = state.hosts[role] ?? fail(`no host "${role}" in the lab; hosts are ${Object.keys(state.hosts).join(', ')}.`);
  passThrough('ip', ['netns', 'exec', ns, cmd, ...rest]);
}

function cmdAdm(args: string[]): void {
  const state = readState();
  passThrough(process.execPath, [PIVSADM_JS, ...args], { ...process.env, PIVS_SOCKET: state.socket });
}

async function cmdClean(): Promise<void> {
  const stale = await staleNamespaces();
  for (const ns of stale) {
    // A leftover namespace may still hold a process (pivsd, a server); it belongs to the dead run.
    const pids = (await runAny('ip', ['netns', 'pids', ns])).stdout.split('\n').filter((p) => /^\d+$/.test(p));
    for (const p of pids) {
      try { process.kill(Number(p), 'SIGKILL'); } catch { /* gone */ }
    }
    await run('ip', ['netns', 'del', ns]);
    // The run's scratch directory (sockets, logs) is named after its prefix, as in topology.ts.
    rmSync(join(tmpdir(), ns.slice(0, ns.indexOf('-'))), { recursive: true, force: true });
    process.stdout.write(`removed ${ns}\n`);
  }
  for (const f of (() => { try { return readdirSync(STATE_DIR); } catch { return []; } })()) {
    const file = join(STATE_DIR, f);
    try {
      if (!alive((JSON.parse(readFileSync(file, 'utf8')) as LabState).pid)) rmSync(file, { force: true });
    } catch { rmSync(file, { force: true }); }
  }
  process.stdout.write(stale.length === 0 ? 'nothing to clean\n' : `removed ${stale.length} namespaces\n`);
}

function instructions(t: Topology, p: Pivsd): string {
  const adm = `PIVS_SOCKET=${p.socket} pivsadm`;
  return [
    `pivs lab ${t.prefix}: client ${t.client.address}, director ${t.director.address} (pivsd on eth0), `
      + `real servers ${t.reals.map((r) => r.address).join(' ')}, VIP ${t.vip}`,
    '',
    'Try, from another terminal:',
    `  scripts/lab exec client curl http://${t.vip}/`,
    `  scripts/lab exec client node dist/src/lab/udp_client.js --to ${t.vip}:53 --count 3`,
    '  scripts/lab adm -L -n',
    `  scripts/lab adm -e -t ${t.vip}:80 -r ${t.reals[0].address}:80 -g -w 0`,
    'or without the helper:',
    `  ip netns exec ${t.client.ns} curl http://${t.vip}/`,
    `  ${adm} -L -n`,
    '',
    'Ctrl-C stops pivsd and removes the lab.',
  ].join('\n');
}

async function liveView(t: Topology, p: Pivsd, stopping: () => boolean): Promise<void> {
  const text = instructions(t, p);
  if (!process.stdout.isTTY) {
    process.stdout.write(`${text}\n\n${(await p.adm(['-L', '-n'])).stdout}`);
    return;
  }
  while (!stopping()) {
    const r = await p.adm(['-L', '-n', '--stats']);
    const table = r.code === 0 ? r.stdout : `pivsadm failed: ${r.stderr}`;
    const state = p.alive() ? '' : '\npivsd has exited; see its log: ' + p.logFile + '\n';
    // Clear screen and home the cursor, then redraw.
    process.stdout.write(`\x1b[2J\x1b[H${text}\n\n${new Date().toLocaleTimeString()}  pivsadm -L -n --stats\n${table}${state}`);
    for (let waited = 0; waited < REFRESH_MS && !stopping(); waited += 100) await sleep(100);
  }
}

async function cmdUp(): Promise<void> {
  if (process.getuid?.() !== 0) fail('the lab needs root (network namespaces); run it with sudo.');
  const t = await Topology.create({ kind: 'lab', realServers: 3, handleSignals: false });
  const stateFile = join(STATE_DIR, `${t.prefix}.json`);
  let stopping = false;
  let resolveStop: () => void = () => undefined;
  const stopped = new Promise<void>((r) => { resolveStop = r; });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(sig, () => {
      if (stopping) return;
      stopping = true;
      resolveStop();
    });
  }
  try {
    process.stdout.write(`building lab ${t.prefix} ...\n`);
    await startRealServers(t, { udpPort: 53 });
    const p = await startPivsd(t);
    const vip = t.vip;
    await p.admOk(['-A', '-t', `${vip}:80`, '-s', 'rr']);
    await p.admOk(['-A', '-u', `${vip}:53`, '-s', 'rr']);
    for (const r of t.reals) {
      await p.admOk(['-a', '-t', `${vip}:80`, '-r', `${r.address}:80`, '-g', '-w', '1']);
      await p.admOk(['-a', '-u', `${vip}:53`, '-r', `${r.address}:53`, '-g', '-w', '1']);
    }
    await p.waitReady().catch((e: Error) => process.stdout.write(`warning: ${e.message}\n`));
    mkdirSync(STATE_DIR, { recursive: true });
    const hosts: Record<string, string> = {};
    for (const h of t.hosts as Host[]) hosts[h.role] = h.ns;
    writeFileSync(stateFile, JSON.stringify({ prefix: t.prefix, pid: process.pid, socket: p.socket, hosts } satisfies LabState));
    await Promise.race([liveView(t, p, () => stopping).then(() => stopped), stopped]);
    process.stdout.write('\nstopping pivsd and removing the lab ...\n');
    await p.stop();
  } finally {
    rmSync(stateFile, { force: true });
    await t.teardown();
  }
  process.stdout.write('done: no namespace of this lab is left.\n');
}

async function main(): Promise<void> {
  const [cmd = 'up', ...args] = process.argv.slice(2);
  switch (cmd) {
    case 'up': return cmdUp();
    case 'exec': return cmdExec(args);
    case 'adm': return cmdAdm(args);
    case 'clean': return cmdClean();
    default: fail(`unknown command "${cmd}"; use up, exec, adm or clean.`);
  }
}

main().catch((e: Error) => fail(e.message));
