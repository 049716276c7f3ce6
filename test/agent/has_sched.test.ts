// The has scheduler (native/sched_has.cc) through simulateSchedule and through the dataplane.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { simulateSchedule, type SimulatedRealServer } from '../../src/dataplane/sched_sim';
import { CLIENT, DIRECTOR_MAC, MAC1, MAC2, RS1, RS2, VIP, dstMac, openSimulated, service } from '../dataplane/helpers';
import { TCP_SYN, tcpFrame } from '../dataplane/frames';

const flows = (n: number) => Array.from({ length: n }, (_, i) => ({ client: '198.18.2.1', clientPort: 10000 + i }));
const picks = (reals: SimulatedRealServer[], n = 6) => Array.from(simulateSchedule({ scheduler: 'has', reals, flows: flows(n) }));
const rs = (address: string, over: Partial<SimulatedRealServer> = {}): SimulatedRealServer => ({ address, weight: 1, ...over });

describe('has scheduler', () => {
  it('sends every new connection to the best reported load index', () => {
    assert.deepEqual(picks([rs('10.0.0.1', { load: 100 }), rs('10.0.0.2', { load: 400 }), rs('10.0.0.3', { load: 250 })]),
      [1, 1, 1, 1, 1, 1]);
  });

  it('takes turns between equal best loads', () => {
    assert.deepEqual(picks([rs('10.0.0.1', { load: 400 }), rs('10.0.0.2', { load: 100 }), rs('10.0.0.3', { load: 400 })]),
      [0, 2, 0, 2, 0, 2]);
  });

  it('never picks weight 0 or an unresolved MAC, however good its load', () => {
    assert.deepEqual(picks([
      rs('10.0.0.1', { load: 900, weight: 0 }), rs('10.0.0.2', { load: 800, mac: false }), rs('10.0.0.3', { load: 10 }),
    ]), [2, 2, 2, 2, 2, 2]);
    assert.deepEqual(picks([rs('10.0.0.1', { load: 900, weight: 0 })]), [-1, -1, -1, -1, -1, -1]);
  });

  it('prefers any reported server to unreported ones, and round-robins when none reported', () => {
    assert.deepEqual(picks([rs('10.0.0.1'), rs('10.0.0.2', { load: 0 }), rs('10.0.0.3')]), [1, 1, 1, 1, 1, 1]);
    assert.deepEqual(picks([rs('10.0.0.1'), rs('10.0.0.2'), rs('10.0.0.3')]), [0, 1, 2, 0, 1, 2]);
  });

  it('ignores weights otherwise (the load index decides)', () => {
    assert.deepEqual(picks([rs('10.0.0.1', { load: 100, weight: 100 }), rs('10.0.0.2', { load: 200, weight: 1 })]),
      [1, 1, 1, 1, 1, 1]);
  });

  it('refuses a negative load in the simulation spec', () => {
    assert.throws(() => picks([rs('10.0.0.1', { load: -1 })]), /reals\[0\]\.load must be a finite number >= 0/);
  });
});

describe('dataplane setLoad', () => {
  const syn = (sport: number) => tcpFrame({ src: CLIENT, dst: VIP, sport, dport: 80, flags: TCP_SYN, dstMac: DIRECTOR_MAC });

  it('moves new connections of a has service to the best load at once, and back to rr on null', () => {
    const dp = openSimulated([service({ scheduler: 'has' })]);
    try {
      dp.setLoad(RS1, 100);
      dp.setLoad(RS2, 300);
      assert.deepEqual([1, 2, 3].map((i) => dstMac(dp.simulate(syn(20000 + i)))), [MAC2, MAC2, MAC2]);
      dp.setLoad(RS1, 500);
      assert.deepEqual([4, 5].map((i) => dstMac(dp.simulate(syn(20000 + i)))), [MAC1, MAC1]);
      dp.setLoad(RS1, null);
      assert.deepEqual([6, 7].map((i) => dstMac(dp.simulate(syn(20000 + i)))), [MAC2, MAC2]);
      dp.setLoad(RS2, null);
      const rr = [8, 9].map((i) => dstMac(dp.simulate(syn(20000 + i))));
      assert.deepEqual(new Set(rr), new Set([MAC1, MAC2]));
    } finally {
      dp.close();
    }
  });

  it('keeps a load across a table rebuild (a real server added after its report)', () => {
    const dp = openSimulated([service({ scheduler: 'has', realServers: [] })]);
    try {
      dp.setLoad(RS2, 300);
      dp.setLoad(RS1, 100);
      dp.apply([service({ scheduler: 'has' })]);
      assert.deepEqual([1, 2].map((i) => dstMac(dp.simulate(syn(21000 + i)))), [MAC2, MAC2]);
    } finally {
      dp.close();
    }
  });

  it('refuses a bad load with one sentence', () => {
    const dp = openSimulated([service({ scheduler: 'has' })]);
    try {
      assert.throws(() => dp.setLoad(RS1, -3), /The load index must be a finite number >= 0 or null, not -3\./);
      assert.throws(() => dp.setLoad(RS1, Number.NaN), RangeError);
      assert.throws(() => dp.setLoad('rs1', 3), /is not an IPv4 or IPv6 address/);
    } finally {
      dp.close();
    }
  });
});
