// Expiry by due time (native/timer_wheel.h): expiry looks at the entries that may be due, not at
// every slot of the table, and entries still go when their time comes, whichever way their expiry
// moved since they were created. simulate() runs the sweeper's expiry (Dataplane::expire_due) on
// its own clock, to the millisecond; the addon's expiryChecks counts the slots expiry looked at.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Dataplane } from '../../src/dataplane';
import { addressToBytes, macToNumber, toNativeServices } from '../../src/dataplane/convert';
import { loadNative, type NativeDataplane } from '../../src/dataplane/native';
import { TCP_ACK, TCP_FIN, TCP_SYN, tcpFrame, udpFrame } from './frames';
import { CLIENT, DIRECTOR_MAC, MAC1, RS1, VIP, openSimulated, real, service } from './helpers';
import { F_DROUTE, S_ESTABLISHED, syncMessage, syncRecord } from './sync_bytes';

const SYNC_ID = 7;
/** Records per sync message: nr_conns is one byte. */
const PER_MESSAGE = 250;

const natives: NativeDataplane[] = [];
const opened: Dataplane[] = [];
after(() => {
  natives.forEach((n) => n.close());
  opened.forEach((d) => d.close());
});

/** A frame for no virtual service: it only moves simulate()'s clock (and so runs expiry). */
const tick = udpFrame({ src: CLIENT, dst: '198.18.0.250', dstMac: DIRECTOR_MAC });

function openNative(connTableSize: number): NativeDataplane {
  const native = new (loadNative().Dataplane)(null, 1, connTableSize, 65537, null, { backend: 'af_packet', xdpObject: '' });
  natives.push(native);
  native.apply(toNativeServices([service({ realServers: [real(RS1)] })]));
  const rs = addressToBytes(RS1, 'the real server');
  native.setNeighbour(rs.family, rs.addr, macToNumber(MAC1));
  native.configureSync(SYNC_ID, 1472, 1000, 3, 50);
  return native;
}

/** Installs `count` established connections from peer records, each to expire timeoutS from now. */
function install(native: NativeDataplane, first: number, count: number, timeoutS: number): void {
  for (let i = 0; i < count; i += PER_MESSAGE) {
    const records: Buffer[] = [];
    for (let j = i; j < Math.min(count, i + PER_MESSAGE); j++) {
      const n = first + j;
      records.push(syncRecord({
        flags: F_DROUTE, state: S_ESTABLISHED, cport: 1 + (n % 60000), vport: 80, dport: 80, timeout: timeoutS,
        caddr: `198.19.${Math.floor(n / 60000)}.1`, vaddr: VIP, daddr: RS1,
      }));
    }
    assert.equal(native.installSync(syncMessage(SYNC_ID, records)), records.length);
  }
}

describe('expiry by due time', () => {
  it('looks at the entries due each second, not at the table (100,000 entries, 1,000 due a second)', () => {
    const native = openNative(131_072);
    const seconds = 100;
    const perSecond = 1000;
    const timeoutS = 100;
    // Entries created over 100 s, so that 1,000 of them come due in each of the next 100 s.
    for (let s = 0; s < seconds; s++) {
      native.simulate(tick, s * 1000 + 1);
      install(native, s * perSecond, perSecond, timeoutS);
    }
    assert.equal(native.counters().connections, seconds * perSecond);
    for (let s = seconds; s < 2 * seconds; s++) {
      const before = native.counters().expiryChecks;
      native.simulate(tick, s * 1000 + 500);
      const looked = native.counters().expiryChecks - before;
      // The second's own 1,000 (and, to the millisecond, the next second's) against the table's
      // 174,000 slots a walk would look at.
      assert.ok(looked <= 2 * perSecond + 10, `expiry looked at ${looked} slots at ${s} s`);
      // Entries of second k expire at k + 100 s + 1 ms: exactly those up to s - 100 are gone.
      assert.equal(native.counters().connections, (2 * seconds - 1 - s) * perSecond, `entries left at ${s}.5 s`);
    }
  });

  it('looks at nothing while nothing is due, however many entries there are', () => {
    const native = openNative(131_072);
    native.simulate(tick, 1000);
    install(native, 0, 100_000, 900);
    const before = native.counters().expiryChecks;
    for (let s = 2; s < 800; s++) native.simulate(tick, s * 1000);
    assert.equal(native.counters().expiryChecks - before, 0);
    assert.equal(native.counters().connections, 100_000);
  });

  it('expires an entry at its new time when its expiry moves earlier (a FIN)', () => {
    const dp = openSimulated([service()]);
    opened.push(dp);
    dp.setTimeouts({ tcp: 900, tcpfin: 30, udp: 0 });
    const tcp = (flags: number) => tcpFrame({ src: CLIENT, dst: VIP, sport: 41000, dport: 80, flags, dstMac: DIRECTOR_MAC });
    dp.simulate(tcp(TCP_SYN), 0);
    dp.simulate(tcp(TCP_ACK), 10);
    // Past the SYN's 60 s, so that the wheel files the entry at its 900 s.
    dp.simulate(tick, 100_000);
    dp.simulate(tcp(TCP_FIN | TCP_ACK), 200_000);
    dp.simulate(tick, 229_999);
    assert.equal(dp.counters().connections, 1);
    dp.simulate(tick, 230_000);
    assert.equal(dp.counters().connections, 0, 'gone 30 s after the FIN, not 900 s after the ACK');
    assert.equal(dp.stats()[0].realServers.reduce((a, r) => a + r.inactiveConns, 0), 0);
  });

  it('keeps an entry refreshed since it was filed, until its new expiry', () => {
    const dp = openSimulated([service({ protocol: 'udp', port: 53 })]);
    opened.push(dp);
    const udp = udpFrame({ src: CLIENT, dst: VIP, sport: 5000, dport: 53, dstMac: DIRECTOR_MAC });
    dp.simulate(udp, 0);
    dp.simulate(udp, 250_000);
    dp.simulate(tick, 300_001);
    assert.equal(dp.counters().connections, 1, 'the refresh at 250 s holds it past 300 s');
    dp.simulate(tick, 549_999);
    assert.equal(dp.counters().connections, 1);
    dp.simulate(tick, 550_000);
    assert.equal(dp.counters().connections, 0);
  });

  it('expires a template beyond the wheel\'s horizon (68 min) at its time', () => {
    const dp = openSimulated([service({ persistence: { timeout: 7200, netmask: '255.255.255.255' } })]);
    opened.push(dp);
    dp.simulate(tcpFrame({ src: CLIENT, dst: VIP, sport: 42000, dport: 80, flags: TCP_SYN, dstMac: DIRECTOR_MAC }), 0);
    assert.equal(dp.counters().connections, 2, 'the connection and its template');
    dp.simulate(tick, 61_000);
    assert.equal(dp.counters().connections, 1, 'the SYN_RECV entry is gone after 60 s, the template stays');
    dp.simulate(tick, 5_000_000);
    dp.simulate(tick, 7_199_999);
    assert.equal(dp.counters().connections, 1);
    dp.simulate(tick, 7_200_000);
    assert.equal(dp.counters().connections, 0);
  });

  it('expires everything due after a clock jump longer than the horizon', () => {
    const dp = openSimulated([service()]);
    opened.push(dp);
    for (let p = 0; p < 100; p++) {
      const syn = tcpFrame({ src: CLIENT, dst: VIP, sport: 43000 + p, dport: 80, flags: TCP_SYN, dstMac: DIRECTOR_MAC });
      dp.simulate(syn, 1000 + p * 1000);
      dp.simulate(tcpFrame({ src: CLIENT, dst: VIP, sport: 43000 + p, dport: 80, flags: TCP_ACK, dstMac: DIRECTOR_MAC }), 1000 + p * 1000);
    }
    assert.equal(dp.counters().connections, 100);
    dp.simulate(tick, 100_000_000);
    assert.equal(dp.counters().connections, 0, 'a jump of a day');
  });

  it('files every entry again from one walk when its copies pass the cap, and they still expire on time', () => {
    const native = openNative(4096);
    native.apply(toNativeServices([service({ protocol: 'udp', port: 53, realServers: [real(RS1, 1, 53)] })]));
    const flows = 4000;
    const udp = (port: number) => udpFrame({ src: CLIENT, dst: VIP, sport: 10_000 + port, dport: 53, dstMac: DIRECTOR_MAC });
    const slots = 4096 + Math.floor(4096 / 3) + 64;
    // Each shorter timeout files every entry again, earlier, and leaves its old copy behind:
    // 4 x 4,000 copies against a cap of twice the table's slots.
    const before = native.counters().expiryChecks;
    for (const udpTimeout of [300, 100, 50, 20]) {
      native.setTimeouts(0, 0, udpTimeout);
      for (let p = 0; p < flows; p++) native.simulate(udp(p), 0);
    }
    assert.equal(native.counters().connections, flows);
    native.simulate(tick, 1000);
    const looked = native.counters().expiryChecks - before;
    // Nothing was due: all it looked at was the walk (and the copies of tick 1, none).
    assert.ok(looked >= slots && looked < 2 * slots, `one walk of the table (${looked} slots looked at)`);
    native.simulate(tick, 19_999);
    assert.equal(native.counters().connections, flows);
    native.simulate(tick, 20_000);
    assert.equal(native.counters().connections, 0, 'every entry goes at its 20 s, those the wheel could not file too');
  });
});
