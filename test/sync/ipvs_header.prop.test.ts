// Properties of the IPVS sync v1 header reader. It has no encoder (the dataplane builds IPVS
// messages), so the test writes headers itself from ip_vs_sync.c's struct ip_vs_sync_mesg.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { IPVS_HEADER_LENGTH, readIpvsHeader, type IpvsHeader } from '../../src/sync/ipvs_header';
import { anyBytes, hostile, runs } from '../arp/hostile';

const byte = fc.integer({ min: 0, max: 255 });

function header(h: IpvsHeader): Buffer {
  const b = Buffer.alloc(IPVS_HEADER_LENGTH);
  b[1] = h.syncId;
  b.writeUInt16BE(h.size, 2);
  b[4] = h.nrConns;
  b[5] = 1;
  return b;
}

/** A whole message (its size as long as the bytes) and what may follow it in the datagram. */
const message = fc.tuple(byte, byte, anyBytes(1400), fc.oneof(fc.constant(Buffer.alloc(0)), anyBytes(80)))
  .map(([syncId, nrConns, body, tail]) => ({
    header: { syncId, nrConns, size: IPVS_HEADER_LENGTH + body.length },
    bytes: Buffer.concat([header({ syncId, nrConns, size: IPVS_HEADER_LENGTH + body.length }), body, tail]),
  }));
const fields = [{ offset: 0, width: 1 as const }, { offset: 2, width: 2 as const }, { offset: 5, width: 1 as const }];
const hostileDatagram = hostile(message.map((m) => m.bytes), fields);

/** readIpvsHeader never throws: a header whose size fits the datagram, or a reason. */
function read(b: Buffer): IpvsHeader | string {
  const h = readIpvsHeader(b);
  if (typeof h === 'string') assert.notEqual(h, '');
  else assert.ok(h.size >= IPVS_HEADER_LENGTH && h.size <= b.length, `size ${h.size} of a ${b.length}-byte datagram`);
  return h;
}

test('a header reads back as written, with trailing bytes after the message allowed', () => {
  fc.assert(fc.property(message, (m) => {
    assert.deepEqual(read(m.bytes), m.header);
  }), runs);
});

test('readIpvsHeader never throws: it returns a header that fits the datagram, or a reason', () => {
  fc.assert(fc.property(hostileDatagram, (bytes) => {
    read(bytes);
  }), runs);
});

test('a header that reads, written again in front of the same bytes, reads the same', () => {
  fc.assert(fc.property(fc.oneof(hostileDatagram, message.map((m) => m.bytes)), (bytes) => {
    const first = read(bytes);
    if (typeof first === 'string') return;
    const again = Buffer.concat([header(first), bytes.subarray(IPVS_HEADER_LENGTH)]);
    assert.deepEqual(read(again), first);
  }), runs);
});
