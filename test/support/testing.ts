// What the network tests share: a lab that is torn down by node:test's after() (and, through
// topology.ts, on exit and signals), and the client-side actions a user would take.
import type { ChildProcess } from 'node:child_process';
import { after, before } from 'node:test';
import { runAny } from '../../src/lab/exec';
import { UDP_CLIENT_JS, startPivsd, startRealServers, type Pivsd, type PivsdOptions } from '../../src/lab/pivsd';
import { Topology } from '../../src/lab/topology';

export interface TestLab {
  t: Topology;
  pivsd: Pivsd;
}

export interface LabOptions {
  realServers?: number;
  /** 2: every host also on LAN2 (Topology lans, link redundancy tests). */
  lans?: 1 | 2;
  pivsd?: PivsdOptions;
  /** Runs after the LAN and real servers exist and before pivsd starts (e.g. to write a config). */
  beforePivsd?: (t: Topology) => PivsdOptions | void;
}

/** Builds a LAN with real servers (HTTP on 80, UDP on 53) and starts pivsd on its director. */
export async function createLab(opts: LabOptions = {}): Promise<TestLab> {
  const t = await Topology.create({ kind: 't', realServers: opts.realServers ?? 3, lans: opts.lans });
  try {
    await startRealServers(t, { udpPort: 53 });
    const extra = opts.beforePivsd?.(t) ?? {};
    const pivsd = await startPivsd(t, { ...opts.pivsd, ...extra });
    return { t, pivsd };
  } catch (e) {
    await t.teardown();
    throw e;
  }
}

/**
 * Registers before()/after() hooks in the enclosing describe (or file) that build the lab and tear
 * it down whatever happened; call synchronously, use the returned getter inside the tests.
 */
export function useLab(opts: LabOptions = {}): () => TestLab {
  let lab: TestLab | undefined;
  before(async () => { lab = await createLab(opts); });
  after(async () => { await lab?.t.teardown(); });
  return () => {
    if (lab === undefined) throw new Error('The lab was not built (see the before hook\'s error).');
    return lab;
  };
}

/**
 * Fetches `url` from the client `count` times with curl, each on a new TCP connection (the server
 * closes after every answer), and counts the answers by body. Failed fetches count as "(failed)".
 */
export async function fetchNames(t: Topology, url: string, count: number): Promise<Map<string, number>> {
  // One curl for all of them: spawning 300 processes would make the test slow, not better.
  const args = ['-sS', '--max-time', '10', '-H', 'Connection: close', '-w', '|%{http_code}\\n'];
  for (let i = 0; i < count; i++) args.push(url);
  const out = await t.exec(t.client, 'curl', args, 120_000).catch((e: Error) => e.message);
  const counts = new Map<string, number>();
  // Each answer is its body (the server's name and a newline) followed by "|<status>\n".
  const answers = [...out.matchAll(/([^|]*?)\|(\d{3})\n/g)];
  for (const [, body, code] of answers) {
    const key = code === '200' ? body.trim() : '(failed)';
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const missing = count - answers.length;
  if (missing > 0) counts.set('(failed)', (counts.get('(failed)') ?? 0) + missing);
  return counts;
}

/**
 * Sends `count` datagrams on one UDP flow from the client (to the VIP unless `to` says otherwise)
 * and returns the replies, in order.
 */
export async function udpAsk(t: Topology, port: number, count: number, size = 8, to = t.vip): Promise<string[]> {
  // udp_client exits 1 when a datagram went unanswered; its stdout still says which ("timeout").
  const r = await runAny('ip', ['netns', 'exec', t.client.ns, process.execPath,
    UDP_CLIENT_JS, '--to', `${to}:${port}`, '--count', String(count), '--size', String(size), '--timeout', '2000',
  ], { timeoutMs: 10_000 + count * 2500 });
  if (r.code !== 0 && r.code !== 1) throw new Error(`udp_client failed (${r.code}): ${r.stderr.trim()}`);
  return r.stdout.trim().split('\n');
}

/** Resolves with the exit code of a spawned process, or null if it is still running after timeoutMs. */
export function exitOf(child: ChildProcess, timeoutMs: number): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  // The timer is cleared on exit: left pending it would keep the test file's process alive.
  return new Promise((resolve) => {
    const timer = setTimeout(() => { child.off('exit', onExit); resolve(null); }, timeoutMs);
    function onExit(code: number | null): void { clearTimeout(timer); resolve(code); }
    child.once('exit', onExit);
  });
}

/** Sorted "name=count" text of a count map, for assertions that print well when they fail. */
export function countsText(m: Map<string, number>): string {
  return [...m.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${v}`).join(' ');
}
