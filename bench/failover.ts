// Failover time and connections lost, pivs against keepalived with the same advert interval, in the
// same run on the same namespace LAN (src/lab/ha.ts: director A priority 150, director B 100).
// pivs: while 10 paced TCP streams and a 1 ms UDP probe run through the VIP, A's pivsd is killed
// with -9; "takeover" is the time from the kill to the first frame B transmits towards the VIP (a
// capture on B's switch port: a backup forwards nothing, so that frame is B forwarding). Lost = the
// streams that did not arrive whole (SHA-256). A is then restarted and takes the VIP back (preempt).
// keepalived (VRRP only, the VIP on the master's interface): the time from killing A's keepalived to
// B's first gratuitous ARP for the VIP, which is when keepalived has moved it.
import { sleep } from '../src/lab/exec';
import { Capture } from '../src/lab/capture';
import { HaLab, UDP_PROBE_PORT, VRID, masterDownIntervalMs } from '../src/lab/ha';
import { startKeepalived, type Keepalived } from '../src/lab/keepalived';
import { StreamRun, lostConnections, startProbe } from '../src/lab/streams';

const TRIALS = 10;
const INTERVALS = [1, 0.1, 0.02];
const CONNECTIONS = 10;
/** Streams run this long before the kill, so they are established and flowing on A. */
const LEAD_MS = 500;
/** And this long after the takeover, to see them continue on B. */
const TAIL_MS = 1000;

interface Trial { takeoverMs: number | null; lost: number }

export function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function pivsTrial(lab: HaLab, mdiMs: number): Promise<Trial> {
  const t = lab.t;
  const forwarded = await Capture.start(t, lab.host('b'), `ip dst ${t.vip}`);
  const streams = StreamRun.start(t, { connections: CONNECTIONS, durationMs: LEAD_MS + mdiMs + TAIL_MS });
  const probe = startProbe(t, UDP_PROBE_PORT, 1, LEAD_MS + mdiMs + TAIL_MS + 5000);
  try {
    await streams.waitEstablished();
    await sleep(LEAD_MS);
    const killedAt = lab.kill('a');
    streams.mark(killedAt);
    // A frame from B towards the VIP before the kill would mean two forwarders: not a takeover.
    const early = forwarded.before(killedAt).length;
    const first = await forwarded.firstAfter(killedAt, mdiMs + 5000);
    const report = await streams.finished(LEAD_MS + mdiMs + TAIL_MS + 30_000);
    return { takeoverMs: early > 0 || first === null ? null : first.at - killedAt, lost: lostConnections(report) };
  } finally {
    forwarded.stop();
    streams.stop();
    if (probe.exitCode === null) probe.kill('SIGKILL');
    // Back to the starting position for the next trial: A restarts, resyncs and preempts.
    await lab.start('a');
    await lab.waitMaster('a');
  }
}

async function keepalivedTrial(lab: HaLab, a: Keepalived, advertInt: number, mdiMs: number): Promise<{ takeoverMs: number | null; a: Keepalived }> {
  const t = lab.t;
  const garp = await Capture.start(t, lab.host('b'), `arp and arp[14:4] = 0x${t.vip.split('.').map((o) => Number(o).toString(16).padStart(2, '0')).join('')}`);
  try {
    await sleep(200);
    const killedAt = a.kill();
    const first = await garp.firstAfter(killedAt, mdiMs + 5000);
    return { takeoverMs: first === null ? null : first.at - killedAt, a: await restartKeepalivedA(lab, advertInt) };
  } finally {
    garp.stop();
  }
}

async function restartKeepalivedA(lab: HaLab, advertInt: number): Promise<Keepalived> {
  const k = await startKeepalived(lab.t, lab.host('a'), instance(lab, 'a', advertInt), `keepalived-a-${Date.now()}`);
  await lab.waitMaster('a');
  return k;
}

function instance(lab: HaLab, side: 'a' | 'b', advertInt: number): Parameters<typeof startKeepalived>[2] {
  return { virtualRouterId: VRID, priority: lab.priority(side), advertInt, version: advertInt >= 1 && Number.isInteger(advertInt) ? 2 : 3, preempt: true, virtualAddresses: [lab.t.vip] };
}

async function measureInterval(advertInt: number): Promise<string[]> {
  const version = Number.isInteger(advertInt) ? 2 : 3;
  const mdiMs = masterDownIntervalMs(advertInt, 100);
  const pivs: Trial[] = [];
  const keep: Array<number | null> = [];
  const lab = await HaLab.create('b', { advertInt, version });
  try {
    await lab.start('a');
    await lab.waitMaster('a', 30_000);
    await lab.start('b');
    await lab.waitMaster('a', 30_000);
    await lab.pivsd('a').waitReady();
    for (let i = 0; i < TRIALS; i++) pivs.push(await pivsTrial(lab, mdiMs));
    await lab.pivsd('a').stop();
    await lab.pivsd('b').stop();

    let a = await startKeepalived(lab.t, lab.host('a'), instance(lab, 'a', advertInt), 'keepalived-a');
    await lab.waitMaster('a', 30_000);
    const b = await startKeepalived(lab.t, lab.host('b'), instance(lab, 'b', advertInt), 'keepalived-b');
    await lab.waitMaster('a', 30_000);
    for (let i = 0; i < TRIALS; i++) {
      const r = await keepalivedTrial(lab, a, advertInt, mdiMs);
      keep.push(r.takeoverMs);
      a = r.a;
    }
    a.kill();
    b.kill();
  } finally {
    await lab.teardown();
  }
  const ok = (xs: Array<number | null>): number[] => xs.filter((x): x is number => x !== null);
  const pm = median(ok(pivs.map((p) => p.takeoverMs)));
  const km = median(ok(keep));
  const missed = pivs.filter((p) => p.takeoverMs === null).length + keep.filter((k) => k === null).length;
  const lostTotal = pivs.reduce((s, p) => s + p.lost, 0);
  return [
    `${advertInt * 1000} ms (v${version})`,
    pm === null ? '-' : pm.toFixed(1),
    km === null ? '-' : km.toFixed(1),
    pm === null || km === null ? '-' : (pm / km).toFixed(2),
    `${median(pivs.map((p) => p.lost))} (${lostTotal}/${TRIALS * CONNECTIONS})`,
    mdiMs.toFixed(0),
    missed === 0 ? '' : `${missed} trial(s) without a takeover`,
  ];
}

export async function runFailoverBench(): Promise<string> {
  const rows = [['advert interval', 'pivs median ms', 'keepalived median ms', 'ratio', 'pivs conns lost median (total)', 'Master_Down ms', 'note']];
  for (const advertInt of INTERVALS) rows.push(await measureInterval(advertInt));
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const lines = rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd());
  return [
    `median of ${TRIALS} trials; kill -9 of the master (priority 150) to the backup (priority 100) forwarding (pivs)`,
    'or sending its gratuitous ARP (keepalived); ratio < 1: pivs is faster. Lost: of 10 streams per trial.',
    ...lines,
  ].join('\n');
}

if (require.main === module) {
  void runFailoverBench().then((s) => process.stdout.write(`${s}\n`), (e: Error) => { process.stderr.write(`${e.stack}\n`); process.exitCode = 1; });
}
