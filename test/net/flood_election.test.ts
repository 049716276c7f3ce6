// The election is not starved: while a LAN host floods both directors with ARP requests for the
// VIP and the master with ICMP echo to the VIP, each at the generator's full rate, the backup
// keeps hearing the master's adverts (VRRPv3 every 100 ms, no heartbeat: VRRP alone decides) and
// never takes over; the floods are dropped and counted.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Capture } from '../support/capture';
import { useHaLab, VRID } from '../support/ha';
import { IFACE } from '../../src/lab/topology';
import type { DropCounts } from '../../src/dataplane/types';
import { buildGen } from '../../bench/gen';

const FLOOD_SECONDS = 10;
const VIRTUAL_MAC = `00:00:5e:00:01:${VRID.toString(16).padStart(2, '0')}`;

describe('the election under an ARP and ICMP flood', { timeout: 180_000 }, () => {
  const get = useHaLab({ heartbeat: false });

  it('the backup never takes over while the master is flooded, and the drops are counted', async (ctx) => {
    const l = get();
    const t = l.t;
    const gen = join(t.runDir, 'gen');
    await buildGen(gen);
    const fromB = await Capture.start(t, l.host('b'), `ip proto 112 and src ${l.host('b').address}`);
    const fromA = await Capture.start(t, l.host('a'), `ip proto 112 and src ${l.host('a').address}`);
    // The flooders run niced: on this lab's two cores they share the CPU with both directors,
    // where a real flood arrives over the wire and takes none of the directors' time.
    const flood = (kind: string, dstMac: string) => t.exec(t.client, 'nice', ['-n', '10', gen,
      '-i', IFACE, '-s', t.client.mac, '-d', dstMac, '-S', '198.19.0.1', '-D', t.vip, '-p', '9',
      '-f', '4096', '-t', String(FLOOD_SECONDS), kind,
    ], (FLOOD_SECONDS + 30) * 1000).then((out) => JSON.parse(out) as { sent: number });
    const started = Date.now();
    let arp: { sent: number };
    let echo: { sent: number };
    try {
      [arp, echo] = await Promise.all([flood('-A', 'ff:ff:ff:ff:ff:ff'), flood('-E', VIRTUAL_MAC)]);
    } finally {
      fromB.stop();
      fromA.stop();
    }
    const drops = (JSON.parse(await l.pivsd('a').admOk(['-L', '-n', '--json'])) as { drops: DropCounts }).drops;
    const advertsA = fromA.frames.filter((f) => f.at >= started);
    const gaps = advertsA.slice(1).map((f, i) => f.at - advertsA[i].at);
    ctx.diagnostic(`flood: ${arp.sent} ARP requests and ${echo.sent} echo requests in ${FLOOD_SECONDS} s; `
      + `A sent ${advertsA.length} adverts (longest gap ${Math.max(...gaps).toFixed(0)} ms); `
      + `A dropped arpRateLimited ${drops.arpRateLimited}, echoRateLimited ${drops.echoRateLimited}, `
      + `controlQueueFull ${drops.controlQueueFull}, rxRingFull ${drops.rxRingFull}`);

    assert.deepEqual(fromB.frames.map((f) => f.line), [], `the backup sent adverts: it took over\n${l.logs()}`);
    assert.ok(advertsA.length >= FLOOD_SECONDS * 5, `A sent only ${advertsA.length} adverts`);
    assert.ok(drops.arpRateLimited > 0, 'the ARP flood was cut to its budget');
    assert.ok(drops.echoRateLimited > 0, 'the echo flood was cut to its budget');
    await l.waitMaster('a');
  });
});
