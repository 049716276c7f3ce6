// Sync wire formats byte for byte: control messages, the auth trailer (HMAC checked against
// node:crypto with a fixed key) and the IPVS v1 header reader (sequences: sequence.test.ts).
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  appendTrailer, checkTrailer, decodeControl, encodeControl, readIpvsHeader, trailerLength,
} from '../../src/sync';

const KEY = Buffer.from('0123456789abcdef', 'utf8');
const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

// An IPVS v1 message with no connections: reserved 0, syncid 7, size 8, nr_conns 0, version 1, spare 0.
const EMPTY_IPVS = hex('00 07 0008 00 01 0000');

describe('sync control messages', () => {
  it('encodes a resync request as magic PVSC, version, type 1, syncid, request id', () => {
    const b = encodeControl({ type: 'resync-request', syncId: 7, requestId: 0x01020304 });
    assert.equal(b.toString('hex'), hex('50565343 01 01 07 00 01020304 00000000').toString('hex'));
  });

  it('encodes a resync end marker with the echoed request id and the message count', () => {
    const b = encodeControl({ type: 'resync-end', syncId: 255, requestId: 0xdeadbeef, messages: 3 });
    assert.equal(b.toString('hex'), '5056534301 02ff 00 deadbeef 00000003'.replace(/\s/g, ''));
  });

  it('decodes both from fixtures, trailing bytes allowed', () => {
    assert.deepEqual(decodeControl(hex('50565343 01 01 07 00 01020304 00000000')),
      { type: 'resync-request', syncId: 7, requestId: 0x01020304 });
    assert.deepEqual(decodeControl(hex('50565343 01 02 07 00 00000009 00000002 aabbcc')),
      { type: 'resync-end', syncId: 7, requestId: 9, messages: 2 });
  });

  it('refuses short, foreign, other-version and unknown-type messages with a reason', () => {
    assert.equal(decodeControl(hex('50565343 01 01 07')), 'control message shorter than 16 bytes');
    assert.equal(decodeControl(Buffer.concat([EMPTY_IPVS, Buffer.alloc(8)])), 'not a pivs sync control message');
    assert.equal(decodeControl(hex('50565343 02 01 07 00 00000001 00000000')), 'control message version 2 is not 1');
    assert.equal(decodeControl(hex('50565343 01 09 07 00 00000001 00000000')), 'unknown control message type 9');
  });

  it('is never read as an IPVS v1 message (reserved byte is non-zero)', () => {
    const b = encodeControl({ type: 'resync-request', syncId: 0, requestId: 1 });
    assert.equal(readIpvsHeader(b), 'not an IPVS sync v1 message (reserved byte is not 0)');
    // Read as an IPVS v0 header (nr_conns, syncid, size) its size never equals its length.
    assert.notEqual(b.readUInt16BE(2), b.length);
  });
});

describe('IPVS v1 header', () => {
  it('reads syncid, nr_conns and size', () => {
    const m = Buffer.concat([hex('00 2a 0050 02 01 0000'), Buffer.alloc(72)]);
    assert.deepEqual(readIpvsHeader(m), { syncId: 42, nrConns: 2, size: 80 });
  });

  it('refuses version 0, a size beyond the datagram, and short buffers', () => {
    assert.equal(readIpvsHeader(hex('00 07 0008 00 00 0000')), 'IPVS sync version 0 is not 1');
    assert.equal(readIpvsHeader(hex('00 07 0009 00 01 0000')), 'IPVS message size 9 does not fit the 8-byte datagram');
    assert.equal(readIpvsHeader(hex('00 07 0000')), 'shorter than an IPVS sync header');
  });
});

describe('auth trailer', () => {
  const fields = { keyId: 2, sender: 'd1', sequence: 0x0102030405060708n };

  it('appends magic PVA1, key id, name length, name, sequence, then HMAC-SHA256 of all before', () => {
    const out = appendTrailer(EMPTY_IPVS, fields, KEY);
    const signed = hex('00 07 0008 00 01 0000  50564131 02 02 6431 0102030405060708');
    const mac = createHmac('sha256', KEY).update(signed).digest();
    assert.equal(out.toString('hex'), Buffer.concat([signed, mac]).toString('hex'));
    assert.equal(out.length, EMPTY_IPVS.length + trailerLength('d1'));
    assert.equal(trailerLength('d1'), 48);
  });

  it('checks a good trailer and returns its fields', () => {
    const out = appendTrailer(EMPTY_IPVS, fields, KEY);
    assert.deepEqual(checkTrailer(out, 8, KEY, 2), { ok: true, ...fields });
  });

  it('calls a changed byte, another key or another key id forged', () => {
    const out = appendTrailer(EMPTY_IPVS, fields, KEY);
    const tampered = Buffer.from(out);
    tampered[1] ^= 1;
    assert.deepEqual(checkTrailer(tampered, 8, KEY, 2), { ok: false, reason: 'forged', detail: 'HMAC does not match' });
    assert.equal((checkTrailer(out, 8, Buffer.from('another key 12345'), 2) as { reason: string }).reason, 'forged');
    assert.deepEqual(checkTrailer(out, 8, KEY, 3), { ok: false, reason: 'forged', detail: 'key id 2 is not 3' });
  });

  it('calls a missing or cut trailer malformed', () => {
    assert.equal((checkTrailer(EMPTY_IPVS, 8, KEY, 2) as { reason: string }).reason, 'malformed');
    const out = appendTrailer(EMPTY_IPVS, fields, KEY);
    assert.equal((checkTrailer(out.subarray(0, out.length - 1), 8, KEY, 2) as { reason: string }).reason, 'malformed');
  });

  it('refuses a sender name that cannot travel', () => {
    assert.throws(() => appendTrailer(EMPTY_IPVS, { ...fields, sender: 'two words' }, KEY),
      { message: 'the sender name "two words" must be 1 to 32 characters of A-Z a-z 0-9 . _ -.' });
  });
});
