// Properties of the agent load report codec: round trip, hostile datagrams (signed with the right
// key too, as an agent holding the key but running broken code would send), re-encoding stability.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { REPORT_LENGTH, decodeReport, encodeReport, type DecodeResult, type LoadReport } from '../../src/agent/codec';
import { canonicalAddress } from '../../src/config/address';
import { anyBytes, hostile, ipv4, ipv6, runs } from '../arp/hostile';

const KEY = '0123456789abcdef0123';
const SIGNED = 52;

const report: fc.Arbitrary<LoadReport> = fc.record({
  // fast-check's own IPv6 text too: "::ffff:1.2.3.4", leading zeros, upper case hex.
  address: fc.oneof(ipv4, ipv6, fc.ipV6()),
  loadIndex: fc.oneof(fc.double({ min: 0, noNaN: true, noDefaultInfinity: true }), fc.constantFrom(0, -0, Number.MIN_VALUE, Number.MAX_VALUE)),
  weight: fc.integer({ min: 0, max: 65535 }),
  seq: fc.oneof(fc.bigInt(0n, 2n ** 64n - 1n), fc.bigInt(-(2n ** 70n), 2n ** 70n)),
  timeMs: fc.oneof(
    fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
    fc.double({ min: -1e20, max: 2 ** 64 - 2 ** 12, noNaN: true }),
    fc.constantFrom(1700000000000, 2 ** 63, 2 ** 64 - 2 ** 11),
  ),
}, { requiredKeys: ['address', 'loadIndex', 'seq', 'timeMs'], noNullPrototype: true });

/** What the wire keeps of a report: the canonical address, 64 bits of seq, whole ms from 0. */
const canonical = (r: LoadReport): LoadReport => ({
  ...r,
  address: canonicalAddress(r.address).address,
  seq: BigInt.asUintN(64, r.seq),
  timeMs: Math.max(0, Math.floor(r.timeMs)),
});

function signed(b: Buffer, key: string | Buffer = KEY): Buffer {
  if (b.length !== REPORT_LENGTH) return b;
  const out = Buffer.from(b);
  createHmac('sha256', key).update(out.subarray(0, SIGNED)).digest().copy(out, SIGNED);
  return out;
}

const datagram = report.map((r) => encodeReport(r, KEY));
const fields = [
  { offset: 4, width: 1 as const }, { offset: 5, width: 1 as const }, { offset: 8, width: 8 as const }, { offset: 16, width: 8 as const },
  { offset: 24, width: 8 as const }, { offset: 32, width: 1 as const }, { offset: 33, width: 1 as const },
];
// Every field filled with any value its width holds, and signed: what an agent with the key could send.
const u64 = fc.bigInt(0n, 2n ** 64n - 1n);
const byte = fc.integer({ min: 0, max: 255 });
const rawDatagram = fc.record({
  flags: fc.oneof(fc.constantFrom(0, 1), byte), weight: fc.integer({ min: 0, max: 0xffff }), seq: u64, time: u64,
  loadIndex: fc.oneof(fc.double(), u64.map((x) => { const b = Buffer.alloc(8); b.writeBigUInt64BE(x); return b.readDoubleBE(0); })),
  family: fc.oneof(fc.constantFrom(4, 6), byte), reserved: fc.oneof(fc.constant(Buffer.alloc(3)), anyBytes(3)),
  address: fc.uint8Array({ minLength: 16, maxLength: 16 }),
}).map((f) => {
  const b = Buffer.alloc(REPORT_LENGTH);
  b.write('PVAG', 0, 'latin1');
  b[4] = 1;
  b[5] = f.flags;
  b.writeUInt16BE(f.weight, 6);
  b.writeBigUInt64BE(f.seq, 8);
  b.writeBigUInt64BE(f.time, 16);
  b.writeDoubleBE(f.loadIndex, 24);
  b[32] = f.family;
  f.reserved.copy(b, 33);
  Buffer.from(f.address).copy(b, 36);
  return signed(b);
});
const hostileDatagram = fc.oneof(hostile(datagram, fields), hostile(datagram, fields).map((b) => signed(b)), rawDatagram);

/** decodeReport never throws: a report, or a reason to drop the datagram. */
function decode(b: Buffer): DecodeResult {
  const d = decodeReport(b, KEY);
  if (!d.ok) assert.ok(typeof d.reason === 'string' && d.reason !== '', 'a refusal says why');
  return d;
}

test('decode(encode(r)) is r as the wire keeps it, and re-encodes byte for byte', () => {
  fc.assert(fc.property(report, (r) => {
    const bytes = encodeReport(r, KEY);
    const d = decode(bytes);
    assert.ok(d.ok);
    assert.deepEqual(d.report, canonical(r));
    assert.deepEqual(encodeReport(d.report, KEY), bytes);
  }), runs);
});

test('another key, or any byte changed, makes the report refused', () => {
  fc.assert(fc.property(report, anyBytes(64).filter((k) => !k.equals(Buffer.from(KEY))), (r, key) => {
    assert.equal(decode(encodeReport(r, key)).ok, false);
  }), runs);
  fc.assert(fc.property(datagram, fc.nat(REPORT_LENGTH - 1), fc.integer({ min: 1, max: 255 }), (b, i, x) => {
    b[i] ^= x;
    assert.equal(decode(b).ok, false);
  }), runs);
});

test('decode never throws: it returns a report or a reason', () => {
  fc.assert(fc.property(hostileDatagram, (bytes) => {
    decode(bytes);
  }), runs);
});

test('whatever decodes re-encodes to a report that decodes the same, then byte for byte', () => {
  fc.assert(fc.property(fc.oneof(hostileDatagram, datagram), (bytes) => {
    const first = decode(bytes);
    if (!first.ok) return;
    const again = encodeReport(first.report, KEY);
    const second = decode(again);
    assert.deepEqual(second, first);
    assert.ok(second.ok);
    assert.deepEqual(encodeReport(second.report, KEY), again);
  }), runs);
});
