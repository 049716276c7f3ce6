// Properties of the heartbeat codec: round trip, hostile datagrams (signed with the right key too,
// as a peer holding the key but running broken code would send), re-encoding stability.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { decodeHeartbeat, encodeHeartbeat, type Heartbeat } from '../../src/heartbeat';
import { CLAIM_STATES } from '../../src/heartbeat/codec';
import { anyBytes, hostile, runs } from '../arp/hostile';

const KEY = Buffer.from('0123456789abcdef', 'utf8');
const HEADER = 28;
const MAC = 32;

const heartbeat: fc.Arbitrary<Heartbeat> = fc.record({
  linkId: fc.integer({ min: 0, max: 255 }),
  sender: fc.stringMatching(/^[A-Za-z0-9._-]{1,32}$/),
  sequence: fc.bigInt(0n, 2n ** 64n - 1n),
  timestampMs: fc.oneof(
    fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
    fc.double({ min: 0, max: 2 ** 53, noNaN: true }),
    fc.constantFrom(0, 1700000000123.5, 2 ** 53, 2 ** 63, 2 ** 64 - 2 ** 11),
  ),
  fault: fc.boolean(),
  stopping: fc.boolean(),
  hears: fc.integer({ min: 0, max: 255 }),
  claims: fc.array(fc.record({
    virtualRouterId: fc.integer({ min: 1, max: 255 }),
    state: fc.constantFrom(...CLAIM_STATES),
    priority: fc.integer({ min: 0, max: 255 }),
  }, { noNullPrototype: true }), { maxLength: 8 }),
}, { noNullPrototype: true });

/** The HMAC over everything before its 32 bytes, recomputed: what a peer with the key would send. */
function signed(b: Buffer, key = KEY): Buffer {
  if (b.length < MAC) return b;
  const out = Buffer.from(b);
  createHmac('sha256', key).update(out.subarray(0, out.length - MAC)).digest().copy(out, out.length - MAC);
  return out;
}

const datagram = heartbeat.map((h) => encodeHeartbeat(h, KEY));
const fields = [{ offset: 4, width: 1 as const }, { offset: 5, width: 1 as const }, { offset: 6, width: 1 as const }, { offset: 8, width: 8 as const }, { offset: 16, width: 8 as const }, { offset: 25, width: 1 as const }];
// Every field of the layout filled with any value its width holds (the name any bytes, its length
// byte in step), and signed: what a peer holding the key could send.
const u64 = fc.bigInt(0n, 2n ** 64n - 1n);
const byte = fc.integer({ min: 0, max: 255 });
const rawDatagram = fc.record({
  linkId: byte, flags: byte, sequence: u64, timestamp: u64, hears: byte, reserved: anyBytes(2),
  name: fc.oneof(fc.stringMatching(/^[A-Za-z0-9._-]{1,32}$/).map((n) => Buffer.from(n, 'latin1')), anyBytes(255)).filter((n) => n.length > 0),
  // Claims as any bytes, or well-formed ones (a VRID, a known state, a priority, a zero byte).
  claims: fc.oneof(anyBytes(40).map((c) => c.subarray(0, c.length - (c.length % 4))),
    fc.array(fc.tuple(fc.integer({ min: 1, max: 255 }), fc.integer({ min: 0, max: 3 }), byte), { maxLength: 6 })
      .map((cs) => Buffer.from(cs.flatMap(([v, s, p]) => [v, s, p, 0])))),
}).map((f) => {
  const b = Buffer.alloc(HEADER + f.name.length + f.claims.length + MAC);
  b.write('PVHB', 0, 'latin1');
  b[4] = 3;
  b[5] = f.linkId;
  b[6] = f.name.length;
  b[7] = f.flags;
  b.writeBigUInt64BE(f.sequence, 8);
  b.writeBigUInt64BE(f.timestamp, 16);
  b[24] = f.hears;
  b[25] = f.claims.length / 4;
  f.reserved.copy(b, 26);
  f.name.copy(b, HEADER);
  f.claims.copy(b, HEADER + f.name.length);
  return signed(b);
});
const hostileDatagram = fc.oneof(hostile(datagram, fields), hostile(datagram, fields).map((b) => signed(b)), rawDatagram);

type Decoded = ReturnType<typeof decodeHeartbeat>;

/** decodeHeartbeat never throws: anything it refuses is malformed or forged, with a detail. */
function decode(b: Buffer): Decoded {
  const d = decodeHeartbeat(b, KEY);
  if (!d.ok) {
    assert.ok(d.reason === 'malformed' || d.reason === 'forged', `reason ${String(d.reason)}`);
    assert.equal(typeof d.detail, 'string');
    assert.notEqual(d.detail, '');
  }
  return d;
}

const fieldsOf = (d: Heartbeat): Heartbeat =>
  ({
    linkId: d.linkId, sender: d.sender, sequence: d.sequence, timestampMs: d.timestampMs, fault: d.fault, stopping: d.stopping,
    hears: d.hears, claims: d.claims,
  });

test('decode(encode(h)) is h (the timestamp in whole ms) and re-encodes byte for byte', () => {
  fc.assert(fc.property(heartbeat, (h) => {
    const bytes = encodeHeartbeat(h, KEY);
    assert.equal(bytes.length, HEADER + h.sender.length + 4 * h.claims.length + MAC);
    const d = decode(bytes);
    assert.ok(d.ok);
    assert.deepEqual(fieldsOf(d), { ...h, timestampMs: Math.floor(h.timestampMs) });
    assert.deepEqual(encodeHeartbeat(fieldsOf(d), KEY), bytes);
  }), runs);
});

test('another key makes every heartbeat forged', () => {
  fc.assert(fc.property(heartbeat, anyBytes(64).filter((k) => !k.equals(KEY)), (h, key) => {
    assert.equal((decodeHeartbeat(encodeHeartbeat(h, key), KEY) as { reason?: string }).reason, 'forged');
  }), runs);
});

test('decode never throws: it returns a heartbeat, or malformed/forged with a detail', () => {
  fc.assert(fc.property(hostileDatagram, (bytes) => {
    decode(bytes);
  }), runs);
});

test('whatever decodes re-encodes to a datagram that decodes the same, then byte for byte', () => {
  fc.assert(fc.property(fc.oneof(hostileDatagram, datagram), (bytes) => {
    const first = decode(bytes);
    if (!first.ok) return;
    const again = encodeHeartbeat(fieldsOf(first), KEY);
    const second = decode(again);
    assert.deepEqual(second, first);
    assert.deepEqual(encodeHeartbeat(fieldsOf(second as Heartbeat), KEY), again);
  }), runs);
});
