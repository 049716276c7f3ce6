// Properties of the sync auth trailer: round trip, hostile datagrams (signed with the right key too,
// as a director holding the key but running broken code would send), re-checking stability.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { appendTrailer, checkTrailer, trailerLength, type TrailerCheck, type TrailerFields } from '../../src/sync/auth_trailer';
import { anyBytes, hostile, runs } from '../arp/hostile';

const KEY = Buffer.from('0123456789abcdef', 'utf8');
const MAC = 32;

const fields: fc.Arbitrary<TrailerFields> = fc.record({
  keyId: fc.integer({ min: 0, max: 255 }),
  sender: fc.stringMatching(/^[A-Za-z0-9._-]{1,32}$/),
  sequence: fc.bigInt(0n, 2n ** 64n - 1n),
}, { noNullPrototype: true });
const body = fc.oneof(fc.constant(Buffer.alloc(16)), anyBytes(1400));

function signed(b: Buffer, key = KEY): Buffer {
  if (b.length < MAC) return b;
  const out = Buffer.from(b);
  createHmac('sha256', key).update(out.subarray(0, out.length - MAC)).digest().copy(out, out.length - MAC);
  return out;
}

interface Case { datagram: Buffer; bodyLength: number; keyId: number }
const sent = fc.tuple(body, fields).map(([b, f]): Case => ({ datagram: appendTrailer(b, f, KEY), bodyLength: b.length, keyId: f.keyId }));
// Every trailer field any value its width holds (the name any bytes, its length byte in step), signed.
const raw = fc.tuple(body, fc.integer({ min: 0, max: 255 }), anyBytes(255).filter((n) => n.length > 0), fc.bigInt(0n, 2n ** 64n - 1n))
  .map(([b, keyId, name, sequence]): Case => {
    const t = Buffer.alloc(46 + name.length);
    t.write('PVA1', 0, 'latin1');
    t[4] = keyId;
    t[5] = name.length;
    name.copy(t, 6);
    t.writeBigUInt64BE(sequence, 6 + name.length);
    return { datagram: signed(Buffer.concat([b, t])), bodyLength: b.length, keyId };
  });
const hostileCase = fc.oneof(
  fc.tuple(anyBytes(), fc.nat(1700), fc.integer({ min: 0, max: 255 })).map(([datagram, bodyLength, keyId]) => ({ datagram, bodyLength, keyId })),
  fc.tuple(sent, fc.integer({ min: -3, max: 3 })).chain(([c, delta]) => hostile(fc.constant(c.datagram)).map((datagram) => ({ ...c, datagram, bodyLength: Math.max(0, c.bodyLength + delta) }))),
  fc.tuple(sent).chain(([c]) => hostile(fc.constant(c.datagram)).map((datagram) => ({ ...c, datagram: signed(datagram) }))),
  raw,
);

/** checkTrailer never throws: the trailer's fields, or malformed/forged with a detail. */
function check(c: Case): TrailerCheck {
  const r = checkTrailer(c.datagram, c.bodyLength, KEY, c.keyId);
  if (!r.ok) {
    assert.ok(r.reason === 'malformed' || r.reason === 'forged', `reason ${String(r.reason)}`);
    assert.notEqual(r.detail, '');
  }
  return r;
}

const fieldsOf = (r: TrailerFields): TrailerFields => ({ keyId: r.keyId, sender: r.sender, sequence: r.sequence });

test('check(append(body, f)) gives f back, and appending again gives the same bytes', () => {
  fc.assert(fc.property(body, fields, (b, f) => {
    const datagram = appendTrailer(b, f, KEY);
    assert.equal(datagram.length, b.length + trailerLength(f.sender));
    const r = check({ datagram, bodyLength: b.length, keyId: f.keyId });
    assert.deepEqual(r, { ok: true, ...f });
    assert.deepEqual(appendTrailer(b, fieldsOf(r as TrailerFields), KEY), datagram);
  }), runs);
});

test('another key or key id makes the trailer forged', () => {
  fc.assert(fc.property(body, fields, anyBytes(64).filter((k) => !k.equals(KEY)), (b, f, key) => {
    assert.equal((check({ datagram: appendTrailer(b, f, key), bodyLength: b.length, keyId: f.keyId }) as { reason?: string }).reason, 'forged');
    assert.equal((check({ datagram: appendTrailer(b, f, KEY), bodyLength: b.length, keyId: (f.keyId + 1) % 256 }) as { reason?: string }).reason, 'forged');
  }), runs);
});

test('checkTrailer never throws: it returns the fields, or malformed/forged with a detail', () => {
  fc.assert(fc.property(hostileCase, (c) => {
    check(c);
  }), runs);
});

test('a trailer that checks, appended again to the same body, checks the same', () => {
  fc.assert(fc.property(fc.oneof(hostileCase, sent), (c) => {
    const first = check(c);
    if (!first.ok) return;
    const again = appendTrailer(c.datagram.subarray(0, c.bodyLength), fieldsOf(first), KEY);
    assert.deepEqual(check({ ...c, datagram: again }), first);
  }), runs);
});
