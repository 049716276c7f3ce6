// The C++ schedulers, driven through simulateSchedule(): each test checks the property that
// defines its scheduler in IPVS, on the indices the addon returns.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SCHEDULERS } from '../../src/config/model';
import {
  simulateSchedule,
  type SimulatedFlow,
  type SimulatedRealServer,
} from '../../src/dataplane/sched_sim';

function reals(weights: number[], extra: Partial<SimulatedRealServer>[] = []): SimulatedRealServer[] {
  return weights.map((weight, i) => ({ address: `198.18.1.${i + 1}`, weight, ...extra[i] }));
}

/** n flows from n distinct clients (10.x.y.z), each from its own port. */
function clients(n: number, more: Partial<SimulatedFlow> = {}): SimulatedFlow[] {
  return Array.from({ length: n }, (_, i) => ({
    client: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
    clientPort: 1024 + (i % 60000),
    ...more,
  }));
}

function counts(picks: Int32Array, n: number): { perReal: number[]; none: number } {
  const perReal = new Array<number>(n).fill(0);
  let none = 0;
  for (const p of picks) {
    if (p < 0) none++;
    else perReal[p]++;
  }
  return { perReal, none };
}

function assertShares(picks: Int32Array, weights: number[], tolerance: number): void {
  const { perReal, none } = counts(picks, weights.length);
  assert.equal(none, 0);
  const total = weights.reduce((a, b) => a + b, 0);
  perReal.forEach((got, i) => {
    const share = got / picks.length;
    const want = weights[i] / total;
    assert.ok(Math.abs(share - want) <= tolerance,
      `real ${i} got ${(share * 100).toFixed(2)}% of flows, expected ${(want * 100).toFixed(2)}%`);
  });
}

describe('rr', () => {
  it('cycles through the real servers in order and skips weight 0', () => {
    const picks = simulateSchedule({ scheduler: 'rr', reals: reals([1, 0, 5, 1]), flows: clients(7) });
    assert.deepEqual(Array.from(picks), [0, 2, 3, 0, 2, 3, 0]);
  });
});

describe('wrr', () => {
  it('interleaves by weight as IPVS does (passes at current weight 3, 2, 1)', () => {
    const picks = simulateSchedule({ scheduler: 'wrr', reals: reals([3, 2, 1]), flows: clients(12) });
    assert.deepEqual(Array.from(picks), [0, 0, 1, 0, 1, 2, 0, 0, 1, 0, 1, 2]);
  });

  it('gives 3:2:1 weights their shares of 10000 picks within 1%', () => {
    const picks = simulateSchedule({ scheduler: 'wrr', reals: reals([3, 2, 1]), flows: clients(10000) });
    assertShares(picks, [3, 2, 1], 0.01);
  });

  it('steps by the gcd of the weights: 40:20 behaves as 2:1', () => {
    const picks = simulateSchedule({ scheduler: 'wrr', reals: reals([40, 20]), flows: clients(6) });
    assert.deepEqual(Array.from(picks), [0, 0, 1, 0, 0, 1]);
  });
});

describe('lc', () => {
  it('picks the real server with the fewest connections', () => {
    const picks = simulateSchedule({
      scheduler: 'lc',
      reals: reals([1, 1, 1], [{ activeConns: 5 }, { activeConns: 2 }, { activeConns: 9 }]),
      flows: clients(1),
    });
    assert.deepEqual(Array.from(picks), [1]);
  });

  it('counts an active connection as 256 inactive ones', () => {
    const heavy = simulateSchedule({
      scheduler: 'lc',
      reals: reals([1, 1], [{ activeConns: 1 }, { inactiveConns: 300 }]),
      flows: clients(1),
    });
    assert.deepEqual(Array.from(heavy), [0]);
    const light = simulateSchedule({
      scheduler: 'lc',
      reals: reals([1, 1], [{ activeConns: 1 }, { inactiveConns: 200 }]),
      flows: clients(1),
    });
    assert.deepEqual(Array.from(light), [1]);
  });
});

describe('wlc', () => {
  it('picks by overhead divided by weight, not by connection count', () => {
    // 2 * 256 / 1 = 512 against 6 * 256 / 4 = 384: the busier but heavier server wins.
    const picks = simulateSchedule({
      scheduler: 'wlc',
      reals: reals([1, 4], [{ activeConns: 2 }, { activeConns: 6 }]),
      flows: clients(1),
    });
    assert.deepEqual(Array.from(picks), [1]);
  });

  it('spreads a growing load in proportion to the weights', () => {
    const picks = simulateSchedule({
      scheduler: 'wlc', reals: reals([3, 2, 1]), flows: clients(6000), bindConnections: true,
    });
    assertShares(picks, [3, 2, 1], 0.001);
  });
});

describe('sed and nq', () => {
  // (0 + 1) / 1 = 1 for the idle light server, (1 + 1) / 3 for the busy heavy one.
  const spec = { reals: reals([1, 3], [{}, { activeConns: 1 }]), flows: clients(1) };

  it('sed picks the shortest expected delay, (active + 1) / weight', () => {
    assert.deepEqual(Array.from(simulateSchedule({ scheduler: 'sed', ...spec })), [1]);
  });

  it('nq sends to an idle real server first, whatever the delays', () => {
    assert.deepEqual(Array.from(simulateSchedule({ scheduler: 'nq', ...spec })), [0]);
  });

  it('nq falls back to sed once nobody is idle', () => {
    const picks = simulateSchedule({
      scheduler: 'nq', reals: reals([1, 3], [{ activeConns: 1 }, { activeConns: 1 }]), flows: clients(1),
    });
    assert.deepEqual(Array.from(picks), [1]);
  });

  it('sed ignores inactive connections', () => {
    const picks = simulateSchedule({
      scheduler: 'sed', reals: reals([1, 1], [{ inactiveConns: 50 }, { activeConns: 1 }]), flows: clients(1),
    });
    assert.deepEqual(Array.from(picks), [0]);
  });
});

describe('sh', () => {
  it('sends one client to the same real server every time, whatever its port', () => {
    const flows = Array.from({ length: 1000 }, (_, i) => ({ client: '10.1.2.3', clientPort: 1024 + i }));
    const picks = simulateSchedule({ scheduler: 'sh', reals: reals([1, 1, 1, 1]), flows });
    assert.equal(new Set(picks).size, 1);
    assert.ok(picks[0] >= 0);
  });

  it('spreads distinct clients evenly, and by weight', () => {
    assertShares(simulateSchedule({ scheduler: 'sh', reals: reals([1, 1, 1, 1]), flows: clients(10000) }),
      [1, 1, 1, 1], 0.02);
    assertShares(simulateSchedule({ scheduler: 'sh', reals: reals([3, 1]), flows: clients(10000) }),
      [3, 1], 0.02);
  });

  it('with sh-port hashes the client port too', () => {
    const flows = Array.from({ length: 1000 }, (_, i) => ({ client: '10.1.2.3', clientPort: 1024 + i }));
    const picks = simulateSchedule({ scheduler: 'sh', flags: ['sh-port'], reals: reals([1, 1, 1, 1]), flows });
    assertShares(picks, [1, 1, 1, 1], 0.05);
  });

  it('without sh-fallback refuses clients of an unusable server; with it moves only them', () => {
    const down = reals([1, 1, 1, 1], [{}, { mac: false }]);
    const before = simulateSchedule({ scheduler: 'sh', reals: reals([1, 1, 1, 1]), flows: clients(4000) });
    const strict = simulateSchedule({ scheduler: 'sh', reals: down, flows: clients(4000) });
    const fallback = simulateSchedule({ scheduler: 'sh', flags: ['sh-fallback'], reals: down, flows: clients(4000) });
    let refused = 0;
    for (let i = 0; i < before.length; i++) {
      if (before[i] === 1) {
        assert.equal(strict[i], -1);
        assert.ok(fallback[i] >= 0 && fallback[i] !== 1);
        refused++;
      } else {
        assert.equal(strict[i], before[i]);
        assert.equal(fallback[i], before[i]);
      }
    }
    assert.ok(refused > 500);
  });
});

describe('dh', () => {
  it('sends one destination to the same real server whatever the client', () => {
    const picks = simulateSchedule({
      scheduler: 'dh', reals: reals([1, 1, 1, 1]), flows: clients(1000, { vaddr: '198.18.0.80' }),
    });
    assert.equal(new Set(picks).size, 1);
    assert.ok(picks[0] >= 0);
  });

  it('spreads distinct destinations over the real servers', () => {
    const flows = Array.from({ length: 4000 }, (_, i) => ({
      client: '10.0.0.1', clientPort: 1024, vaddr: `198.19.${i >> 8}.${i & 255}`,
    }));
    assertShares(simulateSchedule({ scheduler: 'dh', reals: reals([1, 1, 1, 1]), flows }), [1, 1, 1, 1], 0.03);
  });
});

describe('mh', () => {
  const ten = reals(new Array(10).fill(1));

  it('gives each of 10 equal real servers 10% +-1% of 100000 distinct clients', () => {
    assertShares(simulateSchedule({ scheduler: 'mh', reals: ten, flows: clients(100000) }),
      new Array(10).fill(1), 0.01);
  });

  it('moves only the removed server\'s clients when one of 10 goes away', () => {
    const flows = clients(100000);
    const before = simulateSchedule({ scheduler: 'mh', reals: ten, flows });
    const nine = ten.filter((_, i) => i !== 3);
    const after = simulateSchedule({ scheduler: 'mh', reals: nine, flows });
    let others = 0;
    let moved = 0;
    for (let i = 0; i < flows.length; i++) {
      assert.ok(after[i] >= 0);
      if (before[i] === 3) continue;
      others++;
      if (nine[after[i]].address !== ten[before[i]].address) moved++;
    }
    assert.ok(moved / others < 0.02, `${moved} of ${others} flows of remaining servers moved`);
  });

  it('moves only a quiesced (weight 0) server\'s clients, the same on every director', () => {
    const flows = clients(50000);
    const before = simulateSchedule({ scheduler: 'mh', reals: ten, flows });
    const quiesced = ten.map((r, i) => (i === 7 ? { ...r, weight: 0 } : r));
    const after = simulateSchedule({ scheduler: 'mh', reals: quiesced, flows });
    let others = 0;
    let moved = 0;
    for (let i = 0; i < flows.length; i++) {
      assert.ok(after[i] >= 0 && after[i] !== 7);
      if (before[i] === 7) continue;
      others++;
      if (after[i] !== before[i]) moved++;
    }
    assert.ok(moved / others < 0.02, `${moved} of ${others} flows of remaining servers moved`);
  });

  it('honours weights 3:2:1 within 1%', () => {
    assertShares(simulateSchedule({ scheduler: 'mh', reals: reals([3, 2, 1]), flows: clients(60000) }),
      [3, 2, 1], 0.01);
  });

  it('is the same on every run (directors agree) and sticky per client', () => {
    const a = simulateSchedule({ scheduler: 'mh', reals: ten, flows: clients(2000) });
    const b = simulateSchedule({ scheduler: 'mh', reals: ten, flows: clients(2000, { clientPort: 40000 }) });
    assert.deepEqual(Array.from(a), Array.from(b));
  });

  it('works with a small prime table and IPv6 clients', () => {
    const flows = Array.from({ length: 20000 }, (_, i) => ({ client: `2001:db8::${i.toString(16)}`, clientPort: 1 }));
    assertShares(simulateSchedule({ scheduler: 'mh', mhTableSize: 4093, reals: reals([1, 1, 1, 1]), flows }),
      [1, 1, 1, 1], 0.02);
  });

  it('with mh-port hashes the client port too', () => {
    const flows = Array.from({ length: 4000 }, (_, i) => ({ client: '10.1.2.3', clientPort: 1024 + i }));
    assert.equal(new Set(simulateSchedule({ scheduler: 'mh', reals: ten, flows })).size, 1);
    assertShares(simulateSchedule({ scheduler: 'mh', flags: ['mh-port'], reals: ten, flows }),
      new Array(10).fill(1), 0.03);
  });

  it('without mh-fallback refuses clients of an unusable server; with it moves only them', () => {
    const down = ten.map((r, i) => (i === 5 ? { ...r, mac: false } : r));
    const flows = clients(20000);
    const before = simulateSchedule({ scheduler: 'mh', reals: ten, flows });
    const strict = simulateSchedule({ scheduler: 'mh', reals: down, flows });
    const fallback = simulateSchedule({ scheduler: 'mh', flags: ['mh-fallback'], reals: down, flows });
    for (let i = 0; i < flows.length; i++) {
      if (before[i] === 5) {
        assert.equal(strict[i], -1);
        assert.ok(fallback[i] >= 0 && fallback[i] !== 5);
      } else {
        assert.equal(strict[i], before[i]);
        assert.equal(fallback[i], before[i]);
      }
    }
  });
});

describe('fo', () => {
  it('sends everything to the usable real server with the highest weight', () => {
    const picks = simulateSchedule({ scheduler: 'fo', reals: reals([2, 7, 7, 3]), flows: clients(50), bindConnections: true });
    assert.deepEqual(new Set(picks), new Set([1]));
  });

  it('fails over to the next highest weight', () => {
    const picks = simulateSchedule({ scheduler: 'fo', reals: reals([2, 7, 3], [{}, { mac: false }]), flows: clients(5) });
    assert.deepEqual(Array.from(picks), [2, 2, 2, 2, 2]);
  });
});

describe('ovf', () => {
  it('fills the highest weight until its active connections exceed its weight, then the next', () => {
    const picks = simulateSchedule({ scheduler: 'ovf', reals: reals([2, 3, 1]), flows: clients(10), bindConnections: true });
    // As IPVS (active > weight stops a server), a server takes weight + 1 connections.
    assert.deepEqual(Array.from(picks), [1, 1, 1, 1, 0, 0, 0, 2, 2, -1]);
  });
});

describe('twos', () => {
  it('keeps a growing load even across equal servers', () => {
    const picks = simulateSchedule({ scheduler: 'twos', reals: reals([1, 1, 1]), flows: clients(3000), bindConnections: true });
    assertShares(picks, [1, 1, 1], 0.02);
  });

  it('draws by weight when the servers are equally loaded', () => {
    const picks = simulateSchedule({ scheduler: 'twos', reals: reals([3, 1]), flows: clients(20000) });
    assertShares(picks, [3, 1], 0.02);
  });
});

describe('lblc', () => {
  it('keeps a destination on its real server until that server is overloaded', () => {
    const picks = simulateSchedule({
      scheduler: 'lblc', reals: reals([5, 5]), flows: clients(10, { vaddr: '198.18.0.10' }), bindConnections: true,
    });
    // Overloaded = more active connections than its weight while another server is under half.
    assert.deepEqual(Array.from(picks), [0, 0, 0, 0, 0, 0, 1, 1, 1, 1]);
  });

  it('gives a new destination the least loaded server and forgets idle destinations after 24 h', () => {
    const v = '198.18.0.10';
    const w = '198.18.0.11';
    const flows = (lastMs: number): SimulatedFlow[] => [
      { client: '10.0.0.1', clientPort: 1, vaddr: v, nowMs: 0 },
      { client: '10.0.0.2', clientPort: 1, vaddr: w, nowMs: 0 },
      { client: '10.0.0.3', clientPort: 1, vaddr: w, nowMs: 0 },
      { client: '10.0.0.4', clientPort: 1, vaddr: w, nowMs: 0 },
      { client: '10.0.0.5', clientPort: 1, vaddr: w, nowMs: lastMs },
    ];
    const hour = 3600 * 1000;
    const fresh = simulateSchedule({ scheduler: 'lblc', reals: reals([5, 5]), flows: flows(hour), bindConnections: true });
    assert.deepEqual(Array.from(fresh), [0, 1, 1, 1, 1]);
    const stale = simulateSchedule({ scheduler: 'lblc', reals: reals([5, 5]), flows: flows(25 * hour), bindConnections: true });
    assert.deepEqual(Array.from(stale), [0, 1, 1, 1, 0]);
  });
});

describe('lblcr', () => {
  it('grows a destination\'s set when it overloads and then uses the least loaded member', () => {
    const spec = { reals: reals([5, 5, 5]), flows: clients(20, { vaddr: '198.18.0.10' }), bindConnections: true };
    const six = (i: number) => new Array<number>(6).fill(i);
    // Each server takes the destination until it has more active connections than its weight
    // while another is under half load; then the least loaded server joins the set.
    const lblcr = simulateSchedule({ scheduler: 'lblcr', ...spec });
    assert.deepEqual(Array.from(lblcr), [...six(0), ...six(1), ...six(2), 0, 1]);
    // Once nobody is under half load, lblcr spreads over its set while lblc stays put.
    const lblc = simulateSchedule({ scheduler: 'lblc', ...spec });
    assert.deepEqual(Array.from(lblc), [...six(0), ...six(1), ...six(2), 2, 2]);
  });
});

describe('every scheduler', () => {
  const flows = (n: number) => clients(n).map((f, i) => ({ ...f, vaddr: `198.19.0.${i % 200}` }));

  for (const scheduler of SCHEDULERS) {
    it(`${scheduler} never picks a weight 0 or MAC-less real server`, () => {
      const spec = {
        scheduler,
        reals: reals([1, 0, 2, 3, 1], [{}, {}, {}, { mac: false }]),
        flows: flows(2000),
        bindConnections: true,
      };
      for (const flags of [[], ['sh-fallback', 'mh-fallback']] as const) {
        const picks = simulateSchedule({ ...spec, flags: [...flags] });
        for (const p of picks) assert.ok(p !== 1 && p !== 3, `${scheduler} picked real server ${p}`);
        assert.ok(Array.from(picks).some((p) => p >= 0));
      }
    });

    it(`${scheduler} never picks a real server at its upper threshold`, () => {
      const picks = simulateSchedule({
        scheduler,
        flags: ['sh-fallback', 'mh-fallback'],
        reals: reals([5, 5], [{ activeConns: 4, upperThreshold: 4 }, { upperThreshold: 0 }]),
        flows: flows(500),
      });
      for (const p of picks) assert.ok(p !== 0, `${scheduler} picked the overloaded real server`);
    });
  }

  it('stops sending to a real server once its connections reach the upper threshold', () => {
    const picks = simulateSchedule({
      scheduler: 'rr', reals: reals([1, 1], [{ upperThreshold: 3 }]), flows: clients(10), bindConnections: true,
    });
    assert.deepEqual(Array.from(picks), [0, 1, 0, 1, 0, 1, 1, 1, 1, 1]);
  });

  it('returns -1 when no real server can take the flow', () => {
    for (const scheduler of SCHEDULERS) {
      const picks = simulateSchedule({ scheduler, reals: reals([0, 1], [{}, { mac: false }]), flows: clients(3) });
      assert.deepEqual(Array.from(picks), [-1, -1, -1], scheduler);
    }
  });
});

describe('simulateSchedule input checks', () => {
  const cases: [string, unknown, RegExp][] = [
    ['unknown scheduler', { scheduler: 'xyz', reals: [], flows: [] }, /scheduler "xyz" is not one of/],
    ['unknown flag', { scheduler: 'sh', flags: ['sh-nope'], reals: [], flows: [] }, /flag "sh-nope"/],
    ['bad address', { scheduler: 'rr', reals: [{ address: '1.2.3', weight: 1 }], flows: [] },
      /reals\[0\]\.address "1\.2\.3" is not an IPv4 or IPv6 address/],
    ['negative weight', { scheduler: 'rr', reals: [{ address: '::1', weight: -1 }], flows: [] },
      /reals\[0\]\.weight must be an integer from 0 to 65535/],
    ['non-prime table', { scheduler: 'mh', mhTableSize: 65536, reals: [], flows: [] }, /mhTableSize 65536 is not a prime/],
    ['bad port', { scheduler: 'rr', reals: [], flows: [{ client: '10.0.0.1', clientPort: 70000 }] },
      /flows\[0\]\.clientPort must be an integer/],
  ];
  for (const [name, spec, message] of cases) {
    it(`rejects ${name} with a TypeError`, () => {
      assert.throws(() => simulateSchedule(spec as never), (e: unknown) =>
        e instanceof TypeError && message.test(e.message) && e.message.endsWith('.'));
    });
  }
});
