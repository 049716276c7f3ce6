// native/contract.h is the one table of the N-API surface: the addon built from it, the generated
// src/dataplane/contract.ts and the objects that cross N-API must all say the same.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { CONTRACT, DROP_REASONS, PROPERTIES, SCHEDULER_IDS, SCHEDULERS } from '../../src/dataplane/contract';
import { toNativeServices } from '../../src/dataplane/convert';
import { contractDifference, loadNative, packageRoot } from '../../src/dataplane/native';
import { service, real } from './helpers';

interface Generator {
  generate(header: string): string;
  parse(header: string): typeof CONTRACT;
  staleness(header: string, output: string): string | null;
}
const root = packageRoot();
const generator = require(path.join(root, 'scripts', 'contract')) as Generator;
const header = fs.readFileSync(path.join(root, 'native', 'contract.h'), 'utf8');

const sorted = (names: Iterable<string>) => [...names].sort();

describe('the contract between native/ and src/dataplane/', () => {
  it('src/dataplane/contract.ts is what scripts/contract makes of native/contract.h', () => {
    const output = fs.readFileSync(path.join(root, 'src', 'dataplane', 'contract.ts'), 'utf8');
    assert.equal(generator.staleness(header, output), null);
  });

  it('the addon was built from the same table', () => {
    const addon = loadNative();
    assert.deepStrictEqual(addon.contract, CONTRACT);
    assert.equal(contractDifference(addon.contract), null);
  });

  it('says which part differs for an addon built from another table', () => {
    const other = { ...CONTRACT, schedulers: { ...SCHEDULER_IDS, rr: 1 } };
    assert.equal(contractDifference(other), 'schedulers');
    assert.equal(contractDifference({ ...CONTRACT, properties: {} }), 'properties');
    assert.equal(contractDifference(undefined), 'schedulers');
  });

  it('a changed header makes the generated file stale, with one sentence saying what to run', () => {
    const output = generator.generate(header);
    const changed = header.replace('X(HAS, "has", 14)', 'X(HAS, "has", 15)');
    assert.notEqual(changed, header);
    assert.equal(generator.parse(changed).schedulers.has, 15);
    assert.match(generator.staleness(changed, output) ?? '', /^src\/dataplane\/contract\.ts does not match native\/contract\.h: run scripts\/contract to regenerate it\.$/);
  });

  it('refuses a header it cannot read, in one sentence naming the list', () => {
    const bad = header.replace('X(SH, "sh", 6)', 'X(SH, sh, 6)');
    assert.throws(() => generator.parse(bad), /^Error: native\/contract\.h: PIVS_SCHEDULERS has sh where a "quoted" name belongs\.$/);
    const twice = header.replace('X(DH, "dh", 7)', 'X(DH, "dh", 6)');
    assert.throws(() => generator.parse(twice), /PIVS_SCHEDULERS gives the id 6 twice\./);
    const stray = header.replace('X(conns) X(inpkts)', 'X(conns) inpkts');
    assert.throws(() => generator.parse(stray), /PIVS_COUNTERS holds "inpkts.*", neither X\(\.\.\.\) nor another list\./);
  });

  it('the addon exports and the Dataplane members are the ones listed', () => {
    const addon = loadNative();
    assert.deepEqual(sorted(Object.keys(addon)), sorted(PROPERTIES.addon_exports));
    const members = Object.getOwnPropertyNames(addon.Dataplane.prototype).filter((n) => n !== 'constructor');
    assert.deepEqual(sorted(members), sorted(PROPERTIES.dataplane_members));
  });

  it('the objects the addon hands back carry exactly the listed properties', () => {
    const native = new (loadNative().Dataplane)(null, 1, 16, 65537, null, { backend: 'af_packet', xdpObject: '' });
    try {
      assert.deepEqual(Object.keys(native.backend()), [...PROPERTIES.running_backend]);
      native.apply(toNativeServices([service({ realServers: [real('198.18.0.21')] })]));
      const [stats] = native.stats();
      assert.deepEqual(Object.keys(stats), [...PROPERTIES.service_stats]);
      assert.deepEqual(Object.keys(stats.reals[0]), [...PROPERTIES.real_stats]);
      const counters = native.counters();
      assert.deepEqual(Object.keys(counters), [...PROPERTIES.dataplane_counters]);
      assert.deepEqual(Object.keys(counters.drops), [...DROP_REASONS]);
      assert.deepEqual(Object.keys(native.connections(0, 1)), [...PROPERTIES.connection_page]);
    } finally {
      native.close();
    }
  });

  it('each scheduler reaches the addon by its own id', () => {
    for (const scheduler of SCHEDULERS) {
      const [spec] = toNativeServices([service({ scheduler, realServers: [real('198.18.0.21')] })]);
      assert.equal(spec.sched, SCHEDULER_IDS[scheduler]);
    }
  });
});
