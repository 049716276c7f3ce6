import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openDataplane } from '../../src/dataplane';
import { zeroDrops } from '../../src/dataplane/types';
import { TCP_ACK, TCP_FIN, TCP_PSH, TCP_SYN, arpRequest, icmpFrame, tcpFrame, udpFrame, withMacs } from './frames';
import { closedAfter, CLIENT, DIRECTOR_MAC, MAC1, MAC2, RS1, RS2, VIP, dstMac, openSimulated, real, service } from './helpers';

const track = closedAfter();

const syn = (sport: number, over = {}) =>
  tcpFrame({ src: CLIENT, dst: VIP, sport, dport: 80, flags: TCP_SYN, dstMac: DIRECTOR_MAC, ...over });
const ack = (sport: number, over = {}) =>
  tcpFrame({ src: CLIENT, dst: VIP, sport, dport: 80, flags: TCP_ACK, dstMac: DIRECTOR_MAC, ...over });

describe('dataplane forwarding (direct routing)', () => {
  it('rewrites only the two MACs of a SYN to the VIP', () => {
    const dp = track(openSimulated([service({ realServers: [real(RS1)] })]));
    const frame = syn(40001);
    const out = dp.simulate(frame);
    assert.ok(out);
    assert.deepEqual(out, withMacs(frame, MAC1, dp.mac));
    assert.equal(dp.mac, '00:00:00:00:00:00');
    const [c] = dp.connections();
    assert.equal(c.state, 'SYN_RECV');
    assert.equal(c.clientAddress, CLIENT);
    assert.equal(c.clientPort, 40001);
    assert.equal(c.realAddress, RS1);
    assert.equal(c.template, false);
  });

  it('drops a TCP ACK that has no connection entry', () => {
    const dp = track(openSimulated([service()]));
    assert.equal(dp.simulate(ack(40002)), null);
    assert.equal(dp.counters().dropped, 1);
    assert.equal(dp.connections().length, 0);
  });

  it('schedules a mid-flow ACK on a sloppy service', () => {
    const dp = track(openSimulated([service({ sloppy: true })]));
    const out = dp.simulate(ack(40003));
    assert.equal(dstMac(out), MAC1);
    assert.equal(dp.connections()[0].state, 'ESTABLISHED');
    assert.equal(dp.stats()[0].realServers[0].activeConns, 1);
  });

  it('keeps an established flow on its real server while new flows rotate', () => {
    const dp = track(openSimulated([service()]));
    assert.equal(dstMac(dp.simulate(syn(41000))), MAC1);
    assert.equal(dstMac(dp.simulate(syn(41001))), MAC2);
    for (let i = 0; i < 3; i++) {
      assert.equal(dstMac(dp.simulate(ack(41000, { flags: TCP_ACK | TCP_PSH, payload: Buffer.from('GET /') }))), MAC1);
    }
    const [s] = dp.stats();
    const r1 = s.realServers.find((r) => r.address === RS1)!;
    const r2 = s.realServers.find((r) => r.address === RS2)!;
    assert.deepEqual([r1.activeConns, r1.inactiveConns, r1.conns, r1.inPackets], [1, 0, 1, 4]);
    assert.deepEqual([r2.activeConns, r2.inactiveConns, r2.conns, r2.inPackets], [0, 1, 1, 1]);
    assert.equal(s.conns, 2);
    assert.equal(s.inPackets, 5);
    assert.equal(s.outPackets, 0);
    // inBytes counts IP packets as IPVS does: 40 bytes per bare segment, 45 with "GET /".
    assert.equal(s.inBytes, 2 * 40 + 3 * 45);
  });

  it('forwards UDP and lists it with state UDP', () => {
    const dp = track(openSimulated([service({ protocol: 'udp', port: 53 })]));
    const frame = udpFrame({ src: CLIENT, dst: VIP, sport: 5353, dport: 53 });
    assert.deepEqual(dp.simulate(frame, 7_000), withMacs(frame, MAC1, dp.mac));
    const [c] = dp.connections();
    assert.equal(c.protocol, 'udp');
    assert.equal(c.state, 'UDP');
    assert.equal(c.expiresMs, 300_000);
    assert.equal(dp.stats()[0].realServers[0].inactiveConns, 1);
  });

  it('forwards an 802.1Q-tagged frame', () => {
    const dp = track(openSimulated([service({ realServers: [real(RS2)] })]));
    const frame = syn(41100, { vlan: 7 });
    assert.deepEqual(dp.simulate(frame), withMacs(frame, MAC2, dp.mac));
  });

  it('forwards an IPv6 service', () => {
    const v6 = '2001:db8::10';
    const rs = '2001:db8::21';
    const dp = track(openSimulated([service({ address: v6, realServers: [real(rs)] })], { [rs]: MAC2 }));
    const frame = tcpFrame({ src: '2001:db8:1::5', dst: v6, sport: 42000, dport: 80, flags: TCP_SYN });
    assert.deepEqual(dp.simulate(frame), withMacs(frame, MAC2, dp.mac));
    const [c] = dp.connections();
    assert.equal(c.virtualAddress, v6);
    assert.equal(c.clientAddress, '2001:db8:1::5');
    assert.equal(c.realAddress, rs);
    assert.equal(dp.stats()[0].address, v6);
  });

  it('port-0 persistence sends every port of one client to one real server', () => {
    const dp = track(openSimulated([service({ port: 0, persistence: { timeout: 600, netmask: '255.255.255.255' } })]));
    const first = dstMac(dp.simulate(syn(43000, { dport: 80 }), 5_000));
    const second = dstMac(dp.simulate(syn(43001, { dport: 443 }), 5_000));
    assert.equal(first, MAC1);
    assert.equal(second, MAC1);
    // Another client gets a template of its own and rr moves on.
    assert.equal(dstMac(dp.simulate(syn(43002, { src: '198.18.1.6' }), 5_000)), MAC2);
    const tpl = dp.connections().filter((c) => c.template);
    assert.equal(tpl.length, 2);
    const mine = tpl.find((c) => c.clientAddress === CLIENT)!;
    assert.deepEqual(
      { state: mine.state, clientPort: mine.clientPort, virtualPort: mine.virtualPort, realAddress: mine.realAddress, expiresMs: mine.expiresMs },
      { state: 'NONE', clientPort: 0, virtualPort: 0, realAddress: RS1, expiresMs: 600_000 },
    );
    const flows = dp.connections().filter((c) => !c.template && c.clientAddress === CLIENT);
    assert.deepEqual(flows.map((c) => c.realPort).sort(), [443, 80]);
    const r1 = dp.stats()[0].realServers.find((r) => r.address === RS1)!;
    assert.equal(r1.persistentConns, 1);
    assert.equal(r1.inactiveConns, 2);
  });

  it('persistence with a netmask groups clients of one subnet', () => {
    const dp = track(openSimulated([service({ persistence: { timeout: 300, netmask: '255.255.255.0' } })]));
    assert.equal(dstMac(dp.simulate(syn(44000, { src: '198.18.1.7' }))), MAC1);
    assert.equal(dstMac(dp.simulate(syn(44001, { src: '198.18.1.8' }))), MAC1);
    const [tpl] = dp.connections().filter((c) => c.template);
    assert.equal(tpl.clientAddress, '198.18.1.0');
    assert.equal(tpl.virtualPort, 80);
  });

  it('weight 0 stops new connections while an existing flow continues', () => {
    const dp = track(openSimulated([service({ realServers: [real(RS1)] })]));
    assert.equal(dstMac(dp.simulate(syn(45000))), MAC1);
    dp.apply([service({ realServers: [real(RS1, 0)] })]);
    assert.equal(dp.simulate(syn(45001)), null);
    assert.equal(dstMac(dp.simulate(ack(45000))), MAC1);
    const [s] = dp.stats();
    assert.equal(s.realServers[0].activeConns, 1);
    assert.equal(s.conns, 1, 'service counters survive apply()');
  });

  it("a removed real server's flow continues until it expires", () => {
    const dp = track(openSimulated([service()]));
    assert.equal(dstMac(dp.simulate(syn(46000))), MAC1);
    dp.apply([service({ realServers: [real(RS2)] })]);
    assert.equal(dstMac(dp.simulate(ack(46000))), MAC1);
    assert.equal(dstMac(dp.simulate(syn(46001))), MAC2);
    assert.deepEqual(dp.stats()[0].realServers.map((r) => r.address), [RS2]);
    assert.equal(dp.connections().find((c) => c.clientPort === 46000)?.realAddress, RS1);
  });

  it('an unresolved MAC blocks new connections until setNeighbour()', () => {
    const dp = track(openSimulated([service({ realServers: [real(RS1)] })], {}));
    assert.equal(dp.simulate(syn(47000)), null);
    assert.equal(dp.stats()[0].realServers[0].macResolved, false);
    assert.equal(dp.counters().drops.noRealServer, 1, 'no real server with a known MAC can take it');
    dp.setNeighbour(RS1, MAC1);
    assert.equal(dp.stats()[0].realServers[0].macResolved, true);
    assert.equal(dstMac(dp.simulate(syn(47001))), MAC1);
    dp.setNeighbour(RS1, '02:00:00:00:09:09');
    assert.equal(dstMac(dp.simulate(ack(47001))), '02:00:00:00:09:09', 'a changed MAC applies to existing entries');
  });

  it('an unanswered re-confirmation keeps established flows on the last MAC; new ones avoid it', () => {
    const dp = track(openSimulated([service({ realServers: [real(RS1)] })]));
    assert.equal(dstMac(dp.simulate(syn(47100))), MAC1);
    dp.setNeighbour(RS1, null);
    assert.equal(dp.stats()[0].realServers[0].macResolved, false);
    assert.equal(dstMac(dp.simulate(ack(47100))), MAC1);
    assert.equal(dp.simulate(syn(47101)), null);
    assert.equal(dp.counters().drops.noRealServer, 1);
    assert.equal(dp.counters().drops.macUnknown, 0);
  });
});

describe('dataplane timeouts and TCP states', () => {
  it('expires UDP entries after 300 s', () => {
    const dp = track(openSimulated([service({ protocol: 'udp', port: 53 })]));
    const other = udpFrame({ src: CLIENT, dst: '198.18.0.99', sport: 1, dport: 53 });
    dp.simulate(udpFrame({ src: CLIENT, dst: VIP, sport: 5000, dport: 53 }), 1_000);
    dp.simulate(other, 300_500);
    assert.equal(dp.connections().length, 1);
    assert.equal(dp.connections()[0].expiresMs, 500);
    dp.simulate(other, 301_000);
    assert.equal(dp.connections().length, 0);
    assert.equal(dp.counters().connections, 0);
    assert.equal(dp.stats()[0].realServers[0].inactiveConns, 0);
  });

  it('uses the tcp timeout from setTimeouts() for established flows', () => {
    const dp = track(openSimulated([service()]));
    dp.setTimeouts({ tcp: 50, tcpfin: 20, udp: 0 });
    dp.simulate(syn(48000), 0);
    dp.simulate(ack(48000), 10);
    const [c] = dp.connections();
    assert.equal(c.state, 'ESTABLISHED');
    assert.equal(c.expiresMs, 50_000);
    assert.equal(dp.stats()[0].realServers[0].activeConns, 1);
    const other = tcpFrame({ src: CLIENT, dst: '198.18.0.99', flags: TCP_SYN });
    dp.simulate(other, 50_009);
    assert.equal(dp.connections().length, 1);
    dp.simulate(other, 50_010);
    assert.equal(dp.connections().length, 0);
    assert.equal(dp.stats()[0].realServers[0].activeConns, 0);
  });

  it('a FIN moves the flow to FIN_WAIT with the tcpfin timeout and makes it inactive', () => {
    const dp = track(openSimulated([service()]));
    dp.setTimeouts({ tcp: 0, tcpfin: 30, udp: 0 });
    dp.simulate(syn(49000), 0);
    dp.simulate(ack(49000), 1);
    assert.equal(dp.connections()[0].expiresMs, 900_000 - 0, 'tcp 0 keeps IPVS default 900 s');
    dp.simulate(ack(49000, { flags: TCP_FIN | TCP_ACK }), 1000);
    const [c] = dp.connections();
    assert.equal(c.state, 'FIN_WAIT');
    assert.equal(c.expiresMs, 30_000);
    const r = dp.stats()[0].realServers[0];
    assert.deepEqual([r.activeConns, r.inactiveConns], [0, 1]);
  });
});

describe('dataplane counters and control frames', () => {
  it('counts rx, tx, ignored and dropped frames', () => {
    const dp = track(openSimulated([service()]));
    dp.simulate(syn(50000));
    dp.simulate(ack(50001));
    dp.simulate(tcpFrame({ src: CLIENT, dst: '198.18.0.99', flags: TCP_SYN }));
    dp.simulate(tcpFrame({ src: CLIENT, dst: VIP, dport: 81, flags: TCP_SYN }));
    dp.simulate(icmpFrame({ src: CLIENT, dst: '198.18.0.99' }));
    assert.deepEqual(dp.counters(), {
      rxPackets: 5, txPackets: 1, ignored: 3, dropped: 1, connections: 1, connTableSize: 4096,
      drops: { ...zeroDrops(), noConnection: 1 },
    });
  });

  it('zero() clears one service or all', () => {
    const dp = track(openSimulated([service(), service({ port: 443 })]));
    dp.simulate(syn(51000));
    dp.simulate(syn(51001, { dport: 443 }));
    dp.zero({ protocol: 'tcp', address: VIP, port: 443 });
    let [a, b] = dp.stats();
    assert.deepEqual([a.conns, a.inPackets, b.conns, b.inPackets], [1, 1, 0, 0]);
    assert.equal(b.realServers.reduce((n, r) => n + r.conns, 0), 0);
    dp.zero();
    [a] = dp.stats();
    assert.deepEqual([a.conns, a.inPackets, a.inBytes], [0, 0, 0]);
    assert.equal(a.realServers[0].inactiveConns, 1, 'zero() leaves connection counts alone');
  });

  it('hands ARP and ICMP to a VIP to onControlFrames, not to the forwarder', async () => {
    const dp = track(openSimulated([service()]));
    const got: Buffer[] = [];
    const delivered = new Promise<void>((resolve) => {
      dp.onControlFrames((frames) => {
        got.push(...frames);
        if (got.length >= 3) resolve();
      });
    });
    const arp = arpRequest('02:00:00:00:00:99', CLIENT, VIP);
    const echo = icmpFrame({ src: CLIENT, dst: VIP });
    const ns = icmpFrame({ src: 'fe80::1', dst: 'ff02::1:ff00:10', icmpType: 135 });
    assert.equal(dp.simulate(arp), null);
    assert.equal(dp.simulate(echo), null);
    assert.equal(dp.simulate(ns), null);
    await delivered;
    assert.deepEqual(got, [arp, echo, ns]);
    assert.equal(dp.counters().ignored, 0);
  });

  it('rejects bad input with one clear error and changes nothing', () => {
    const dp = track(openSimulated([service()]));
    assert.throws(() => dp.apply([service({ scheduler: 'xx' as never })]), /unknown scheduler "xx"/);
    assert.throws(() => dp.apply([service({ port: 0 })]), /port 0, which is only valid with persistence/);
    assert.throws(() => dp.apply([service(), service()]), /listed twice/);
    assert.throws(() => dp.setNeighbour('nope', MAC1), TypeError);
    assert.throws(() => dp.setNeighbour(RS1, '02:00:00'), /aa:bb:cc:dd:ee:ff/);
    assert.equal(dp.stats().length, 1);
    assert.equal(dstMac(dp.simulate(syn(52000))), MAC1);
    assert.throws(
      () => openDataplane({ interface: null, workers: 1, connTableSize: 4096, mhTableSize: 65536 }),
      /is not a prime/,
    );
  });
});
