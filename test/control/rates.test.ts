import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RateEstimator } from '../../src/control/rates';
import type { Counters } from '../../src/dataplane/types';

const c = (conns: number, inPackets: number, inBytes: number): Counters =>
  ({ conns, inPackets, inBytes, outPackets: 0, outBytes: 0 });

test('a steady 100 conn/s, 500 kB/s source rises as IPVS smooths it (weight 1/4) and settles exactly', () => {
  const e = new RateEstimator();
  // 2 s apart: +200 conns, +400 packets, +1,000,000 bytes each tick.
  const tick = (n: number) => e.sample(new Map([['s', c(200 * n, 400 * n, 1_000_000 * n)]]));
  tick(0);
  assert.deepStrictEqual(e.rates('s'), { cps: 0, inPps: 0, outPps: 0, inBps: 0, outBps: 0 }, 'first sample only starts');
  tick(1);
  assert.deepStrictEqual(e.rates('s'), { cps: 25, inPps: 50, outPps: 0, inBps: 125000, outBps: 0 });
  tick(2);
  assert.deepStrictEqual(e.rates('s'), { cps: 44, inPps: 87, outPps: 0, inBps: 218750, outBps: 0 });
  tick(3);
  assert.equal(e.rates('s').cps, 58);
  for (let n = 4; n < 80; n++) tick(n);
  assert.deepStrictEqual(e.rates('s'), { cps: 100, inPps: 200, outPps: 0, inBps: 500000, outBps: 0 });
});

test('rates decay toward zero when traffic stops', () => {
  const e = new RateEstimator();
  e.sample(new Map([['s', c(0, 0, 0)]]));
  e.sample(new Map([['s', c(2000, 0, 0)]]));
  assert.equal(e.rates('s').cps, 250);
  e.sample(new Map([['s', c(2000, 0, 0)]]));
  assert.equal(e.rates('s').cps, 187); // 256000 - 64000 = 192000; (192000 + 511) >> 10
  for (let n = 0; n < 80; n++) e.sample(new Map([['s', c(2000, 0, 0)]]));
  assert.equal(e.rates('s').cps, 0);
});

test('counters going backwards (zeroed) restart the estimate instead of reporting a negative rate', () => {
  const e = new RateEstimator();
  e.sample(new Map([['s', c(0, 0, 0)]]));
  e.sample(new Map([['s', c(2000, 0, 0)]]));
  e.sample(new Map([['s', c(10, 0, 0)]]));
  assert.equal(e.rates('s').cps, 0);
  e.sample(new Map([['s', c(210, 0, 0)]]));
  assert.equal(e.rates('s').cps, 25);
});

test('reset(prefix) forgets a service and its real servers only; vanished sources are dropped', () => {
  const e = new RateEstimator();
  const keys = ['tcp|a|80', 'tcp|a|80>r1', 'tcp|a|8080'];
  e.sample(new Map(keys.map((k) => [k, c(0, 0, 0)])));
  e.sample(new Map(keys.map((k) => [k, c(2000, 0, 0)])));
  e.reset('tcp|a|80');
  assert.deepStrictEqual(keys.map((k) => e.rates(k).cps), [0, 0, 250]);
  e.sample(new Map([['tcp|a|80', c(2000, 0, 0)]]));
  assert.equal(e.rates('tcp|a|8080').cps, 0);
});
