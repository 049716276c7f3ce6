import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LinkStatus } from '../../src/link';
import { linkStatus, vrrpStatus } from '../../src/status';
import type { VrrpInstanceStatus } from '../../src/vrrp';

const DROPPED = { ttl: 0, version: 0, checksum: 0, auth: 0, interval: 0, peer: 4, heartbeat: 1 };

test('VRRP states in the status document\'s words: lower-case state, priority configured and in force', () => {
  const runtime = {
    name: 'VI_1', interface: 'eth0', virtualRouterId: 51, version: 3, state: 'FAULT', priority: 150, effectivePriority: 90,
    masterAddress: null, virtualAddresses: ['198.18.0.10'],
    counters: { advertsDropped: { ttl: 0, version: 0, checksum: 0, auth: 0, interval: 0, peer: 4, heartbeat: 1 } },
  } as unknown as VrrpInstanceStatus;
  assert.deepStrictEqual(vrrpStatus([runtime, { ...runtime, state: 'INIT' }, { ...runtime, state: 'MASTER', masterAddress: '198.18.0.2' }]), [
    { name: 'VI_1', virtualRouterId: 51, interface: 'eth0', version: 3, state: 'fault', priority: 150, effectivePriority: 90, master: null, virtualAddresses: ['198.18.0.10'], advertsDropped: DROPPED },
    { name: 'VI_1', virtualRouterId: 51, interface: 'eth0', version: 3, state: 'initialize', priority: 150, effectivePriority: 90, master: null, virtualAddresses: ['198.18.0.10'], advertsDropped: DROPPED },
    { name: 'VI_1', virtualRouterId: 51, interface: 'eth0', version: 3, state: 'master', priority: 150, effectivePriority: 90, master: '198.18.0.2', virtualAddresses: ['198.18.0.10'], advertsDropped: DROPPED },
  ]);
});

test('links: one entry per interface with carrier and the active one', () => {
  const s: LinkStatus = {
    links: [{ interface: 'eth0', up: false, active: false, changes: 2 }, { interface: 'eth1', up: true, active: true, changes: 0 }],
    active: 'eth1', failovers: 1, holdDownMs: 5000, lastChange: null,
  };
  assert.deepStrictEqual(linkStatus(s), [
    { name: 'eth0', interface: 'eth0', up: false, active: false },
    { name: 'eth1', interface: 'eth1', up: true, active: true },
  ]);
});
