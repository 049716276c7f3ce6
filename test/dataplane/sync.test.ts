// Connection sync from the per-packet path, checked byte for byte against IPVS sync v1 messages
// built by hand (sync_bytes.ts), and installing peers' messages (the failover property).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Dataplane, SyncOptions } from '../../src/dataplane';
import { flushSync } from '../../src/dataplane';
import { TCP_ACK, TCP_FIN, TCP_PSH, TCP_SYN, tcpFrame, udpFrame, withMacs } from './frames';
import { closedAfter, CLIENT, DIRECTOR_MAC, MAC1, MAC2, RS1, RS2, VIP, dstMac, openSimulated, real, service } from './helpers';
import {
  F_DROUTE, F_INACTIVE, F_NOOUTPUT, F_TEMPLATE, S_ESTABLISHED, S_FIN_WAIT, S_SYN_RECV,
  recordsOf, syncMessage, syncRecord,
} from './sync_bytes';

const SYNC: SyncOptions = { syncId: 7, maxMessageSize: 1472, flushDelayMs: 1000, threshold: 3, period: 50 };

const track = closedAfter();

/** A simulated dataplane with sync configured; `sent` collects every message it hands up. */
function director(services = [service()], sync: Partial<SyncOptions> = {}) {
  const dp = openSimulated(services);
  track(dp);
  dp.configureSync({ ...SYNC, ...sync });
  // Puts the dataplane on the simulate() clock at 0, so expiries read back exactly.
  dp.simulate(udpFrame({ src: CLIENT, dst: '198.18.0.250', dstMac: DIRECTOR_MAC }), 0);
  const sent: Buffer[] = [];
  dp.onSyncMessages((messages) => sent.push(...messages));
  const take = (): Buffer[] => {
    flushSync(dp);
    return sent.splice(0);
  };
  return { dp, take };
}

const tcp = (sport: number, flags: number, over = {}) =>
  tcpFrame({ src: CLIENT, dst: VIP, sport, dport: 80, flags, dstMac: DIRECTOR_MAC, ...over });

describe('sync messages from the fast path (IPVS v1)', () => {
  it('sends a new connection as a v1 message equal to the hand-built bytes', () => {
    const { dp, take } = director([service({ realServers: [real(RS1)] })]);
    assert.ok(dp.simulate(tcp(40001, TCP_SYN), 1000));
    const messages = take();
    assert.equal(messages.length, 1);
    // Header {reserved 0, syncid 7, size 44, nr_conns 1, version 1, spare 0}, then one record:
    // type 0 (IPv4), tcp, ver_size 36, flags DROUTE|NOOUTPUT|INACTIVE, state 3 (SYN_RECV),
    // cport 40001, vport 80, dport 80, fwmark 0, timeout 60 s, caddr, vaddr, daddr.
    assert.equal(
      messages[0].toString('hex'),
      '0007002c01010000' +
        '00060024' + '00000183' + '00039c41' + '00500050' + '00000000' + '0000003c' +
        'c6120105' + 'c612000a' + 'c6120015',
    );
    assert.deepEqual(messages[0], syncMessage(7, [syncRecord({
      flags: F_DROUTE | F_NOOUTPUT | F_INACTIVE, state: S_SYN_RECV, cport: 40001, vport: 80, dport: 80,
      timeout: 60, caddr: CLIENT, vaddr: VIP, daddr: RS1,
    })]));
  });

  it('sends every TCP state change with its new flags, state and timeout', () => {
    const { dp, take } = director([service({ realServers: [real(RS1)] })]);
    dp.simulate(tcp(40002, TCP_SYN), 0);
    take();
    dp.simulate(tcp(40002, TCP_ACK), 10);
    const established = syncRecord({
      flags: F_DROUTE | F_NOOUTPUT, state: S_ESTABLISHED, cport: 40002, vport: 80, dport: 80,
      timeout: 900, caddr: CLIENT, vaddr: VIP, daddr: RS1,
    });
    assert.deepEqual(take(), [syncMessage(7, [established])]);
    dp.simulate(tcp(40002, TCP_FIN | TCP_ACK), 20);
    const finWait = syncRecord({
      flags: F_DROUTE | F_NOOUTPUT | F_INACTIVE, state: S_FIN_WAIT, cport: 40002, vport: 80, dport: 80,
      timeout: 120, caddr: CLIENT, vaddr: VIP, daddr: RS1,
    });
    assert.deepEqual(take(), [syncMessage(7, [finWait])]);
  });

  it('sends an IPv6 connection as a 72-byte record of type 1', () => {
    const vip6 = '2001:db8::10';
    const client6 = '2001:db8:1::5';
    const rs6 = '2001:db8::21';
    const dp = openSimulated(
      [service({ address: vip6, realServers: [real(rs6)] })],
      { [rs6]: MAC1 },
    );
    track(dp);
    dp.configureSync(SYNC);
    const sent: Buffer[] = [];
    dp.onSyncMessages((m) => sent.push(...m));
    assert.ok(dp.simulate(tcpFrame({ src: client6, dst: vip6, sport: 40003, dport: 80, flags: TCP_SYN, dstMac: DIRECTOR_MAC }), 0));
    flushSync(dp);
    assert.equal(sent.length, 1);
    const [rec] = recordsOf(sent[0]);
    assert.equal(rec.length, 72);
    assert.equal(rec[0], 1);
    assert.equal(sent[0].readUInt16BE(2), 80);
    assert.deepEqual(sent[0], syncMessage(7, [syncRecord({
      flags: F_DROUTE | F_NOOUTPUT | F_INACTIVE, state: S_SYN_RECV, cport: 40003, vport: 80, dport: 80,
      timeout: 60, caddr: client6, vaddr: vip6, daddr: rs6,
    })]));
  });

  it('sends the persistence template along with the connection it controls', () => {
    const { dp, take } = director([
      service({ realServers: [real(RS1)], persistence: { timeout: 300, netmask: '255.255.255.0' } }),
    ]);
    dp.simulate(tcp(40004, TCP_SYN), 0);
    const conn = syncRecord({
      flags: F_DROUTE | F_NOOUTPUT | F_INACTIVE, state: S_SYN_RECV, cport: 40004, vport: 80, dport: 80,
      timeout: 60, caddr: CLIENT, vaddr: VIP, daddr: RS1,
    });
    // The template: client masked to its /24, client port 0, state 0, the persistence timeout.
    const template = syncRecord({
      flags: F_TEMPLATE | F_DROUTE | F_NOOUTPUT | F_INACTIVE, state: 0, cport: 0, vport: 80, dport: 80,
      timeout: 300, caddr: '198.18.1.0', vaddr: VIP, daddr: RS1,
    });
    assert.deepEqual(take(), [syncMessage(7, [conn, template])]);
  });

  it('sends a UDP flow with state 0 at creation, at packet threshold, then every period', () => {
    const { dp, take } = director([service({ protocol: 'udp', port: 53, realServers: [real(RS1, 1, 53)] })], { threshold: 3, period: 5 });
    const counts: number[] = [];
    for (let n = 1; n <= 14; n++) {
      dp.simulate(udpFrame({ src: CLIENT, dst: VIP, sport: 5353, dport: 53, dstMac: DIRECTOR_MAC }), n);
      counts.push(take().reduce((sum, m) => sum + m[4], 0));
    }
    // Packet 1 creates it; then pkts % period == threshold: 3, 8, 13.
    assert.deepEqual(counts, [1, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0]);
  });

  it('syncs an established TCP flow only at the threshold when the period is 0', () => {
    const { dp, take } = director([service({ realServers: [real(RS1)] })], { threshold: 4, period: 0 });
    const counts: number[] = [];
    dp.simulate(tcp(40005, TCP_SYN), 0);
    counts.push(take().length);
    for (let n = 2; n <= 9; n++) {
      dp.simulate(tcp(40005, TCP_ACK | TCP_PSH, { payload: Buffer.from('x') }), n);
      counts.push(take().length);
    }
    // 1: created; 2: SYN_RECV -> ESTABLISHED; 4: threshold. Nothing else.
    assert.deepEqual(counts, [1, 1, 0, 1, 0, 0, 0, 0, 0]);
  });

  it('batches records up to maxMessageSize and 255 records per message', () => {
    const { dp, take } = director([service()], { maxMessageSize: 8 + 4 * 36 });
    for (let i = 0; i < 10; i++) dp.simulate(tcp(41000 + i, TCP_SYN), 0);
    const messages = take();
    assert.deepEqual(messages.map((m) => m[4]), [4, 4, 2]);
    for (const m of messages) {
      assert.ok(m.length <= 152);
      assert.equal(m.readUInt16BE(2), m.length);
    }
    const ports = messages.flatMap(recordsOf).map((r) => r.readUInt16BE(10));
    assert.deepEqual(ports, Array.from({ length: 10 }, (_, i) => 41000 + i));

    const big = director([service()], { maxMessageSize: 65507 });
    for (let i = 0; i < 300; i++) big.dp.simulate(tcp(10000 + i, TCP_SYN), 0);
    assert.deepEqual(big.take().map((m) => m[4]), [255, 45]);
  });

  it('seals a partly filled message once the flush delay has passed on the simulate() clock', () => {
    const { dp, take } = director([service()], { flushDelayMs: 100 });
    dp.simulate(tcp(42000, TCP_SYN), 1000);
    dp.simulate(tcp(42001, TCP_SYN), 1099);
    dp.simulate(tcp(42002, TCP_SYN), 1100); // joins the message, which is then due
    dp.simulate(tcp(42003, TCP_SYN), 1101); // starts the next one
    assert.deepEqual(take().map((m) => m[4]), [3, 1]);
  });

  it('hands sealed messages to every onSyncMessages handler without flushSync()', async () => {
    const { dp } = director([service()], { flushDelayMs: 0 });
    const second = new Promise<Buffer[]>((resolve) => dp.onSyncMessages(resolve));
    dp.simulate(tcp(42100, TCP_SYN), 5);
    const got = await second;
    assert.equal(got.length, 1);
    assert.equal(recordsOf(got[0])[0].readUInt16BE(10), 42100);
  });

  it('queues nothing before configureSync()', () => {
    const dp = openSimulated([service()]);
    track(dp);
    const sent: Buffer[] = [];
    dp.onSyncMessages((m) => sent.push(...m));
    dp.simulate(tcp(42200, TCP_SYN), 0);
    dp.configureSync(SYNC);
    flushSync(dp);
    assert.deepEqual(sent, []);
  });

  it('refuses bad sync options with one sentence', () => {
    const dp = openSimulated([service()]);
    track(dp);
    assert.throws(() => dp.configureSync({ ...SYNC, syncId: 256 }), /syncId must be an integer between 0 and 255/);
    assert.throws(() => dp.configureSync({ ...SYNC, maxMessageSize: 40 }), /maxMessageSize must be an integer between 80/);
    assert.throws(() => dp.configureSync({ ...SYNC, threshold: 50, period: 50 }), /threshold must be below the sync period/);
  });
});

describe('installing peers\' sync messages', () => {
  const learnt = (over: Partial<Parameters<typeof syncRecord>[0]> = {}) => syncRecord({
    flags: F_DROUTE | F_NOOUTPUT, state: S_ESTABLISHED, cport: 43000, vport: 80, dport: 80,
    timeout: 900, caddr: CLIENT, vaddr: VIP, daddr: RS2, ...over,
  });

  it('installs a connection that a following mid-flow ACK is forwarded by (failover)', () => {
    const { dp, take } = director();
    assert.equal(dp.installSync(syncMessage(7, [learnt()])), 1);
    assert.deepEqual(dp.connections(), [{
      protocol: 'tcp', clientAddress: CLIENT, clientPort: 43000, virtualAddress: VIP, virtualPort: 80,
      realAddress: RS2, realPort: 80, state: 'ESTABLISHED', expiresMs: 900_000, template: false,
    }]);
    const rs2 = dp.stats()[0].realServers.find((r) => r.address === RS2)!;
    assert.equal(rs2.activeConns, 1);
    // Without the entry this ACK would be dropped (no SYN, service not sloppy).
    const ack = tcp(43000, TCP_ACK | TCP_PSH, { payload: Buffer.from('more') });
    assert.deepEqual(dp.simulate(ack), withMacs(ack, MAC2, dp.mac));
    assert.equal(dp.counters().dropped, 0);
    assert.deepEqual(take(), [], 'a learnt entry is not sent back');
  });

  it('applies later state changes and refreshes the expiry', () => {
    const { dp } = director();
    dp.simulate(tcpFrame({ src: '198.18.9.9', dst: VIP, sport: 1, dport: 80, flags: TCP_SYN, dstMac: DIRECTOR_MAC }), 1000);
    dp.installSync(syncMessage(7, [learnt()]));
    dp.installSync(syncMessage(7, [learnt({ flags: F_DROUTE | F_NOOUTPUT | F_INACTIVE, state: S_FIN_WAIT, timeout: 120 })]));
    const c = dp.connections().find((x) => x.clientPort === 43000)!;
    assert.equal(c.state, 'FIN_WAIT');
    assert.equal(c.expiresMs, 120_000);
    const rs2 = dp.stats()[0].realServers.find((r) => r.address === RS2)!;
    assert.deepEqual([rs2.activeConns, rs2.inactiveConns], [0, 1]);
  });

  it('lets the backup\'s entry expire after the timeout it was given', () => {
    const { dp } = director();
    dp.simulate(tcpFrame({ src: '198.18.9.9', dst: VIP, sport: 1, dport: 80, flags: TCP_SYN, dstMac: DIRECTOR_MAC }), 0);
    dp.installSync(syncMessage(7, [learnt({ timeout: 5 })]));
    dp.simulate(tcpFrame({ src: '198.18.9.9', dst: VIP, sport: 2, dport: 80, flags: TCP_SYN, dstMac: DIRECTOR_MAC }), 4_000);
    assert.ok(dp.connections().some((c) => c.clientPort === 43000));
    const ack = tcp(43000, TCP_ACK);
    dp.simulate(tcpFrame({ src: '198.18.9.9', dst: VIP, sport: 3, dport: 80, flags: TCP_SYN, dstMac: DIRECTOR_MAC }), 6_000);
    assert.ok(!dp.connections().some((c) => c.clientPort === 43000));
    assert.equal(dp.simulate(ack, 6_001), null);
  });

  it('follows the normal sync rules once it forwards a learnt connection', () => {
    const { dp, take } = director([service()], { threshold: 3, period: 5 });
    dp.installSync(syncMessage(7, [learnt()]));
    const counts: number[] = [];
    for (let n = 4; n <= 9; n++) {
      dp.simulate(tcp(43000, TCP_ACK), n);
      counts.push(take().length);
    }
    // Installed as if at the threshold (IPVS sets in_pkts so): next sync at 3 + 5 = 8.
    assert.deepEqual(counts, [0, 0, 0, 0, 1, 0]);
  });

  it('installs persistence templates, and new flows of that client follow them', () => {
    const persistent = service({ persistence: { timeout: 300, netmask: '255.255.255.255' } });
    const { dp } = director([persistent]);
    const template = syncRecord({
      flags: F_TEMPLATE | F_DROUTE | F_NOOUTPUT | F_INACTIVE, state: 0, cport: 0, vport: 80, dport: 80,
      timeout: 300, caddr: CLIENT, vaddr: VIP, daddr: RS2,
    });
    assert.equal(dp.installSync(syncMessage(7, [template])), 1);
    const [t] = dp.connections();
    assert.deepEqual([t.template, t.realAddress, t.state, t.expiresMs], [true, RS2, 'NONE', 300_000]);
    // rr would give RS1 first; the learnt template sends this client to RS2.
    assert.equal(dstMac(dp.simulate(tcp(43100, TCP_SYN))), MAC2);
    assert.equal(dstMac(dp.simulate(tcp(43101, TCP_SYN))), MAC2);
  });

  it('installs connections for virtual addresses this director does not forward for yet', () => {
    const { dp } = director();
    dp.setActiveAddresses([]);
    assert.equal(dp.installSync(syncMessage(7, [learnt()])), 1);
    assert.equal(dp.simulate(tcp(43000, TCP_ACK)), null);
    dp.setActiveAddresses([VIP]);
    assert.equal(dstMac(dp.simulate(tcp(43000, TCP_ACK))), MAC2);
  });

  it('skips and counts records whose real server or virtual service is not here', () => {
    const { dp } = director();
    const n = dp.installSync(syncMessage(7, [
      learnt({ daddr: '198.18.0.99' }),
      learnt({ vaddr: '198.18.0.77', cport: 43001 }),
      learnt({ cport: 43002 }),
    ]));
    assert.equal(n, 1);
    assert.equal(dp.counters().syncSkipped, 2);
    assert.deepEqual(dp.connections().map((c) => c.clientPort), [43002]);
  });

  it('refuses malformed messages whole, with one sentence, installing nothing', () => {
    const { dp } = director();
    const good = syncMessage(7, [learnt({ cport: 44000 }), learnt({ cport: 44001 })]);
    const cases: Array<[string, Buffer, RegExp]> = [];
    cases.push(['truncated', good.subarray(0, good.length - 4), /size field \(80\) does not match its length \(76 bytes\)/]);
    const shortSize = Buffer.from(good.subarray(0, 60));
    shortSize.writeUInt16BE(60, 2);
    cases.push(['truncated record', shortSize, /record 2 of 2 is truncated/]);
    cases.push(['header only', good.subarray(0, 5), /shorter than its 8-byte header/]);
    const v0 = Buffer.from(good);
    v0[5] = 0;
    cases.push(['wrong version', v0, /not an IPVS sync version 1 message/]);
    cases.push(['wrong syncid', syncMessage(8, [learnt()]), /syncid 8, not the configured 7/]);
    const badSize = Buffer.from(good);
    badSize.writeUInt16BE(44, 36 + 8 + 2); // second record claims 44 bytes
    cases.push(['bad record size', badSize, /record 2 of 2 runs past the end/]);
    const small = Buffer.from(good);
    small.writeUInt16BE(32, 8 + 2);
    cases.push(['record below its size', small, /record 1 of 2 has size 32, below the 36 bytes/]);
    const family = Buffer.from(good);
    family[8 + 36] = 2;
    cases.push(['unknown family', family, /record 2 of 2 has unknown type 2/]);
    const proto = Buffer.from(good);
    proto[8 + 36 + 1] = 132;
    cases.push(['unknown protocol', proto, /protocol 132; only tcp \(6\) and udp \(17\)/]);
    const state = Buffer.from(good);
    state.writeUInt16BE(11, 8 + 36 + 8);
    cases.push(['unknown state', state, /state 11, unknown for tcp/]);
    const count = Buffer.from(good);
    count[4] = 1;
    cases.push(['trailing bytes', count, /36 bytes after its 1 records/]);
    for (const [what, message, error] of cases) {
      assert.throws(() => dp.installSync(message), (e: Error) => e instanceof TypeError && error.test(e.message), what);
      assert.deepEqual(dp.connections(), [], what);
    }
    assert.equal(dp.installSync(good), 2);
  });

  it('refuses installSync() before configureSync()', () => {
    const dp = openSimulated([service()]);
    track(dp);
    assert.throws(() => dp.installSync(syncMessage(7, [learnt()])), /configureSync\(\) must be called before installSync\(\)/);
    assert.throws(() => dp.installSync('x' as unknown as Buffer), TypeError);
  });
});

describe('bulk resync (exportSync)', () => {
  it('exports the whole table so a second director lists the same connections', () => {
    const services = [
      service(),
      service({ protocol: 'udp', port: 53, realServers: [real(RS1, 1, 53), real(RS2, 1, 53)] }),
      service({ port: 443, realServers: [real(RS1, 1, 443), real(RS2, 1, 443)], persistence: { timeout: 600, netmask: '255.255.255.255' } }),
    ];
    const a = director(services, { maxMessageSize: 8 + 3 * 36 });
    for (let i = 0; i < 5; i++) a.dp.simulate(tcp(45000 + i, TCP_SYN), 0);
    a.dp.simulate(tcp(45000, TCP_ACK), 1);
    a.dp.simulate(udpFrame({ src: CLIENT, dst: VIP, sport: 5000, dport: 53, dstMac: DIRECTOR_MAC }), 1);
    a.dp.simulate(tcpFrame({ src: '198.18.1.6', dst: VIP, sport: 45100, dport: 443, flags: TCP_SYN, dstMac: DIRECTOR_MAC }), 1);
    const exported = a.dp.exportSync();
    assert.equal(exported.reduce((n, m) => n + m[4], 0), 8);
    assert.deepEqual(exported.map((m) => m[4]), [3, 3, 2]);

    const b = director(services, { maxMessageSize: 8 + 3 * 36 });
    assert.equal(exported.reduce((n, m) => n + b.dp.installSync(m), 0), 8);
    const view = (dp: Dataplane) => dp.connections()
      .map(({ expiresMs: _e, ...c }) => c)
      .sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)));
    assert.deepEqual(view(b.dp), view(a.dp));
    assert.deepEqual(b.take(), [], 'installed entries are not re-emitted');
  });

  it('refuses exportSync() before configureSync()', () => {
    const dp = openSimulated([service()]);
    track(dp);
    assert.throws(() => dp.exportSync(), /configureSync\(\) must be called before exportSync\(\)/);
  });
});
