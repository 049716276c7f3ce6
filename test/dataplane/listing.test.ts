// connectionPage(): the table a bounded part at a time (pivsadm -L -c), every live entry once.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openDataplane, type ConnectionEntry, type Dataplane } from '../../src/dataplane';
import { TCP_SYN, tcpFrame, udpFrame } from './frames';
import { CLIENT, DIRECTOR_MAC, RS1, VIP, openSimulated, real, service } from './helpers';

const opened: Dataplane[] = [];
after(() => opened.forEach((d) => d.close()));

function pages(dp: Dataplane, limit?: number): ConnectionEntry[][] {
  const out: ConnectionEntry[][] = [];
  let cursor: number | null = 0;
  while (cursor !== null) {
    const p = dp.connectionPage(cursor, limit);
    assert.ok(p.next === null || p.next > cursor, 'the cursor moves on');
    out.push(p.entries);
    cursor = p.next;
  }
  return out;
}

describe('connectionPage', () => {
  it('lists every entry once over pages of at most `limit`, as connections() does', () => {
    const dp = openSimulated([service(), service({ protocol: 'udp', port: 53, realServers: [real(RS1, 1, 53)] })]);
    opened.push(dp);
    for (let p = 0; p < 1500; p++) {
      dp.simulate(tcpFrame({ src: CLIENT, dst: VIP, sport: 20_000 + p, dport: 80, flags: TCP_SYN, dstMac: DIRECTOR_MAC }), 0);
    }
    for (let p = 0; p < 500; p++) dp.simulate(udpFrame({ src: CLIENT, dst: VIP, sport: 30_000 + p, dport: 53, dstMac: DIRECTOR_MAC }), 0);
    const got = pages(dp, 300);
    assert.ok(got.every((p) => p.length <= 300));
    const all = got.flat();
    assert.equal(all.length, 2000);
    assert.equal(new Set(all.map((e) => `${e.protocol} ${e.clientPort}`)).size, 2000);
    assert.deepEqual(all, dp.connections());
    assert.deepEqual(all.find((e) => e.clientPort === 30_000), {
      protocol: 'udp', clientAddress: CLIENT, clientPort: 30_000, virtualAddress: VIP, virtualPort: 53,
      realAddress: RS1, realPort: 53, state: 'UDP', expiresMs: 300_000, template: false,
    });
  });

  it('looks at a bounded part of the table per call: an empty large table takes several pages', () => {
    const dp = openDataplane({ interface: null, workers: 1, connTableSize: 200_000, mhTableSize: 65537 });
    opened.push(dp);
    // 266,730 slots, 65,536 looked at per call.
    assert.deepEqual(pages(dp), [[], [], [], [], []]);
    assert.throws(() => dp.connectionPage(-1), /cursor/);
    assert.throws(() => dp.connectionPage(0, 0), /1 to 65536 entries/);
  });
});
