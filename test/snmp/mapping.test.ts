// The OID/value mapping of both MIBs, column by column, from fake sources; index stability; the
// notification diff; the snmp: config section.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfig } from '../../src/config';
import { notificationsBetween } from '../../src/snmp/notifications';
import { PIVS_MIB, VRRPV3_MIB } from '../../src/snmp/oids';
import { pivsValues } from '../../src/snmp/pivs_mib';
import { SnapshotTaker } from '../../src/snmp/snapshot';
import { berUnsigned } from '../../src/snmp/tree';
import type { Value } from '../../src/snmp/values';
import { vrrpv3Values } from '../../src/snmp/vrrpv3_mib';
import { FakeSources } from './fake_sources';
import { DROP_REASONS } from '../../src/dataplane/types';

function byOid(values: Value[]): Map<string, string> {
  return new Map(values.map((v) => [v.oid, `${v.type}:${Buffer.isBuffer(v.value) ? v.value.toString('hex') : String(v.value)}`]));
}

const VS = `${PIVS_MIB}.1.2.1`;
const RS = `${PIVS_MIB}.1.3.1`;
const OP = `${VRRPV3_MIB}.1.1.1.1`;
const ST = `${VRRPV3_MIB}.1.2.5.1`;

describe('PIVS-MIB values', () => {
  const sources = new FakeSources();
  const m = byOid(pivsValues(new SnapshotTaker(sources).take()));

  it('serves the general scalars', () => {
    assert.equal(m.get(`${PIVS_MIB}.1.1.1.0`), `OctetString:${Buffer.from('9.8.7').toString('hex')}`);
    assert.equal(m.get(`${PIVS_MIB}.1.1.2.0`), 'Gauge:2');
    assert.equal(m.get(`${PIVS_MIB}.1.1.3.0`), 'Gauge:4096');
  });

  it('serves every virtual service column, indexed in list order from 1', () => {
    const expected: [number, string][] = [
      [2, 'Integer:6'], [3, 'Integer:1'], [4, 'OctetString:c612000a'], [5, 'Gauge:80'],
      [6, `OctetString:${Buffer.from('wlc').toString('hex')}`], [7, 'Gauge:0'], [8, 'Counter64:300'],
      [9, 'Counter64:3000'], [10, 'Counter64:15000000000'], [11, 'Counter64:0'], [12, 'Counter64:0'],
      [13, 'Gauge:7'], [14, 'Gauge:70'], [15, 'Gauge:7000'], [16, 'Gauge:2'],
    ];
    for (const [col, v] of expected) assert.equal(m.get(`${VS}.${col}.1`), v, `column ${col}`);
    // The IPv6 UDP service with persistence.
    assert.equal(m.get(`${VS}.2.2`), 'Integer:17');
    assert.equal(m.get(`${VS}.3.2`), 'Integer:2');
    assert.equal(m.get(`${VS}.4.2`), 'OctetString:20010db8000000000000000000000053');
    assert.equal(m.get(`${VS}.7.2`), 'Gauge:360');
    assert.equal(m.has(`${VS}.1.1`), false, 'the index column is not-accessible');
  });

  it('serves every real server column under (service, real) indexes', () => {
    const expected: [number, string][] = [
      [2, 'Integer:1'], [3, 'OctetString:c6120102'], [4, 'Gauge:80'], [5, 'Gauge:3'], [6, 'Gauge:0'],
      [7, 'Integer:3'], [8, 'Gauge:6'], [9, 'Gauge:2'], [10, 'Gauge:0'], [11, 'Counter64:200'],
      [12, 'Counter64:2000'], [13, 'Counter64:10000000000'], [14, 'Gauge:2'], [15, 'Gauge:20'],
      [16, 'Gauge:2000'], [17, 'Gauge:0'],
    ];
    for (const [col, v] of expected) assert.equal(m.get(`${RS}.${col}.1.2`), v, `column ${col}`);
    assert.equal(m.get(`${RS}.7.1.1`), 'Integer:1', 'health up');
    assert.equal(m.get(`${RS}.17.1.1`), 'Gauge:250', 'agent load');
  });

  it('serves sync counters, links and the health summary', () => {
    assert.deepEqual([1, 2, 3, 4, 5].map((c) => m.get(`${PIVS_MIB}.1.4.${c}.0`)),
      ['Counter64:11', 'Counter64:22', 'Counter64:33', 'Counter64:44', 'Counter64:5']);
    assert.equal(m.get(`${PIVS_MIB}.1.4.6.0`), 'Gauge:1');
    assert.equal(m.get(`${PIVS_MIB}.1.5.1.2.2`), `OctetString:${Buffer.from('lan-b').toString('hex')}`);
    assert.equal(m.get(`${PIVS_MIB}.1.5.1.3.1`), `OctetString:${Buffer.from('eth0').toString('hex')}`);
    assert.equal(m.get(`${PIVS_MIB}.1.5.1.4.1`), 'Integer:1');
    assert.equal(m.get(`${PIVS_MIB}.1.5.1.5.1`), 'Integer:1');
    assert.equal(m.get(`${PIVS_MIB}.1.5.1.5.2`), 'Integer:2');
    assert.equal(m.get(`${PIVS_MIB}.1.5.1.6.1`), 'Counter:0');
    assert.deepEqual([1, 2, 3].map((c) => m.get(`${PIVS_MIB}.1.6.${c}.0`)), ['Gauge:1', 'Gauge:0', 'Gauge:1']);
  });

  it('serves the dataplane drops, one row per reason in DROP_REASONS order', () => {
    DROP_REASONS.forEach((reason, i) => {
      assert.equal(m.get(`${PIVS_MIB}.1.7.1.2.${i + 1}`), `OctetString:${Buffer.from(reason).toString('hex')}`);
    });
    assert.equal(m.get(`${PIVS_MIB}.1.7.1.3.1`), 'Counter64:3', 'malformed');
    assert.equal(m.get(`${PIVS_MIB}.1.7.1.3.2`), 'Counter64:1', 'tooBig');
    assert.equal(m.get(`${PIVS_MIB}.1.7.1.3.3`), 'Counter64:0', 'noConnection');
  });

  it('keeps a row index when rows before it go away, and never reuses one', () => {
    const s = new FakeSources();
    const taker = new SnapshotTaker(s);
    taker.take();
    const dns = s.listResult.virtualServices[1]!;
    s.listResult.virtualServices = [dns];
    const after = byOid(pivsValues(taker.take()));
    assert.equal(after.get(`${VS}.2.2`), 'Integer:17');
    assert.equal(after.has(`${VS}.2.1`), false);
    s.listResult.virtualServices = [dns, { ...structuredClone(dns), port: 5353 }];
    assert.equal(byOid(pivsValues(taker.take())).get(`${VS}.5.3`), 'Gauge:5353');
  });

  it('serves values in OID order with no table when there is nothing to list', () => {
    const s = new FakeSources();
    s.listResult.virtualServices = [];
    s.linkViews = [];
    const values = pivsValues(new SnapshotTaker(s).take());
    assert.equal(values.some((v) => v.oid.startsWith(`${VS}.`) || v.oid.startsWith(`${RS}.`)), false);
    const oids = values.map((v) => v.oid);
    assert.deepEqual(oids.slice(0, 3), [`${PIVS_MIB}.1.1.1.0`, `${PIVS_MIB}.1.1.2.0`, `${PIVS_MIB}.1.1.3.0`]);
  });
});

describe('VRRPv3-MIB values', () => {
  const sources = new FakeSources();
  const startMs = 1_000_000;
  sources.vrrpInstances[0]!.state = 'master';
  sources.vrrpInstances[0]!.upSinceMs = startMs + 12_340;
  sources.vrrpInstances[0]!.newMasterReason = 'preempted';
  const m = byOid(vrrpv3Values(new SnapshotTaker(sources).take(), startMs));
  const x = '2.51.1';

  it('serves the operations table indexed by ifIndex, VRID and address type', () => {
    const expected: [number, string][] = [
      [3, 'OctetString:c6120002'], [4, 'OctetString:c6120003'], [5, 'OctetString:00005e000133'],
      [6, 'Integer:3'], [7, 'Gauge:150'], [8, 'Integer:2'], [9, 'Integer:100'], [10, 'Integer:1'],
      [11, 'Integer:2'], [12, 'TimeTicks:1234'], [13, 'Integer:1'],
    ];
    for (const [col, v] of expected) assert.equal(m.get(`${OP}.${col}.${x}`), v, `column ${col}`);
  });

  it('serves one associated address row per virtual address, InetAddress-indexed', () => {
    assert.equal(m.get(`${VRRPV3_MIB}.1.1.2.1.2.${x}.4.198.18.0.10`), 'Integer:1');
    assert.equal(m.get(`${VRRPV3_MIB}.1.1.2.1.2.${x}.4.198.18.0.11`), 'Integer:1');
  });

  it('serves the statistics table and the global statistics', () => {
    const expected: [number, string][] = [
      [1, 'Counter:4'], [2, 'Integer:2'], [3, 'Counter64:1234'], [4, 'Counter64:1'], [5, 'Counter64:2'],
      [6, 'Integer:0'], [7, 'Counter64:3'], [8, 'Counter64:5'], [9, 'Counter64:6'], [10, 'Counter64:7'],
      [11, 'Counter64:8'], [12, 'TimeTicks:0'], [13, 'Gauge:1000'],
    ];
    for (const [col, v] of expected) assert.equal(m.get(`${ST}.${col}.${x}`), v, `column ${col}`);
    assert.deepEqual([1, 2, 3].map((c) => m.get(`${VRRPV3_MIB}.1.2.${c}.0`)), ['Counter64:1', 'Counter64:2', 'Counter64:3']);
  });

  it('uses the IPv6 virtual MAC and address type for an IPv6 instance', () => {
    const s = new FakeSources();
    s.vrrpInstances = [{ ...s.vrrpInstances[0]!, family: 'ipv6', virtualAddresses: ['2001:db8::1'], masterAddress: 'fe80::1' }];
    const v6 = byOid(vrrpv3Values(new SnapshotTaker(s).take(), 0));
    assert.equal(v6.get(`${OP}.5.2.51.2`), 'OctetString:00005e000233');
    assert.equal(v6.get(`${VRRPV3_MIB}.1.1.2.1.2.2.51.2.16.32.1.13.184.0.0.0.0.0.0.0.0.0.0.0.1`), 'Integer:1');
  });
});

describe('notifications between snapshots', () => {
  it('sends vrrpv3NewMaster with the master address and reason when an instance becomes master', () => {
    const s = new FakeSources();
    const taker = new SnapshotTaker(s);
    const before = taker.take();
    s.vrrpInstances[0]!.state = 'master';
    s.vrrpInstances[0]!.masterAddress = '198.18.0.3';
    s.vrrpInstances[0]!.newMasterReason = 'masterNoResponse';
    const [n, ...rest] = notificationsBetween(before, taker.take());
    assert.equal(rest.length, 0);
    assert.equal(n!.oid, `${VRRPV3_MIB}.0.1`);
    assert.deepEqual(n!.values.map((v) => [v.oid, Buffer.isBuffer(v.value) ? v.value.toString('hex') : v.value]), [
      [`${OP}.3.2.51.1`, 'c6120003'], [`${ST}.2.2.51.1`, 3],
    ]);
  });

  it('sends realServerDown on down, realServerUp only on recovery, nothing when steady', () => {
    const s = new FakeSources();
    const taker = new SnapshotTaker(s);
    const a = taker.take();
    assert.deepEqual(notificationsBetween(a, taker.take()), []);
    s.health.set('198.18.1.1', { health: 'down' });
    const b = taker.take();
    const down = notificationsBetween(a, b);
    assert.deepEqual(down.map((n) => n.oid), [`${PIVS_MIB}.0.2`]);
    assert.deepEqual(down[0]!.values.map((v) => v.oid), [2, 3, 4, 7].map((c) => `${RS}.${c}.1.1`));
    assert.equal(down[0]!.values[3]!.value, 2);
    s.health.set('198.18.1.1', { health: 'up' });
    s.health.set('198.18.1.2', { health: 'up' });
    const up = notificationsBetween(b, taker.take());
    assert.deepEqual(up.map((n) => [n.oid, n.values[0]!.oid]), [[`${PIVS_MIB}.0.1`, `${RS}.2.1.1`]]);
  });

  it('sends pivsLinkFailover naming the link now active', () => {
    const s = new FakeSources();
    const taker = new SnapshotTaker(s);
    const a = taker.take();
    s.linkViews[0]!.active = false;
    s.linkViews[0]!.up = false;
    s.linkViews[1]!.active = true;
    const [n] = notificationsBetween(a, taker.take());
    assert.equal(n!.oid, `${PIVS_MIB}.0.3`);
    assert.equal((n!.values[0]!.value as Buffer).toString(), 'lan-b');
  });
});

describe('Counter64 BER bytes', () => {
  it('is minimal and never negative', () => {
    assert.equal(berUnsigned(0n).toString('hex'), '00');
    assert.equal(berUnsigned(127n).toString('hex'), '7f');
    assert.equal(berUnsigned(128n).toString('hex'), '0080');
    assert.equal(berUnsigned(15_000_000_000n).toString('hex'), '037e11d600');
    assert.equal(berUnsigned(2n ** 64n - 1n).toString('hex'), '00ffffffffffffffff');
  });
});

describe('snmp: config section', () => {
  const base = 'director: {interface: eth0}\n';
  it('fills defaults and keeps users and trap targets', () => {
    const c = parseConfig(`${base}snmp:\n  agentx: true\n  listen: "127.0.0.1:1161"\n  community: mon\n` +
      '  users: [{name: ops, authKey: "authpass1", privKey: "privpass1"}]\n' +
      '  trapTargets: [{address: "198.18.0.9", community: mon}, {address: "198.18.0.9:1162", user: ops}]\n');
    assert.deepEqual(c.snmp, {
      agentx: { socket: '/var/agentx/master' },
      listen: { host: '127.0.0.1', port: 1161 },
      community: 'mon',
      users: [{ name: 'ops', authProtocol: 'sha', authKey: 'authpass1', privProtocol: 'aes', privKey: 'privpass1' }],
      trapTargets: [{ host: '198.18.0.9', port: 162, community: 'mon' }, { host: '198.18.0.9', port: 1162, user: 'ops' }],
    });
    assert.equal(parseConfig(base).snmp, undefined);
  });

  it('refuses bad sections with one sentence naming the field', () => {
    const bad: [string, RegExp][] = [
      ['snmp: {community: x}', /snmp.*serves nothing/],
      ['snmp: {listen: "127.0.0.1:1161"}', /snmp\.listen.*needs a community/],
      ['snmp: {listen: "localhost:1161", community: x}', /snmp\.listen.*not ADDRESS:PORT/],
      ['snmp: {agentx: {socket: relative}}', /snmp\.agentx\.socket/],
      ['snmp: {listen: "127.0.0.1:1161", users: [{name: a, authKey: short, privKey: "longenough"}]}', /snmp\.users\[0\]\.authKey.*8 characters/],
      ['snmp: {agentx: true, trapTargets: [{address: "198.18.0.9", user: nobody}]}', /snmp\.trapTargets\[0\]\.user/],
      ['snmp: {agentx: true, trapTargets: [{address: "198.18.0.9"}]}', /exactly one of community/],
      ['snmp: {agentx: true, bogus: 1}', /snmp\.bogus.*not a known setting/],
    ];
    for (const [yaml, re] of bad) assert.throws(() => parseConfig(`${base}${yaml}\n`), re, yaml);
  });
});
