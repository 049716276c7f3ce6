// weights.ts as health checks use it: per-service real weights and the fallback server.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RealServer, VirtualService } from '../../src/config/model';
import { WeightOverrides } from '../../src/control/weights';

const real = (address: string, weight = 1): RealServer => ({
  address, port: 80, forward: 'dr', weight, upperThreshold: 0, lowerThreshold: 0,
});
const KEY = { protocol: 'tcp' as const, address: '198.18.0.100', port: 80 };
const OTHER = { ...KEY, port: 443 };
const service = (key = KEY, fallback = true): VirtualService => ({
  ...key, scheduler: 'wrr', schedFlags: [], sloppy: false, realServers: [real('198.18.0.11', 3), real('198.18.0.12')],
  ...(fallback ? { fallback: { address: '198.18.0.20', port: key.port } } : {}),
});

function table(o: WeightOverrides, services: VirtualService[]): string[] {
  return o.effective(services).map((s) => `${s.port}: ${s.realServers.map((r) => `${r.address}=${r.weight}`).join(' ')}`);
}

describe('health weight overrides', () => {
  it('a per-service real weight applies to that service only, beats the agent weight, and clears with null', () => {
    const o = new WeightOverrides();
    o.setDynamicWeight('198.18.0.11', 9);
    assert.equal(o.setRealWeight({ service: KEY, address: '198.18.0.11', port: 80 }, 5), true);
    assert.equal(o.setRealWeight({ service: KEY, address: '198.18.0.11', port: 80 }, 5), false);
    // Agent weights reach services that ask for them.
    const services = [service(KEY, false), service(OTHER, false)].map((v) => ({ ...v, dynamicWeights: true }));
    assert.deepEqual(table(o, services), ['80: 198.18.0.11=5 198.18.0.12=1', '443: 198.18.0.11=9 198.18.0.12=1']);
    o.setRealWeight({ service: KEY, address: '198.18.0.11', port: 80 }, null);
    assert.deepEqual(table(o, services), ['80: 198.18.0.11=9 198.18.0.12=1', '443: 198.18.0.11=9 198.18.0.12=1']);
  });

  it('quiescent still wins over a health weight', () => {
    const o = new WeightOverrides();
    o.setRealWeight({ service: KEY, address: '198.18.0.11', port: 80 }, 5);
    o.setAvailability('health', { service: KEY, address: '198.18.0.11', port: 80 }, 'quiescent');
    assert.deepEqual(table(o, [service(KEY, false)]), ['80: 198.18.0.11=0 198.18.0.12=1']);
  });

  it('adds the fallback with weight 1 only while no real server has a weight above 0', () => {
    const o = new WeightOverrides();
    const s = [service()];
    assert.deepEqual(table(o, s), ['80: 198.18.0.11=3 198.18.0.12=1']);
    o.setAvailability('health', { service: KEY, address: '198.18.0.11', port: 80 }, 'quiescent');
    assert.deepEqual(table(o, s), ['80: 198.18.0.11=0 198.18.0.12=1']);
    o.setAvailability('health', { service: KEY, address: '198.18.0.12', port: 80 }, 'removed');
    assert.deepEqual(table(o, s), ['80: 198.18.0.11=0 198.18.0.20=1']);
    o.setRealWeight({ service: KEY, address: '198.18.0.12', port: 80 }, 0);
    o.setAvailability('health', { service: KEY, address: '198.18.0.12', port: 80 }, 'up');
    assert.deepEqual(table(o, s), ['80: 198.18.0.11=0 198.18.0.12=0 198.18.0.20=1'], 'a dynamic weight 0 takes no connections either');
    o.setRealWeight({ service: KEY, address: '198.18.0.12', port: 80 }, 2);
    assert.deepEqual(table(o, s), ['80: 198.18.0.11=0 198.18.0.12=2']);
  });
});
