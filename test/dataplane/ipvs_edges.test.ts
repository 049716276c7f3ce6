// IPVS's corner cases, frame in, frame out: ICMP errors about a connection, fragments, a SYN on
// a closing connection (conn_reuse_mode), entries of gone real servers (expire_nodest_conn,
// expire_quiescent_template), and sloppy entries that must prove themselves.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CONN_POLICY, type RealServer } from '../../src/config/model';
import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN, icmpErrorFrame, icmpFrame, ipOf, tcpFrame, udpFragments, udpFrame, withMacs } from './frames';
import { closedAfter, CLIENT, DIRECTOR_MAC, MAC1, MAC2, RS1, RS2, VIP, dstMac, openSimulated, real, service } from './helpers';

const VIP6 = '2001:db8::10';
const RS6A = '2001:db8::21';
const RS6B = '2001:db8::22';
const CLIENT6 = '2001:db8:1::5';
const ROUTER = '198.18.0.254';
const ROUTER6 = '2001:db8::fe';

const track = closedAfter();

const tcp = (sport: number, flags: number, over = {}) =>
  tcpFrame({ src: CLIENT, dst: VIP, sport, dport: 80, flags, dstMac: DIRECTOR_MAC, ...over });
const udp = (sport: number, over = {}) => udpFrame({ src: CLIENT, dst: VIP, sport, dport: 53, dstMac: DIRECTOR_MAC, ...over });
const down = (r: RealServer): RealServer => ({ ...r, weight: 0, down: true });

describe('ICMP errors about a connection go to its real server (ip_vs_in_icmp)', () => {
  it('fragmentation needed, quoting the real server\'s reply, is forwarded unchanged but for the MACs', () => {
    const dp = track(openSimulated([service()]));
    assert.equal(dstMac(dp.simulate(tcp(45000, TCP_SYN))), MAC1);
    assert.equal(dstMac(dp.simulate(tcp(45001, TCP_SYN))), MAC2);
    // A router between the VIP and the client could not pass the real server's reply.
    const reply = ipOf(tcpFrame({ src: VIP, dst: CLIENT, sport: 80, dport: 45001, flags: TCP_ACK, payload: Buffer.alloc(1400) }));
    const err = icmpErrorFrame({ src: ROUTER, dst: VIP, dstMac: DIRECTOR_MAC, type: 3, code: 4, mtu: 1280, quoted: reply });
    const out = dp.simulate(err);
    assert.deepEqual(out, withMacs(err, MAC2, dp.mac));
    assert.equal(dp.stats()[0].realServers[1].inPackets, 2, 'counted for the connection\'s real server');
    // Time exceeded about the other connection goes to the other real server.
    const other = ipOf(tcpFrame({ src: VIP, dst: CLIENT, sport: 80, dport: 45000, flags: TCP_ACK }));
    assert.equal(dstMac(dp.simulate(icmpErrorFrame({ src: ROUTER, dst: VIP, type: 11, code: 0, quoted: other }))), MAC1);
  });

  it('ICMPv6 packet too big and destination unreachable reach the IPv6 connection\'s real server', () => {
    const dp = track(openSimulated(
      [service({ address: VIP6, realServers: [real(RS6A), real(RS6B)] })], { [RS6A]: MAC1, [RS6B]: MAC2 },
    ));
    const syn6 = (sport: number) => tcpFrame({ src: CLIENT6, dst: VIP6, sport, dport: 80, flags: TCP_SYN });
    assert.equal(dstMac(dp.simulate(syn6(45100))), MAC1);
    assert.equal(dstMac(dp.simulate(syn6(45101))), MAC2);
    const reply = ipOf(tcpFrame({ src: VIP6, dst: CLIENT6, sport: 80, dport: 45101, flags: TCP_ACK, payload: Buffer.alloc(600) }));
    const ptb = icmpErrorFrame({ src: ROUTER6, dst: VIP6, type: 2, code: 0, mtu: 1280, quoted: reply });
    assert.deepEqual(dp.simulate(ptb), withMacs(ptb, MAC2, dp.mac));
    const unreach = icmpErrorFrame({
      src: ROUTER6, dst: VIP6, type: 1, code: 4,
      quoted: ipOf(tcpFrame({ src: VIP6, dst: CLIENT6, sport: 80, dport: 45100, flags: TCP_ACK })),
    });
    assert.equal(dstMac(dp.simulate(unreach)), MAC1);
  });

  it('an ICMP error about no connection of ours is dropped and counted; one with a bad checksum is malformed', () => {
    const dp = track(openSimulated([service()]));
    const quoted = ipOf(tcpFrame({ src: VIP, dst: CLIENT, sport: 80, dport: 45999, flags: TCP_ACK }));
    assert.equal(dp.simulate(icmpErrorFrame({ src: ROUTER, dst: VIP, type: 3, code: 4, quoted })), null);
    assert.equal(dp.counters().drops.icmpUnmatched, 1);
    dp.simulate(tcp(45999, TCP_SYN));
    const bad = icmpErrorFrame({ src: ROUTER, dst: VIP, type: 3, code: 4, quoted });
    bad[bad.length - 1] ^= 0xff;
    assert.equal(dp.simulate(bad), null);
    assert.equal(dp.counters().drops.malformed, 1);
  });

  it('echo to a VIP is handed up within its per-second budget; the rest is dropped and counted', async () => {
    const dp = track(openSimulated([service()]));
    dp.setConnPolicy({ ...DEFAULT_CONN_POLICY, icmpEchoPerSecond: 3 });
    const handed: Buffer[] = [];
    const all = new Promise<void>((resolve) => dp.onControlFrames((frames) => {
      handed.push(...frames);
      if (handed.length === 4) resolve();
    }));
    const echo = icmpFrame({ src: CLIENT, dst: VIP });
    for (let i = 0; i < 5; i++) dp.simulate(echo, 10_000);
    assert.equal(dp.counters().drops.echoRateLimited, 2);
    dp.simulate(echo, 11_000);
    await all;
    assert.equal(handed.length, 4);
    assert.equal(dp.counters().drops.echoRateLimited, 2, 'a new second has a new budget');
  });
});

describe('fragments of a datagram all reach one real server', () => {
  for (const [family, vip, client, reals, neighbours] of [
    ['IPv4', VIP, CLIENT, [real(RS1, 1, 53), real(RS2, 1, 53)], undefined],
    ['IPv6', VIP6, CLIENT6, [real(RS6A, 1, 53), real(RS6B, 1, 53)], { [RS6A]: MAC1, [RS6B]: MAC2 }],
  ] as const) {
    it(`${family}: later fragments follow the first; one whose first was never seen is dropped`, () => {
      const dp = track(openSimulated([service({ protocol: 'udp', address: vip, port: 53, realServers: [...reals] })], neighbours));
      const a = udpFragments({ src: client, dst: vip, sport: 5353, dport: 53, id: 7, payloadLength: 3000, chunk: 1232 });
      const b = udpFragments({ src: client, dst: vip, sport: 5354, dport: 53, id: 8, payloadLength: 3000, chunk: 1232 });
      assert.equal(a.length, 3);
      const macsA = a.map((f) => dstMac(dp.simulate(f)));
      const macsB = b.map((f) => dstMac(dp.simulate(f)));
      assert.deepEqual(macsA, [MAC1, MAC1, MAC1]);
      assert.deepEqual(macsB, [MAC2, MAC2, MAC2]);
      // Fragments go out as they came: only the MACs change.
      assert.deepEqual(dp.simulate(a[1]), withMacs(a[1], MAC1, dp.mac));
      const stray = udpFragments({ src: client, dst: vip, sport: 5355, dport: 53, id: 9, payloadLength: 3000, chunk: 1232 });
      assert.equal(dp.simulate(stray[2]), null);
      assert.equal(dp.counters().drops.fragmentUnknown, 1);
      const [s] = dp.stats();
      assert.equal(s.conns, 2, 'one connection per datagram\'s flow');
      assert.equal(s.inPackets, 7);
    });
  }
});

describe('a SYN on a connection that has ended starts a new one (conn_reuse_mode)', () => {
  for (const [state, close] of [
    ['FIN_WAIT', TCP_FIN | TCP_ACK], ['CLOSE', TCP_RST],
  ] as const) {
    it(`from ${state}: scheduled afresh and counted`, () => {
      const dp = track(openSimulated([service()]));
      assert.equal(dstMac(dp.simulate(tcp(46000, TCP_SYN), 0)), MAC1);
      dp.simulate(tcp(46000, TCP_ACK), 1);
      dp.simulate(tcp(46000, close), 2);
      assert.equal(dp.connections()[0].state, state);
      assert.equal(dstMac(dp.simulate(tcp(46000, TCP_SYN), 3)), MAC2, 'rr moves on to the next real server');
      const [s] = dp.stats();
      assert.equal(s.conns, 2);
      assert.deepEqual(s.realServers.map((r) => r.conns), [1, 1]);
      assert.deepEqual(s.realServers.map((r) => r.inactiveConns + r.activeConns), [0, 1]);
      assert.equal(dp.connections()[0].state, 'SYN_RECV');
    });
  }

  it('a SYN retransmitted on a live connection stays on it, uncounted', () => {
    const dp = track(openSimulated([service()]));
    dp.simulate(tcp(46100, TCP_SYN));
    assert.equal(dstMac(dp.simulate(tcp(46100, TCP_SYN))), MAC1);
    assert.equal(dp.stats()[0].conns, 1);
  });

  it('under a persistence template the new connection keeps the template\'s real server', () => {
    const dp = track(openSimulated([service({ persistence: { timeout: 300, netmask: '255.255.255.255' } })]));
    dp.simulate(tcp(46200, TCP_SYN), 0);
    dp.simulate(tcp(46200, TCP_FIN | TCP_ACK), 1);
    assert.equal(dstMac(dp.simulate(tcp(46200, TCP_SYN), 2)), MAC1);
  });
});

describe('entries of a real server that is gone (expire_nodest_conn, expire_quiescent_template)', () => {
  it('UDP: a removed or Down real server\'s client moves to a live one on its next datagram', () => {
    const svc = (reals: RealServer[]) => service({ protocol: 'udp', port: 53, realServers: reals });
    const dp = track(openSimulated([svc([real(RS1, 1, 53), real(RS2, 1, 53)])]));
    assert.equal(dstMac(dp.simulate(udp(5000))), MAC1);
    dp.apply([svc([real(RS2, 1, 53)])]);
    assert.equal(dstMac(dp.simulate(udp(5000))), MAC2, 'removed: rescheduled');
    dp.apply([svc([real(RS1, 1, 53), down(real(RS2, 1, 53))])]);
    assert.equal(dstMac(dp.simulate(udp(5000))), MAC1, 'held Down: rescheduled');
    assert.equal(dp.stats()[0].conns, 3);
    assert.equal(dp.connections().length, 1);
  });

  it('UDP on a quiescent (weight 0) real server stays, as IPVS keeps it', () => {
    const svc = (w: number) => service({ protocol: 'udp', port: 53, realServers: [real(RS1, w, 53), real(RS2, 1, 53)] });
    const dp = track(openSimulated([svc(1)]));
    assert.equal(dstMac(dp.simulate(udp(5001))), MAC1);
    dp.apply([svc(0)]);
    assert.equal(dstMac(dp.simulate(udp(5001))), MAC1);
  });

  it('TCP stays by default and expires with expireNodestConn: all', () => {
    const dp = track(openSimulated([service()]));
    dp.simulate(tcp(47000, TCP_SYN));
    dp.apply([service({ realServers: [down(real(RS1)), real(RS2)] })]);
    assert.equal(dstMac(dp.simulate(tcp(47000, TCP_ACK))), MAC1);
    dp.setConnPolicy({ ...DEFAULT_CONN_POLICY, expireNodestConn: 'all' });
    assert.equal(dp.simulate(tcp(47000, TCP_ACK)), null);
    assert.equal(dp.counters().drops.noConnection, 1);
    assert.equal(dstMac(dp.simulate(tcp(47000, TCP_SYN))), MAC2, 'the client\'s next SYN gets a live real server');
  });

  it('a template to a Down real server is rebound; to a quiescent one only with expireQuiescentTemplate', () => {
    const persistent = (reals: RealServer[]) => service({ persistence: { timeout: 300, netmask: '255.255.255.255' }, realServers: reals });
    const dp = track(openSimulated([persistent([real(RS1), real(RS2)])]));
    assert.equal(dstMac(dp.simulate(tcp(48000, TCP_SYN))), MAC1);
    dp.apply([persistent([real(RS1, 0), real(RS2)])]);
    assert.equal(dstMac(dp.simulate(tcp(48001, TCP_SYN))), MAC1, 'quiescent keeps its persistent clients');
    dp.setConnPolicy({ ...DEFAULT_CONN_POLICY, expireQuiescentTemplate: true });
    assert.equal(dstMac(dp.simulate(tcp(48002, TCP_SYN))), MAC2);
    dp.setConnPolicy(DEFAULT_CONN_POLICY);
    dp.apply([persistent([real(RS1), down(real(RS2))])]);
    assert.equal(dstMac(dp.simulate(tcp(48003, TCP_SYN))), MAC1, 'Down: the template is rebound');
    const tpl = dp.connections().filter((c) => c.template);
    assert.deepEqual(tpl.map((c) => c.realAddress), [RS1]);
  });
});

describe('a sloppy entry must prove itself', () => {
  it('a bare ACK makes a half-open-length entry; the second packet gives it the established timeout', () => {
    const dp = track(openSimulated([service({ scheduler: 'mh', sloppy: true })]));
    assert.ok(dp.simulate(tcp(49000, TCP_ACK), 0));
    let [c] = dp.connections();
    assert.equal(c.state, 'ESTABLISHED');
    assert.ok(c.expiresMs <= 60_000, `one ACK holds an entry ${c.expiresMs} ms`);
    dp.simulate(tcp(49000, TCP_ACK), 1000);
    [c] = dp.connections();
    assert.equal(c.expiresMs, 900_000);
  });
});
