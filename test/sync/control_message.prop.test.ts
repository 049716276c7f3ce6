// Properties of pivs's sync control messages: round trip, hostile datagrams, re-encoding stability.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CONTROL_LENGTH, decodeControl, encodeControl, isControlMessage, type ControlMessage } from '../../src/sync/control_message';
import { anyBytes, hostile, runs } from '../arp/hostile';

const u32 = fc.integer({ min: 0, max: 0xffffffff });
const syncId = fc.integer({ min: 0, max: 255 });
const message: fc.Arbitrary<ControlMessage> = fc.oneof(
  fc.record({ type: fc.constant('resync-request' as const), syncId, requestId: u32 }, { noNullPrototype: true }),
  fc.record({ type: fc.constant('resync-end' as const), syncId, requestId: u32, messages: u32 }, { noNullPrototype: true }),
);
// An auth trailer (or anything) may follow the 16 bytes.
const datagram = fc.tuple(message, fc.oneof(fc.constant(Buffer.alloc(0)), anyBytes(80))).map(([m, tail]) => Buffer.concat([encodeControl(m), tail]));
const fields = [{ offset: 4, width: 1 as const }, { offset: 5, width: 1 as const }, { offset: 8, width: 4 as const }, { offset: 12, width: 4 as const }];
const hostileDatagram = hostile(datagram, fields);

/** decodeControl never throws: a message, or the reason it is none. */
function decode(b: Buffer): ControlMessage | string {
  const d = decodeControl(b);
  if (typeof d === 'string') assert.notEqual(d, '');
  else assert.ok(isControlMessage(b), 'what decodes starts with the magic the transport routes by');
  return d;
}

test('decode(encode(m)) is m, and re-encodes byte for byte', () => {
  fc.assert(fc.property(message, (m) => {
    const bytes = encodeControl(m);
    assert.equal(bytes.length, CONTROL_LENGTH);
    assert.deepEqual(decode(bytes), m);
    assert.deepEqual(encodeControl(decode(bytes) as ControlMessage), bytes);
  }), runs);
});

test('decode never throws: it returns a message or a reason', () => {
  fc.assert(fc.property(hostileDatagram, (bytes) => {
    decode(bytes);
  }), runs);
});

test('whatever decodes re-encodes to a message that decodes the same, then byte for byte', () => {
  fc.assert(fc.property(fc.oneof(hostileDatagram, datagram), (bytes) => {
    const first = decode(bytes);
    if (typeof first === 'string') return;
    const again = encodeControl(first);
    assert.deepEqual(decode(again), first);
    assert.deepEqual(encodeControl(decode(again) as ControlMessage), again);
  }), runs);
});
