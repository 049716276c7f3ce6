// One real server, written two ways, is one real server for the config file, for pivsadm's
// commands and for the dataplane: each refuses the second by realServerKey().
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { realServerKey } from '../../src/config/address';
import { ConfigError, parseConfig } from '../../src/config';
import { applyCommand } from '../../src/control/state';
import { openDataplane } from '../../src/dataplane';

const VIP = '2001:db8::10';
const ONE = '2001:db8::11';
const SAME = '2001:DB8:0:0::11';

test('realServerKey: the same address however written, and the port', () => {
  assert.equal(realServerKey({ address: ONE, port: 80 }), realServerKey({ address: SAME, port: 80 }));
  assert.notEqual(realServerKey({ address: ONE, port: 80 }), realServerKey({ address: ONE, port: 81 }));
});

test('the config, the control commands and the dataplane refuse the same second real server', () => {
  assert.throws(() => parseConfig(`
director: {interface: eth0}
virtualServices:
  - {protocol: tcp, address: "${VIP}", port: 80, realServers: [{address: "${ONE}"}, {address: "${SAME}"}]}
`), (e: unknown) => e instanceof ConfigError && /realServers\[1\]\.address: .* is already realServers\[0\]/.test(e.message));

  const config = parseConfig(`
director: {interface: eth0}
virtualServices:
  - {protocol: tcp, address: "${VIP}", port: 80, realServers: [{address: "${ONE}"}]}
`);
  const r = applyCommand(config, { method: 'addReal', params: {
    key: { protocol: 'tcp', address: VIP, port: 80 },
    real: { address: SAME, port: 80, forward: 'dr', weight: 1, upperThreshold: 0, lowerThreshold: 0 },
  } });
  assert.equal(r.ok ? 'accepted' : r.error.code, 'RealExists');

  const dp = openDataplane({ interface: null, workers: 1, connTableSize: 16, mhTableSize: 65537 });
  try {
    const service = config.virtualServices[0];
    const twice = { ...service, realServers: [service.realServers[0], { ...service.realServers[0], address: SAME }] };
    assert.throws(() => dp.apply([twice]), /lists real server .* twice/);
  } finally {
    dp.close();
  }
});
