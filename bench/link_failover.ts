// Link failover gap: a director on two LANs (director.links eth0, eth1) while paced TCP streams run
// through the VIP; its primary link is cut (the switch port set down) TRIALS times. The gap of a
// trial is the longest silence any stream saw (the client's own clock, every byte checked), and
// the detection-to-switch time is read from the stream's first byte after the cut. Printed next
// to the 50 ms target and next to HAS's link daemon design, which polls the link state: its
// detection alone takes up to one polling interval (half of one on average).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LinksResult } from '../src/control/protocol';
import { controlRequest } from '../src/lab/control_client';
import { run, sleep, waitFor } from '../src/lab/exec';
import { startPivsd, startRealServers } from '../src/lab/pivsd';
import { StreamRun, lostConnections } from '../test/support/streams';
import { Topology } from '../src/lab/topology';
import { CARRIER_POLL_MS } from '../src/vrrp/track';
import { median } from './failover';

const TRIALS = 10;
const TARGET_MS = 50;
const HOLD_DOWN_MS = 500;
const CONNECTIONS = 4;
/** Streams paced at one small chunk every INTERVAL_MS, so a gap is resolved to a few ms. */
const INTERVAL_MS = 2;
const LEAD_MS = 500;
const TAIL_MS = 700;

interface Trial { gapMs: number; firstByteMs: number | null; switchMs: number; lost: number }

export async function runLinkFailoverBench(): Promise<string> {
  const t = await Topology.create({ kind: 'b', realServers: 2, lans: 2 });
  try {
    await startRealServers(t);
    const configFile = join(t.runDir, 'links.yaml');
    writeFileSync(configFile, ['director:', '  links: [{ interface: eth0 }, { interface: eth1 }]', `  holdDownMs: ${HOLD_DOWN_MS}`,
      'virtualServices:', `  - { protocol: tcp, address: ${t.vip}, port: 80, scheduler: rr,`,
      `      realServers: [${t.reals.map((r) => `{ address: ${r.address}, port: 80 }`).join(', ')}] }`, ''].join('\n'));
    const pivsd = await startPivsd(t, { configFile });
    await pivsd.waitReady();
    const state = async (): Promise<LinksResult> => (await controlRequest(pivsd.socket, { method: 'links' })) as LinksResult;
    const active = async (): Promise<string | null> => (await state()).active;
    const port = (up: boolean): Promise<string> => run('ip', ['-n', t.switchNs, 'link', 'set', t.switchPort(t.director, 1), up ? 'up' : 'down']);
    const trials: Trial[] = [];
    for (let i = 0; i < TRIALS; i++) {
      const streams = StreamRun.start(t, { connections: CONNECTIONS, durationMs: LEAD_MS + TAIL_MS, chunk: 200, interval: INTERVAL_MS });
      try {
        await streams.waitEstablished();
        await sleep(LEAD_MS);
        const cutAt = Date.now();
        streams.mark(cutAt);
        await port(false);
        await waitFor('failover to eth1', async () => ((await active()) === 'eth1' ? true : undefined), 100, 20);
        const switchedAt = Date.parse((await state()).lastChange ?? '');
        const report = await streams.finished(60_000);
        const firsts = report.connections.map((c) => c.firstByteAfterMarkMs[0]).filter((x): x is number => x !== null);
        trials.push({
          gapMs: Math.max(...report.connections.map((c) => c.longestGapMs)),
          firstByteMs: firsts.length === CONNECTIONS ? Math.max(...firsts) : null,
          switchMs: switchedAt - cutAt,
          lost: lostConnections(report),
        });
      } finally {
        streams.stop();
        await port(true);
        await waitFor('failback to eth0', async () => ((await active()) === 'eth0' ? true : undefined), 100, 50);
      }
    }
    const gap = median(trials.map((x) => x.gapMs));
    const first = median(trials.flatMap((x) => (x.firstByteMs === null ? [] : [x.firstByteMs])));
    const lost = trials.reduce((n, x) => n + x.lost, 0);
    const switched = median(trials.map((x) => x.switchMs));
    const fmt = (v: number | null): string => (v === null ? 'n/a' : `${v.toFixed(1)} ms`);
    return [
      `link cuts: ${TRIALS}, ${CONNECTIONS} streams each (one ${200}-byte chunk every ${INTERVAL_MS} ms), hold-down ${HOLD_DOWN_MS} ms`,
      `median gap (longest silence in any stream):      ${fmt(gap)}   target ${TARGET_MS} ms   ratio ${gap === null ? 'n/a' : (gap / TARGET_MS).toFixed(2)}`,
      `median cut -> first byte of every stream:        ${fmt(first)}`,
      `HAS polling design at ${CARRIER_POLL_MS} ms (detection alone): ${CARRIER_POLL_MS / 2} ms on average, ${CARRIER_POLL_MS} ms at worst`
        + `   ratio of pivs's median gap to it ${gap === null ? 'n/a' : (gap / (CARRIER_POLL_MS / 2)).toFixed(3)}`,
      `median cut command -> pivsd switched links:     ${fmt(switched)}   (includes the kernel closing the switch port)`,
      `per cut gaps: ${trials.map((x) => x.gapMs.toFixed(1)).join(' ')} ms`,
      `per cut switch: ${trials.map((x) => x.switchMs.toFixed(0)).join(' ')} ms`,
      `streams lost: ${lost} of ${TRIALS * CONNECTIONS}`,
    ].join('\n');
  } finally {
    await t.teardown();
  }
}

if (require.main === module) {
  runLinkFailoverBench().then((table) => process.stdout.write(`${table}\n`), (e) => {
    process.stderr.write(`link_failover: ${(e as Error).message}\n`);
    process.exitCode = 1;
  });
}
