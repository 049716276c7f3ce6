// The admission rules for peers' sync records: the timeout each state may ask for, the room left in
// the table, and the running director's persistence as the addon matches services.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { VirtualService } from '../../src/config/model';
import { admitRecords, timeoutLimit } from '../../src/sync/admission';
import type { IpvsRecord } from '../../src/sync/ipvs_records';
import { directorLimits } from '../../src/sync/start';

function record(over: Partial<IpvsRecord>): IpvsRecord {
  return {
    offset: 8, length: 36, family: 4, protocol: 6, flags: 3, state: 1, virtualAddress: '198.18.0.100', virtualPort: 80,
    timeout: 0, template: false, ...over,
  };
}

function service(port: number, persistence?: number): VirtualService {
  return {
    protocol: 'tcp', address: '198.18.0.100', port, scheduler: 'rr', schedFlags: [], sloppy: false, realServers: [],
    ...(persistence === undefined ? {} : { persistence: { timeout: persistence, netmask: '255.255.255.255' } }),
  };
}

const limits = directorLimits({
  timeouts: () => ({ tcp: 3600, tcpfin: 30, udp: 60 }),
  effectiveServices: () => [service(443, 1800), service(0, 600), service(80)],
});

describe('sync admission', () => {
  it('each state may ask for what this director gives it: the configured three, IPVS\'s for the rest', () => {
    const limitOf = (r: Partial<IpvsRecord>): number | undefined => timeoutLimit(record(r), limits)?.seconds;
    assert.equal(limitOf({ state: 1 }), 3600);
    assert.equal(limitOf({ state: 4 }), 30);
    assert.equal(limitOf({ protocol: 17, state: 0 }), 60);
    assert.deepEqual([0, 2, 3, 5, 6, 7, 8, 9, 10].map((state) => limitOf({ state })), [2, 120, 60, 120, 10, 60, 30, 120, 120]);
  });

  it('a template may ask for its service\'s persistence: the exact port\'s service first, else the any-port one', () => {
    const limitOf = (virtualPort: number): number | null => timeoutLimit(record({ template: true, state: 0, virtualPort }), limits)?.seconds ?? null;
    assert.equal(limitOf(443), 1800);
    assert.equal(limitOf(8080), 600);
    // The addon binds port 80's records to the port-80 service, which has no persistence.
    assert.equal(limitOf(80), null);
  });

  it('keeps records in order up to the room, after leaving out the over-long ones', () => {
    const rs = [record({ timeout: 3601 }), record({ timeout: 10 }), record({ timeout: 3600 }), record({ timeout: 1 })];
    const a = admitRecords(rs, limits, 2);
    assert.deepEqual(a.kept, [rs[1], rs[2]]);
    assert.equal(a.overTimeout, 1);
    assert.equal(a.overCap, 1);
    assert.match(a.firstRefusal ?? '', /timeout 3601 s above 3600 s \(timeouts\.tcp\)/);
  });
});
