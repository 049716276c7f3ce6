// Each limit that the config file, the codecs and the dataplane all check is written once: these
// fail if one of them used its own bound or its own sentence.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CONN_TABLE_SIZE, MH_TABLE_SIZE, connTableSizeProblem, isPrime, mhTableSizeProblem } from '../../src/common/limits';
import { INTERFACE_NAME_RULE, isInterfaceName } from '../../src/common/names';
import { ConfigError, parseConfig } from '../../src/config';
import { openDataplane, type DataplaneOptions } from '../../src/dataplane';

function configError(director: string): string {
  try {
    parseConfig(`director: {${director.startsWith('interface:') ? '' : 'interface: eth0, '}${director}}`);
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return e.message;
  }
  assert.fail(`the config accepted ${director}`);
}

function dataplaneError(options: Partial<DataplaneOptions>): string {
  const base: DataplaneOptions = { interface: null, workers: 1, connTableSize: 4096, mhTableSize: 65537 };
  let dp;
  try {
    dp = openDataplane({ ...base, ...options });
  } catch (e) {
    return (e as Error).message;
  }
  dp.close();
  assert.fail(`the dataplane accepted ${JSON.stringify(options)}`);
}

test('isPrime', () => {
  assert.deepEqual([1, 2, 3, 4, 65535, 65537, 1048573, 1048575].map(isPrime), [false, true, true, false, false, true, true, false]);
});

// For mhTableSize: 2 is prime but below the addon's 3, 1048583 the first prime above its 1048573,
// 65535 not prime.
const refused = [
  { setting: 'connTableSize', problem: connTableSizeProblem, values: [CONN_TABLE_SIZE.min - 1, CONN_TABLE_SIZE.max + 1] },
  { setting: 'mhTableSize', problem: mhTableSizeProblem, values: [2, 1_048_583, 65535] },
] as const;

for (const { setting, problem, values } of refused) {
  for (const n of values) {
    test(`${setting} ${n} is refused by the config and the dataplane in the same words`, () => {
      const why = problem(n);
      assert.ok(why !== undefined);
      assert.equal(configError(`${setting}: ${n}`), `config: director.${setting}: ${why}`);
      assert.equal(dataplaneError({ [setting]: n }), `${setting}: ${why}.`);
    });
  }
}

test('the bounds of connTableSize are accepted by the config, the smallest by the dataplane too', () => {
  for (const n of [CONN_TABLE_SIZE.min, CONN_TABLE_SIZE.max]) {
    assert.equal(parseConfig(`director: {interface: eth0, connTableSize: ${n}}`).director.connTableSize, n);
  }
  openDataplane({ interface: null, workers: 1, connTableSize: CONN_TABLE_SIZE.min, mhTableSize: 65537 }).close();
});

test('the bounds of mhTableSize are accepted by the config and the dataplane', () => {
  for (const n of [MH_TABLE_SIZE.min, MH_TABLE_SIZE.max]) {
    assert.equal(parseConfig(`director: {interface: eth0, mhTableSize: ${n}}`).director.mhTableSize, n);
    openDataplane({ interface: null, workers: 1, connTableSize: 16, mhTableSize: n }).close();
  }
});

for (const name of ['a/b', 'a:b', 'a b', '..', 'sixteen-chars-xx', 'é', '']) {
  test(`interface name ${JSON.stringify(name)} is refused by the config and the dataplane`, () => {
    assert.equal(isInterfaceName(name), false);
    assert.ok(configError(`interface: ${JSON.stringify(name)}`).endsWith(`is not a Linux interface name (${INTERFACE_NAME_RULE})`));
    assert.equal(dataplaneError({ interface: name }), `The dataplane interface must be null or an interface name (${INTERFACE_NAME_RULE}).`);
  });
}

test('interface names the kernel takes are taken everywhere', () => {
  for (const name of ['eth0', 'lan0.100', 'a-b_c', 'fifteen-chars-x']) assert.equal(isInterfaceName(name), true, name);
  assert.equal(parseConfig('director: {interface: fifteen-chars-x}').director.interface, 'fifteen-chars-x');
});
