// Properties of the IPVS v1 record reader that the transport's admission rules stand on: records
// read back as written (optional parameters and 4-byte alignment included), a subset re-packs into
// the message IPVS would have built, hostile bytes never make it throw, and it accepts exactly the
// messages the addon's own decoder accepts, so no valid peer message is refused for its shape.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { readIpvsRecords, repackIpvsMessage, type IpvsRecord } from '../../src/sync/ipvs_records';
import { hostile, ipv4, ipv6, runs } from '../arp/hostile';
import { openSimulated, service } from '../dataplane/helpers';
import { F_DROUTE, F_TEMPLATE, syncRecord } from '../dataplane/sync_bytes';

const SYNC_ID = 7;

interface Spec {
  v6: boolean;
  protocol: 6 | 17;
  template: boolean;
  state: number;
  vaddr: string;
  vport: number;
  timeout: number;
  /** Optional parameters (type, value), appended after the fixed part. */
  params: Array<[number, Buffer]>;
}

const spec: fc.Arbitrary<Spec> = fc.record({
  v6: fc.boolean(),
  protocol: fc.constantFrom<6 | 17>(6, 17),
  template: fc.boolean(),
  state: fc.integer({ min: 0, max: 10 }),
  vaddr4: ipv4,
  vaddr6: ipv6,
  vport: fc.integer({ min: 0, max: 65535 }),
  timeout: fc.oneof(fc.constantFrom(0, 60, 120, 300, 900, 0x7fffffff, 0xffffffff), fc.nat()),
  params: fc.array(fc.tuple(fc.integer({ min: 0, max: 255 }), fc.uint8Array({ minLength: 1, maxLength: 9 }).map((a) => Buffer.from(a))), { maxLength: 2 }),
}).map((r) => ({
  v6: r.v6, protocol: r.protocol, template: r.template,
  // UDP entries have the one state 0, as IPVS sends them.
  state: r.protocol === 17 && !r.template ? 0 : r.state,
  vaddr: r.v6 ? r.vaddr6 : r.vaddr4, vport: r.vport, timeout: r.timeout, params: r.params,
}));

function recordBytes(s: Spec): Buffer {
  const fixed = syncRecord({
    protocol: s.protocol, flags: F_DROUTE | (s.template ? F_TEMPLATE : 0), state: s.state, cport: 40000, vport: s.vport,
    dport: 80, timeout: s.timeout, caddr: s.v6 ? '2001:db8::1' : '198.18.0.1', vaddr: s.vaddr, daddr: s.v6 ? '2001:db8::11' : '198.18.0.11',
  });
  const params = s.params.map(([type, value]) => Buffer.concat([Buffer.from([type, value.length]), value]));
  const b = Buffer.concat([fixed, ...params]);
  b.writeUInt16BE(b.length, 2);
  return b;
}

/** A message as IPVS packs it: each record on a 4-byte boundary, the last one ending the message. */
function message(records: Buffer[]): Buffer {
  const parts: Buffer[] = [Buffer.from([0, SYNC_ID, 0, 0, records.length, 1, 0, 0])];
  records.forEach((r, i) => {
    parts.push(r);
    if (i < records.length - 1) parts.push(Buffer.alloc(((r.length + 3) & ~3) - r.length));
  });
  const m = Buffer.concat(parts);
  m.writeUInt16BE(m.length, 2);
  return m;
}

const specs = fc.array(spec, { maxLength: 12 });
const valid = specs.map((s) => ({ specs: s, bytes: message(s.map(recordBytes)) }));
const fields = [
  { offset: 2, width: 2 as const }, { offset: 4, width: 1 as const },
  { offset: 10, width: 2 as const }, { offset: 9, width: 1 as const }, { offset: 16, width: 2 as const },
];
const hostileMessage = hostile(valid.map((m) => m.bytes), fields);

function read(b: Buffer): IpvsRecord[] | string {
  const r = readIpvsRecords(b);
  if (typeof r === 'string') assert.notEqual(r, '');
  return r;
}

test('records read back as written: family, protocol, state, virtual address and port, timeout, template', () => {
  fc.assert(fc.property(valid, (m) => {
    const records = read(m.bytes);
    assert.ok(typeof records !== 'string', records as string);
    assert.deepEqual(records.map((r) => [r.family, r.protocol, r.template, r.state, r.virtualAddress, r.virtualPort, r.timeout]),
      m.specs.map((s) => [s.v6 ? 6 : 4, s.protocol, s.template, s.state, s.vaddr, s.vport, s.timeout]));
  }), runs);
});

test('every record re-packs into the same message, and a subset into the message IPVS would build of it', () => {
  fc.assert(fc.property(valid, fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }), (m, keep) => {
    const records = read(m.bytes);
    assert.ok(typeof records !== 'string');
    assert.deepEqual(repackIpvsMessage(m.bytes, records), m.bytes);
    const kept = records.filter((_, i) => keep[i]);
    assert.deepEqual(repackIpvsMessage(m.bytes, kept), message(m.specs.filter((_, i) => keep[i]).map(recordBytes)));
  }), runs);
});

test('readIpvsRecords never throws on hostile bytes', () => {
  fc.assert(fc.property(hostileMessage, (b) => { read(b); }), runs);
});

const dataplane = openSimulated([service()]);
dataplane.configureSync({ syncId: SYNC_ID, maxMessageSize: 1472, flushDelayMs: 1000, threshold: 3, period: 50 });
after(() => dataplane.close());

test('it accepts exactly the messages the addon\'s decoder accepts', () => {
  fc.assert(fc.property(fc.oneof(hostileMessage, valid.map((m) => m.bytes)), (b) => {
    // A header the transport already refuses never reaches either reader.
    if (b.length < 8 || b[1] !== SYNC_ID) return;
    const ours = read(b);
    let native: string | null = null;
    try {
      dataplane.installSync(b);
    } catch (e) {
      native = (e as Error).message;
    }
    assert.equal(typeof ours === 'string', native !== null, `ours: ${typeof ours === 'string' ? ours : 'accepted'}; addon: ${native ?? 'accepted'}; ${b.toString('hex')}`);
  }), runs);
});
