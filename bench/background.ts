// Background work against the size of the table (issue 11 point 7), each figure before and after in
// the same run:
// - Idle CPU of pivsd with 1,000,000 connections, none due: pivsd as VRRP master on a lab LAN, its
//   table filled through sync (test/support/big_table.ts), then its CPU (and that of its sweeper
//   thread alone) over IDLE_SECONDS from /proc. "before" is the sweeper the timer wheel replaced,
//   every slot walked each second, which PIVS_BENCH_SWEEP=walk brings back (native/worker.cc).
// - Takeover with SERVICES mh services (65537-slot Maglev tables): setActiveAddresses() as it is
//   now, flags flipped, against what it did before, a rebuild of the whole table that calls every
//   scheduler's update(), which apply() of the same services still does. In-process, no interface.
import { readdirSync, readFileSync } from 'node:fs';
import type { VirtualService } from '../src/config/model';
import { openDataplane } from '../src/dataplane';
import { startBigTable } from '../test/support/big_table';
import { sleep } from '../src/lab/exec';
import { HaLab } from '../test/support/ha';
import { median } from './failover';

const ENTRIES = 1_000_000;
const SETTLE_MS = 3000;
const IDLE_SECONDS = 10;
const SERVICES = 64;
const TAKEOVERS = 21;
/** /proc times are in clock ticks: 100 a second on Linux (USER_HZ). */
const TICKS_PER_SECOND = 100;

/** utime + stime of a process or of one of its threads, in seconds. */
function cpuSeconds(statPath: string): number {
  // The fields after the command name, which is in parentheses and may hold spaces.
  const rest = readFileSync(statPath, 'utf8').split(') ')[1].split(' ');
  return (Number(rest[11]) + Number(rest[12])) / TICKS_PER_SECOND;
}

/** A thread's time on a CPU, in seconds, to the nanosecond (schedstat), for figures below a tick. */
function threadSeconds(schedstatPath: string): number {
  return Number(readFileSync(schedstatPath, 'utf8').split(' ')[0]) / 1e9;
}

function sweeperSchedstat(pid: number): string {
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    if (readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim() === 'pivs-sweeper') return `/proc/${pid}/task/${tid}/schedstat`;
  }
  throw new Error(`pivsd ${pid} has no pivs-sweeper thread.`);
}

interface Idle { process: number; sweeper: number }

/** CPU share of one core, process and sweeper thread, over IDLE_SECONDS. */
async function idleCpu(lab: HaLab, env: NodeJS.ProcessEnv, tag: string): Promise<Idle> {
  const p = await startBigTable(lab, ENTRIES, env, tag);
  try {
    await sleep(SETTLE_MS);
    const sweeper = sweeperSchedstat(p.pid);
    const [p0, s0, t0] = [cpuSeconds(`/proc/${p.pid}/stat`), threadSeconds(sweeper), Date.now()];
    await sleep(IDLE_SECONDS * 1000);
    const [p1, s1, t1] = [cpuSeconds(`/proc/${p.pid}/stat`), threadSeconds(sweeper), Date.now()];
    const wall = (t1 - t0) / 1000;
    return { process: (p1 - p0) / wall, sweeper: (s1 - s0) / wall };
  } finally {
    await p.stop();
  }
}

function mhServices(): VirtualService[] {
  return Array.from({ length: SERVICES }, (_, i) => ({
    protocol: 'tcp' as const, address: `198.18.${1 + (i >> 8)}.${i & 255}`, port: 80, scheduler: 'mh' as const,
    schedFlags: [], sloppy: true,
    realServers: [11, 12, 13].map((h) => ({ address: `198.18.0.${h}`, port: 80, forward: 'dr' as const, weight: 1, upperThreshold: 0, lowerThreshold: 0 })),
  }));
}

/** Median ms of one takeover (and one give-back) each way. */
function takeover(): { flipMs: number; rebuildMs: number } {
  const services = mhServices();
  const dp = openDataplane({ interface: null, workers: 1, connTableSize: 65536, mhTableSize: 65537 });
  try {
    dp.apply(services);
    const vips = services.map((s) => s.address);
    const time = (f: () => void): number => {
      const t = process.hrtime.bigint();
      f();
      return Number(process.hrtime.bigint() - t) / 1e6;
    };
    const flips: number[] = [];
    const rebuilds: number[] = [];
    for (let i = 0; i < TAKEOVERS; i++) {
      flips.push(time(() => dp.setActiveAddresses(i % 2 === 0 ? vips : [])));
      rebuilds.push(time(() => dp.apply(services)));
    }
    return { flipMs: median(flips) ?? 0, rebuildMs: median(rebuilds) ?? 0 };
  } finally {
    dp.close();
  }
}

const pct = (x: number): string => `${(x * 100).toFixed(x < 0.001 ? 4 : 2)} %`;
const ratio = (before: number, after: number): string => (after > 0 ? `${(before / after).toFixed(0)}x` : 'inf');

export async function runBackgroundBench(): Promise<string> {
  const lab = await HaLab.create('bg');
  let before: Idle;
  let after: Idle;
  try {
    before = await idleCpu(lab, { PIVS_BENCH_SWEEP: 'walk' }, 'walk');
    after = await idleCpu(lab, {}, 'wheel');
  } finally {
    await lab.teardown();
  }
  const t = takeover();
  const rows = [
    ['', 'before', 'after', 'before/after'],
    [`pivsd idle CPU, ${ENTRIES.toLocaleString('en-US')} entries`, pct(before.process), pct(after.process), ratio(before.process, after.process)],
    ['  its sweeper thread', pct(before.sweeper), pct(after.sweeper), ratio(before.sweeper, after.sweeper)],
    [`takeover, ${SERVICES} mh services`, `${t.rebuildMs.toFixed(2)} ms`, `${t.flipMs.toFixed(3)} ms`, ratio(t.rebuildMs, t.flipMs)],
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return [
    `Idle: share of one core over ${IDLE_SECONDS} s, VRRP master (adverts every 100 ms), table size 2,097,152`,
    '(2,796,266 slots), no entry due; before = the sweeper walking every slot each second (PIVS_BENCH_SWEEP=walk).',
    `Takeover: median of ${TAKEOVERS} setActiveAddresses() calls; before = the rebuild it did (every mh table refilled).`,
    ...rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')),
  ].join('\n');
}

if (require.main === module) {
  runBackgroundBench().then((s) => process.stdout.write(`${s}\n`), (e: Error) => {
    process.stderr.write(`background bench: ${e.message}\n`);
    process.exitCode = 1;
  });
}
