// Forged VRRP adverts against a pair whose signed heartbeat runs on the LAN: a LAN host sends, for a
// few seconds, priority 0 "from" the master, priority 255 "from" the backup and priority 255 from
// its own address. Mastership does not move: the master keeps advertising, the backup never does,
// and both count the adverts they refused. A real release is still fast: a master that stops says
// so in its heartbeat first, and the backup takes over after its skew time, well inside
// Master_Down_Interval.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Capture } from '../support/capture';
import { useHaLab, VRID } from '../support/ha';
import { statusDocument } from '../../src/lab/pivsd';
import { IFACE } from '../../src/lab/topology';
import { advertFrame } from '../../src/vrrp/codec';

const FORGE_SECONDS = 4;
const PER_SECOND = 100;

/** python3 in a namespace: sends the frames of `file` (hex, one per line) in turn, PER_SECOND a second. */
function senderScript(file: string): string {
  return [
    'import socket, time',
    `s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW); s.bind(("${IFACE}", 0))`,
    `frames = [bytes.fromhex(l) for l in open("${file}").read().split()]`,
    `end = time.time() + ${FORGE_SECONDS}; i = 0`,
    'while time.time() < end:',
    '    s.send(frames[i % len(frames)]); i += 1',
    `    time.sleep(${1 / PER_SECOND})`,
  ].join('\n');
}

describe('forged VRRP adverts against a pair with a signed heartbeat', { timeout: 180_000 }, () => {
  const get = useHaLab();

  it('move no mastership, are counted, and a real release still hands over at once', async (ctx) => {
    const l = get();
    const t = l.t;
    const a = l.host('a');
    const b = l.host('b');
    const forged = (priority: number, from: string): string => advertFrame(
      { version: 3, vrid: VRID, priority, addresses: [t.vip], adverInt: 10 },
      { sourceMac: t.client.mac, sourceAddress: from, destinationAddress: '224.0.0.18' },
    ).toString('hex');
    const file = join(t.runDir, 'forged-adverts.hex');
    writeFileSync(file, [forged(0, a.address), forged(255, b.address), forged(255, t.client.address)].join('\n'));

    const fromA = await Capture.start(t, a, 'ip proto 112');
    const fromB = await Capture.start(t, b, 'ip proto 112');
    const started = Date.now();
    try {
      await t.exec(t.client, 'python3', ['-c', senderScript(file)], (FORGE_SECONDS + 20) * 1000);
      // One more Master_Down_Interval: a backup misled by the last frames would act within it.
      await new Promise((r) => setTimeout(r, l.masterDownMs('b') * 2));
    } finally {
      fromA.stop();
      fromB.stop();
    }
    const advertsA = fromA.frames.filter((f) => f.at >= started);
    const gaps = advertsA.slice(1).map((f, i) => f.at - advertsA[i].at);
    const dropped = async (side: 'a' | 'b') => (await statusDocument(t, l.host(side))).vrrp[0].advertsDropped;
    const [droppedA, droppedB] = [await dropped('a'), await dropped('b')];
    ctx.diagnostic(`A sent ${advertsA.length} adverts, longest gap ${Math.max(...gaps).toFixed(0)} ms; `
      + `refused by A ${JSON.stringify(droppedA)}, by B ${JSON.stringify(droppedB)}`);
    assert.deepEqual(fromB.frames.map((f) => f.line), [], `the backup took over\n${l.logs()}`);
    assert.ok(Math.max(...gaps) < l.masterDownMs('b'), `A stopped advertising for ${Math.max(...gaps).toFixed(0)} ms\n${l.logs()}`);
    assert.ok(droppedA.heartbeat > 0, 'A refused the forged priority 255 from B\'s address');
    assert.ok(droppedB.heartbeat > 0, 'B refused the forged priority 0 from A\'s address');
    assert.ok(droppedA.peer > 0 && droppedB.peer > 0, 'both refused the adverts of a host that is no heartbeat peer');

    const fromBAfter = await Capture.start(t, b, 'ip proto 112');
    try {
      const stoppedAt = Date.now();
      await l.pivsd('a').stop();
      const first = await fromBAfter.firstAfter(stoppedAt, 5000);
      assert.ok(first !== null, `B never took over\n${l.logs()}`);
      const handover = first.at - stoppedAt;
      ctx.diagnostic(`A stopped: B advertised ${handover.toFixed(0)} ms after SIGTERM (Master_Down_Interval ${l.masterDownMs('b').toFixed(0)} ms)`);
      assert.ok(handover < l.masterDownMs('b'), `B took ${handover.toFixed(0)} ms, no faster than without A's release\n${l.logs()}`);
    } finally {
      fromBAfter.stop();
    }
  });
});
