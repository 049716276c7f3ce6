// Properties of the DNS health check codec: queries and answers round trip, hostile answers get
// MalformedDnsError only, and a decoded answer rebuilt decodes the same. The codec has no answer
// encoder (pivs only reads answers), so the test writes answers itself from RFC 1035 4.1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { DnsQueryType } from '../../src/config/health_model';
import { MalformedDnsError, QTYPE, decodeAnswer, encodeQuery, type DnsAnswer } from '../../src/health/dns_codec';
import { ipv4FromBytes, ipv4ToBytes, ipv6FromBytes, ipv6ToBytes } from '../../src/config/address';
import { anyBytes, decodeOrOwnError, hostile, ipv4, ipv6, mutated, runs } from '../arp/hostile';

const isMalformed = (e: unknown) => e instanceof MalformedDnsError;
const u16 = fc.integer({ min: 0, max: 0xffff });

const label = fc.stringMatching(/^[a-z0-9-]{1,63}$/);
const name = fc.tuple(fc.array(label, { maxLength: 4 }), fc.boolean()).map(([labels, dot]) => labels.join('.') + (dot || labels.length === 0 ? '.' : ''));
const queryType = fc.constantFrom(...(Object.keys(QTYPE) as DnsQueryType[]));

/** A name on the wire: labels then the root, or labels then a compression pointer (never followed). */
const wireName = fc.tuple(fc.array(fc.stringMatching(/^[a-z0-9-]{1,63}$/), { maxLength: 3 }), fc.option(fc.integer({ min: 0, max: 0x3fff })))
  .map(([labels, pointer]) => Buffer.concat([
    ...labels.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'ascii')])),
    pointer === null ? Buffer.from([0]) : Buffer.from([0xc0 | (pointer >> 8), pointer & 0xff]),
  ]));

interface Record { name: Buffer; type: number; klass: number; ttl: number; rdata: Buffer }
const record: fc.Arbitrary<Record> = fc.oneof(
  fc.record({ name: wireName, type: fc.constant(1), klass: fc.constant(1), ttl: fc.nat(), rdata: ipv4.map(ipv4ToBytes) }),
  fc.record({ name: wireName, type: fc.constant(28), klass: fc.constant(1), ttl: fc.nat(), rdata: ipv6.map(ipv6ToBytes) }),
  // Anything else, an A or AAAA of the wrong length included: counted, but no address.
  fc.record({ name: wireName, type: fc.oneof(u16, fc.constantFrom(1, 28)), klass: u16, ttl: fc.nat(), rdata: anyBytes(40) }),
);

interface Message { id: number; flags: number; questions: { name: Buffer; type: number }[]; answers: Record[] }
const message: fc.Arbitrary<Message> = fc.record({
  id: u16,
  flags: fc.oneof(u16, fc.integer({ min: 0, max: 15 }).map((rcode) => 0x8180 | rcode)),
  questions: fc.array(fc.record({ name: wireName, type: u16 }), { maxLength: 2 }),
  answers: fc.array(record, { maxLength: 6 }),
});

function encodeMessage(m: Message): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(m.id, 0);
  header.writeUInt16BE(m.flags, 2);
  header.writeUInt16BE(m.questions.length, 4);
  header.writeUInt16BE(m.answers.length, 6);
  const parts: Buffer[] = [header];
  for (const q of m.questions) parts.push(q.name, Buffer.from([q.type >> 8, q.type & 0xff, 0, 1]));
  for (const r of m.answers) {
    const fixed = Buffer.alloc(10);
    fixed.writeUInt16BE(r.type, 0);
    fixed.writeUInt16BE(r.klass, 2);
    fixed.writeUInt32BE(r.ttl >>> 0, 4);
    fixed.writeUInt16BE(r.rdata.length, 8);
    parts.push(r.name, fixed, r.rdata);
  }
  return Buffer.concat(parts);
}

/** What decodeAnswer must make of a message: RFC 1035's id, QR bit, RCODE, ANCOUNT, and the A/AAAA data. */
function expected(m: Message): DnsAnswer {
  const addresses: string[] = [];
  for (const r of m.answers) {
    if (r.type === 1 && r.rdata.length === 4) addresses.push(ipv4FromBytes(r.rdata));
    if (r.type === 28 && r.rdata.length === 16) addresses.push(ipv6FromBytes(r.rdata));
  }
  return { id: m.id, isResponse: (m.flags & 0x8000) !== 0, rcode: m.flags & 0x0f, answerCount: m.answers.length, addresses };
}

/** The smallest message that says what `a` says: no question, root-named records, filler records of type TXT. */
function rebuild(a: DnsAnswer): Buffer {
  const answers: Record[] = a.addresses.map((address) => address.includes(':')
    ? { name: Buffer.from([0]), type: 28, klass: 1, ttl: 0, rdata: ipv6ToBytes(address) }
    : { name: Buffer.from([0]), type: 1, klass: 1, ttl: 0, rdata: ipv4ToBytes(address) });
  while (answers.length < a.answerCount) answers.push({ name: Buffer.from([0]), type: 16, klass: 1, ttl: 0, rdata: Buffer.alloc(0) });
  return encodeMessage({ id: a.id, flags: (a.isResponse ? 0x8000 : 0) | a.rcode, questions: [], answers });
}

const answerBytes = message.map(encodeMessage);
const fields = [{ offset: 4, width: 2 as const }, { offset: 6, width: 2 as const }, { offset: 12, width: 1 as const }];
// Answers a server builds from our query, as the dns checker receives them.
const fromQuery = fc.tuple(u16, name, queryType, fc.array(record, { maxLength: 4 }), fc.integer({ min: 0, max: 15 }))
  .map(([id, n, t, answers, rcode]) => {
    const q = encodeQuery(id, n, t);
    q.writeUInt16BE(0x8180 | rcode, 2);
    q.writeUInt16BE(answers.length, 6);
    return Buffer.concat([q, encodeMessage({ id, flags: 0, questions: [], answers }).subarray(12)]);
  });
const hostileAnswer = fc.oneof(hostile(answerBytes, fields), mutated(fromQuery, fields));

test('a query decodes as a question with our id and no answers', () => {
  fc.assert(fc.property(u16, name, queryType, (id, n, t) => {
    assert.deepEqual(decodeAnswer(encodeQuery(id, n, t)), { id, isResponse: false, rcode: 0, answerCount: 0, addresses: [] });
  }), runs);
});

test('an answer decodes to its id, QR bit, RCODE, record count and A/AAAA addresses', () => {
  fc.assert(fc.property(message, (m) => {
    assert.deepEqual(decodeAnswer(encodeMessage(m)), expected(m));
  }), runs);
  fc.assert(fc.property(fromQuery, (bytes) => {
    const a = decodeAnswer(bytes);
    assert.deepEqual([a.isResponse, a.answerCount], [true, bytes.readUInt16BE(6)]);
  }), runs);
});

test('decodeAnswer returns an answer or throws MalformedDnsError, nothing else', () => {
  fc.assert(fc.property(hostileAnswer, (bytes) => {
    decodeOrOwnError(() => decodeAnswer(bytes), isMalformed);
  }), runs);
});

test('a decoded answer rebuilt decodes the same, and rebuilds byte for byte', () => {
  fc.assert(fc.property(fc.oneof(hostileAnswer, answerBytes), (bytes) => {
    const first = decodeOrOwnError(() => decodeAnswer(bytes), isMalformed);
    if (!first.ok) return;
    const again = rebuild(first.value);
    const second = decodeAnswer(again);
    assert.deepEqual(second, first.value);
    assert.deepEqual(rebuild(second), again);
  }), runs);
});
