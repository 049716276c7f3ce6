// Frames whose headers do not hold together: dropped as malformed, never forwarded, never an
// entry, never counted as a service's bytes.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openDataplane } from '../../src/dataplane';
import { DEFAULT_CONN_POLICY } from '../../src/config/model';
import { zeroDrops } from '../../src/dataplane/types';
import { TCP_SYN, tcpFrame } from './frames';
import { closedAfter, CLIENT, DIRECTOR_MAC, MAC1, VIP, dstMac, openSimulated, real, service } from './helpers';

const VIP6 = '2001:db8::10';
const RS6 = '2001:db8::21';
const CLIENT6 = '2001:db8:1::5';

const track = closedAfter();

const syn = (over = {}) => tcpFrame({ src: CLIENT, dst: VIP, sport: 40000, dport: 80, flags: TCP_SYN, dstMac: DIRECTOR_MAC, ...over });
const IP = 14;
const TCP = IP + 20;

/** Fixes the IPv4 header checksum after a header change, so only the change itself is wrong. */
function reseal(frame: Buffer): Buffer {
  frame.writeUInt16BE(0, IP + 10);
  let acc = 0;
  const ihl = (frame[IP] & 0x0f) * 4;
  for (let i = 0; i < ihl && IP + i + 1 < frame.length; i += 2) acc += frame.readUInt16BE(IP + i);
  while (acc > 0xffff) acc = (acc & 0xffff) + (acc >>> 16);
  frame.writeUInt16BE(~acc & 0xffff, IP + 10);
  return frame;
}

const CASES: Array<[string, () => Buffer]> = [
  ['an IPv4 total length past the end of the frame', () => {
    const f = syn();
    f.writeUInt16BE(f.length - IP + 40, IP + 2);
    return reseal(f);
  }],
  ['an IPv4 total length shorter than its header', () => {
    const f = syn();
    f.writeUInt16BE(12, IP + 2);
    return reseal(f);
  }],
  ['an IHL below 5 words', () => reseal(syn().fill(0x44, IP, IP + 1))],
  ['an IHL past the end of the packet', () => reseal(syn().fill(0x4f, IP, IP + 1))],
  ['a wrong IPv4 header checksum', () => {
    const f = syn();
    f[IP + 10] ^= 0x01;
    return f;
  }],
  ['a TCP data offset below 5 words', () => {
    const f = syn();
    f[TCP + 12] = 4 << 4;
    return f;
  }],
  ['a TCP data offset past the end of the packet', () => {
    const f = syn();
    f[TCP + 12] = 15 << 4;
    return f;
  }],
  ['a TCP header cut short by the IPv4 total length', () => {
    const f = syn();
    f.writeUInt16BE(20 + 12, IP + 2);
    return reseal(f);
  }],
];

describe('malformed frames', () => {
  for (const [what, make] of CASES) {
    it(`drops ${what} as malformed, with no entry and no bytes counted`, () => {
      const dp = track(openSimulated([service({ realServers: [real('198.18.0.21')] })]));
      assert.equal(dp.simulate(make()), null);
      assert.deepEqual(dp.counters().drops, { ...zeroDrops(), malformed: 1 });
      assert.equal(dp.connections().length, 0);
      const [s] = dp.stats();
      assert.deepEqual([s.conns, s.inPackets, s.inBytes], [0, 0, 0]);
      // The same frame made whole again goes through: only the defect was refused.
      assert.equal(dstMac(dp.simulate(syn())), MAC1);
    });
  }

  it('forwards a frame with Ethernet padding after the packet and counts only the packet', () => {
    const dp = track(openSimulated([service({ realServers: [real('198.18.0.21')] })]));
    const f = Buffer.concat([syn(), Buffer.alloc(6)]);
    const out = dp.simulate(f);
    assert.equal(dstMac(out), MAC1);
    assert.equal(out?.length, f.length);
    assert.equal(dp.stats()[0].inBytes, 40);
  });

  it('drops an IPv6 payload length past the end of the frame, and a zero one (jumbogram)', () => {
    const dp = track(openSimulated(
      [service({ address: VIP6, realServers: [real(RS6)] })], { [RS6]: MAC1 },
    ));
    const good = tcpFrame({ src: CLIENT6, dst: VIP6, sport: 40000, dport: 80, flags: TCP_SYN });
    const long = Buffer.from(good);
    long.writeUInt16BE(long.length, IP + 4);
    const jumbo = Buffer.from(good);
    jumbo.writeUInt16BE(0, IP + 4);
    const cut = Buffer.from(good);
    cut[IP + 40 + 12] = 15 << 4;
    for (const f of [long, jumbo, cut]) assert.equal(dp.simulate(f), null);
    assert.equal(dp.counters().drops.malformed, 3);
    assert.equal(dp.connections().length, 0);
    assert.equal(dstMac(dp.simulate(good)), MAC1);
  });

  it('survives every truncation of a valid frame', () => {
    const dp = track(openSimulated([service({ realServers: [real('198.18.0.21')] })]));
    const f = syn();
    for (let n = 0; n < f.length; n++) assert.equal(dp.simulate(f.subarray(0, n)), null);
    assert.equal(dp.connections().length, 0);
    assert.equal(dp.stats()[0].inBytes, 0);
  });
});

describe('drop reasons', () => {
  it('dropped is the sum of every frame reason, without evicted entries', () => {
    const dp = track(openSimulated([service({ realServers: [real('198.18.0.21')] })]));
    const bad = syn();
    bad[IP + 10] ^= 1;
    dp.simulate(bad);
    dp.simulate(tcpFrame({ src: CLIENT, dst: VIP, sport: 41000, dport: 80, flags: 0x10 }));
    const c = dp.counters();
    assert.equal(c.dropped, 2);
    assert.deepEqual(c.drops, { ...zeroDrops(), malformed: 1, noConnection: 1 });
  });
});

describe('a full or filling table (secure_tcp, drop_entry)', () => {
  const flood = (i: number) => tcpFrame({
    src: `198.19.${(i >> 8) & 255}.${i & 255}`, dst: VIP, sport: 1024 + i, dport: 80, flags: TCP_SYN,
  });

  it('a spoofed SYN flood never fills the table past its size, and a real client still gets in', () => {
    const dp = track(openDataplane({ interface: null, workers: 1, connTableSize: 16, mhTableSize: 65537 }));
    dp.apply([service({ realServers: [real('198.18.0.21')] })]);
    dp.setNeighbour('198.18.0.21', MAC1);
    dp.setConnPolicy({ ...DEFAULT_CONN_POLICY, pressureThreshold: 0.5, pressureEmbryonicTimeout: 3 });
    for (let i = 0; i < 200; i++) dp.simulate(flood(i), 1000 + i);
    assert.equal(dp.counters().connections, 16);
    assert.ok(dp.counters().drops.evicted >= 184, `evicted ${dp.counters().drops.evicted}`);
    assert.equal(dp.counters().drops.tableFull, 0);
    // Past the threshold, half-open entries live 3 s, not SYN_RECV's 60 s.
    // Past the threshold, half-open entries live 3 s, not SYN_RECV's 60 s; the oldest go first.
    assert.ok(dp.connections().every((c) => c.expiresMs <= 3000), 'short timeout under pressure');
    // The real client's SYN takes the place of a flood entry; its ACK proves it.
    assert.equal(dstMac(dp.simulate(syn({ sport: 50000 }), 1300)), MAC1);
    assert.equal(dstMac(dp.simulate(tcpFrame({ src: CLIENT, dst: VIP, sport: 50000, dport: 80, flags: 0x10 }), 1301)), MAC1);
    for (let i = 200; i < 400; i++) dp.simulate(flood(i), 1400 + i);
    const mine = dp.connections().find((c) => c.clientPort === 50000);
    assert.equal(mine?.state, 'ESTABLISHED', 'an established connection is never evicted');
    assert.equal(dp.counters().connections, 16);
  });

  it('a table full of established connections refuses the next one as tableFull', () => {
    const dp = track(openDataplane({ interface: null, workers: 1, connTableSize: 16, mhTableSize: 65537 }));
    dp.apply([service({ realServers: [real('198.18.0.21')] })]);
    dp.setNeighbour('198.18.0.21', MAC1);
    for (let i = 0; i < 16; i++) {
      dp.simulate(syn({ sport: 51000 + i }));
      dp.simulate(tcpFrame({ src: CLIENT, dst: VIP, sport: 51000 + i, dport: 80, flags: 0x10 }));
    }
    assert.equal(dp.simulate(syn({ sport: 52000 })), null);
    assert.deepEqual([dp.counters().drops.tableFull, dp.counters().drops.evicted], [1, 0]);
  });
});
