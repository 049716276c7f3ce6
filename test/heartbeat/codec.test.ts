// The heartbeat datagram byte for byte, HMAC checked against node:crypto with a fixed key.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { decodeHeartbeat, encodeHeartbeat } from '../../src/heartbeat';

const KEY = Buffer.from('0123456789abcdef', 'utf8');
const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('heartbeat codec', () => {
  const hb = { linkId: 1, sender: 'lvs-a', sequence: 0x1112131415161718n, timestampMs: 1700000000123 };
  // 1700000000123 = 0x18BCFE5687B
  const signed = hex('50564842 01 01 05 00 1112131415161718 0000018BCFE5687B 6c76732d61');

  it('encodes magic PVHB, version, link id, name length, sequence, timestamp, name, HMAC', () => {
    const mac = createHmac('sha256', KEY).update(signed).digest();
    assert.equal(encodeHeartbeat(hb, KEY).toString('hex'), Buffer.concat([signed, mac]).toString('hex'));
  });

  it('decodes what it encoded', () => {
    assert.deepEqual(decodeHeartbeat(encodeHeartbeat(hb, KEY), KEY), { ok: true, ...hb });
  });

  it('calls a changed byte or another key forged', () => {
    const b = encodeHeartbeat(hb, KEY);
    b[5] = 0;
    assert.deepEqual(decodeHeartbeat(b, KEY), { ok: false, reason: 'forged', detail: 'HMAC does not match' });
    assert.equal((decodeHeartbeat(encodeHeartbeat(hb, KEY), Buffer.from('fedcba9876543210')) as { reason: string }).reason, 'forged');
  });

  it('calls other datagrams malformed', () => {
    assert.deepEqual(decodeHeartbeat(Buffer.from('hello'), KEY), { ok: false, reason: 'malformed', detail: 'not a pivs heartbeat' });
    const b = encodeHeartbeat(hb, KEY);
    assert.deepEqual(decodeHeartbeat(b.subarray(0, b.length - 1), KEY),
      { ok: false, reason: 'malformed', detail: 'heartbeat length does not match its sender name' });
    const v2 = Buffer.from(b);
    v2[4] = 2;
    assert.deepEqual(decodeHeartbeat(v2, KEY), { ok: false, reason: 'malformed', detail: 'heartbeat version 2 is not 1' });
  });
});
