// Debian's net-snmp tools as the SNMP tests' real peers: snmpwalk/snmpget as managers, snmpd as
// an AgentX master, snmptrapd as a notification receiver. Everything on 127.0.0.1.
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAny, waitFor } from '../../src/lab/exec';
import type { Value } from '../../src/snmp/values';

/** A UDP port free right now on 127.0.0.1 (the kernel picks it). */
export function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    s.once('error', reject);
    s.bind(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** One line of `snmpwalk -On -Ox` output: the OID and the value as the tool prints it. */
export interface Printed {
  oid: string;
  text: string;
}

// No MIB files: keeps the tools quiet about the IETF modules Debian does not ship.
const ENV = { ...process.env, MIBS: '', MIBDIRS: '/nonexistent' };

export function parseToolOutput(stdout: string): Printed[] {
  const out: Printed[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^\.?([0-9.]+) = (.*)$/.exec(line.trim());
    // snmpwalk reports the end of the whole MIB view as a line of its own; that is no value.
    if (m !== null && !m[2]!.startsWith('No more variables')) out.push({ oid: m[1]!, text: m[2]!.trim() });
  }
  return out;
}

/** How snmpwalk -Ox prints a value (how the tests state what a manager sees). */
export function printedAs(v: Value): string {
  switch (v.type) {
    case 'Integer': return `INTEGER: ${String(v.value)}`;
    case 'Gauge': return `Gauge32: ${String(v.value)}`;
    case 'Counter': return `Counter32: ${String(v.value)}`;
    case 'Counter64': return `Counter64: ${String(v.value)}`;
    case 'TimeTicks': return `Timeticks: (${String(v.value)})`;
    case 'OctetString': {
      const b = v.value as Buffer;
      return b.length === 0 ? '""' : `Hex-STRING: ${[...b].map((x) => x.toString(16).toUpperCase().padStart(2, '0')).join(' ')}`;
    }
  }
}

/** Timeticks print as "(n) d:hh:mm:ss.cc"; keep the exact part. */
export function normalise(text: string): string {
  const t = /^Timeticks: (\(\d+\))/.exec(text);
  return t !== null ? `Timeticks: ${t[1]}` : text;
}

/** The command line, run inside network namespace `ns` when one is given. */
function inNs(ns: string | undefined, cmd: string, args: string[]): [string, string[]] {
  return ns === undefined ? [cmd, args] : ['ip', ['netns', 'exec', ns, cmd, ...args]];
}

export async function snmpwalk(args: string[], ns?: string): Promise<Printed[]> {
  const r = await runAny(...inNs(ns, 'snmpwalk', ['-On', '-Ox', '-t', '2', '-r', '1', ...args]), { env: ENV, timeoutMs: 30_000 });
  if (r.code !== 0) throw new Error(`snmpwalk ${args.join(' ')} exited ${String(r.code)}: ${r.stderr.trim()}`);
  return parseToolOutput(r.stdout);
}

export async function snmpget(args: string[], ns?: string): Promise<{ code: number | null; printed: Printed[]; stderr: string }> {
  const r = await runAny(...inNs(ns, 'snmpget', ['-On', '-Ox', '-t', '2', '-r', '1', ...args]), { env: ENV, timeoutMs: 30_000 });
  return { code: r.code, printed: parseToolOutput(r.stdout), stderr: r.stderr };
}

/** A foreground daemon (snmpd / snmptrapd) in its own temp dir, killed by stop(). */
export class Daemon {
  private constructor(readonly dir: string, readonly child: ChildProcess, readonly logFile: string) {}

  static start(cmd: string, args: (dir: string) => string[], config: (dir: string) => string, prefix: string): Daemon {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    const conf = join(dir, `${cmd}.conf`);
    writeFileSync(conf, config(dir));
    const logFile = join(dir, `${cmd}.log`);
    const child = spawn(cmd, args(dir).map((a) => a.replace('CONF', conf).replace('LOG', logFile)), {
      // The daemons keep engine boots and users in their persistent dir, in a file named like
      // their config file: it must not be the config's folder, or the config gets overwritten.
      stdio: ['ignore', 'ignore', 'ignore'], env: { ...ENV, SNMP_PERSISTENT_DIR: join(dir, 'persistent') },
    });
    return new Daemon(dir, child, logFile);
  }

  log(): string {
    try { return readFileSync(this.logFile, 'utf8'); } catch { return ''; }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** snmptrapd on 127.0.0.1:port, accepting everything, one line per notification in its log. */
export function startTrapReceiver(port: number, v3?: { user: string; authKey: string; privKey: string }): Daemon {
  return Daemon.start('snmptrapd', () => ['-f', '-C', '-c', 'CONF', '-Lf', 'LOG', '-On', '-Ox', `udp:127.0.0.1:${port}`],
    () => [
      'disableAuthorization yes',
      'format2 TRAP %v\\n',
      v3 === undefined ? '' : `createUser ${v3.user} SHA ${v3.authKey} AES ${v3.privKey}`,
    ].join('\n') + '\n', 'pivs-snmptrapd-');
}

/** Waits (bounded) until the receiver logged a notification whose text includes every `parts`. */
export function waitForTrap(receiver: Daemon, parts: string[]): Promise<string> {
  return waitFor(`a notification with ${parts.join(', ')}`, async () => {
    const line = receiver.log().split('\n').find((l) => parts.every((p) => l.includes(p)));
    return line;
  }, 100, 100);
}

/** snmpd as AgentX master: UDP on 127.0.0.1:port, the AgentX socket in its temp dir, traps to a sink. */
export function startMasterAgent(port: number, community: string, trapPort: number): Daemon {
  return Daemon.start('snmpd', () => ['-f', '-C', '-c', 'CONF', '-Lf', 'LOG', `udp:127.0.0.1:${port}`],
    (dir) => [
      'master agentx',
      `agentXSocket ${join(dir, 'agentx.sock')}`,
      `rocommunity ${community} 127.0.0.1`,
      `trap2sink 127.0.0.1:${trapPort} ${community}`,
    ].join('\n') + '\n', 'pivs-snmpd-');
}
