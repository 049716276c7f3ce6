// The heartbeat datagram (version 3) byte for byte, HMAC checked against node:crypto with a fixed key.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { decodeHeartbeat, encodeHeartbeat, type Heartbeat } from '../../src/heartbeat';

const KEY = Buffer.from('0123456789abcdef', 'utf8');
const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const signedWith = (b: Buffer): Buffer => Buffer.concat([b, createHmac('sha256', KEY).update(b).digest()]);

describe('heartbeat codec', () => {
  // A sender in FAULT that hears the recipient over links 0 and 2, BACKUP of VRID 51 at priority 100.
  const hb: Heartbeat = {
    linkId: 1, sender: 'lvs-a', sequence: 0x1112131415161718n, timestampMs: 1700000000123, fault: true, stopping: false, hears: 0b101,
    claims: [{ virtualRouterId: 51, state: 'BACKUP', priority: 100 }],
  };
  // 1700000000123 = 0x18BCFE5687B
  const header = hex('50564842 03 01 05 01 1112131415161718 0000018BCFE5687B 05 01 0000 6c76732d61 33016400');

  it('encodes magic PVHB, version 3, link id, name length, flags, sequence, timestamp, hears, claim count, name, claims, HMAC', () => {
    assert.equal(encodeHeartbeat(hb, KEY).toString('hex'), signedWith(header).toString('hex'));
  });

  it('sends flags 0 without FAULT, bit 1 for STOPPING, and the hears mask as given', () => {
    const b = encodeHeartbeat({ ...hb, fault: false, hears: 0x80, claims: [] }, KEY);
    assert.deepEqual([b[7], b[24], b[25], b[26], b[27], b.length], [0, 0x80, 0, 0, 0, 65]);
    assert.equal(encodeHeartbeat({ ...hb, fault: false, stopping: true }, KEY)[7], 2);
  });

  it('decodes hand-built bytes and what it encoded', () => {
    assert.deepEqual(decodeHeartbeat(signedWith(header), KEY), { ok: true, ...hb });
    const calm: Heartbeat = { ...hb, fault: false, hears: 0, claims: [{ virtualRouterId: 1, state: 'MASTER', priority: 255 }, { virtualRouterId: 2, state: 'INIT', priority: 0 }] };
    assert.deepEqual(decodeHeartbeat(encodeHeartbeat(calm, KEY), KEY), { ok: true, ...calm });
  });

  it('refuses a hears mask or a claim that does not fit a byte', () => {
    assert.throws(() => encodeHeartbeat({ ...hb, hears: 256 }, KEY), { message: 'the hears mask 256 must be a whole number from 0 to 255.' });
    assert.throws(() => encodeHeartbeat({ ...hb, claims: [{ virtualRouterId: 0, state: 'MASTER', priority: 1 }] }, KEY),
      { message: 'the virtual router id 0 must be a whole number from 1 to 255.' });
  });

  it('calls a changed byte or another key forged', () => {
    for (const offset of [5, 7, 24, 35]) {
      const b = encodeHeartbeat(hb, KEY);
      b[offset] ^= 1;
      assert.deepEqual(decodeHeartbeat(b, KEY), { ok: false, reason: 'forged', detail: 'HMAC does not match' });
    }
    assert.equal((decodeHeartbeat(encodeHeartbeat(hb, KEY), Buffer.from('fedcba9876543210')) as { reason: string }).reason, 'forged');
  });

  it('calls other datagrams malformed', () => {
    assert.deepEqual(decodeHeartbeat(Buffer.from('hello'), KEY), { ok: false, reason: 'malformed', detail: 'not a pivs heartbeat' });
    const b = encodeHeartbeat(hb, KEY);
    assert.deepEqual(decodeHeartbeat(b.subarray(0, b.length - 1), KEY),
      { ok: false, reason: 'malformed', detail: 'heartbeat length does not match its sender name and claims' });
    const unknownState = signedWith(hex('50564842 03 01 05 01 1112131415161718 0000018BCFE5687B 05 01 0000 6c76732d61 33046400'));
    assert.deepEqual(decodeHeartbeat(unknownState, KEY),
      { ok: false, reason: 'malformed', detail: 'heartbeat VRRP claim 1 is not a VRID, a known state and a priority' });
  });

  it('refuses a version 2 heartbeat (no claims) by name', () => {
    const v2 = signedWith(hex('50564842 02 01 05 00 1112131415161718 0000018BCFE5687B 05 000000 6c76732d61'));
    assert.deepEqual(decodeHeartbeat(v2, KEY), {
      ok: false, reason: 'malformed', detail: 'heartbeat version 2 is not 3; run the same pivs release on every director',
    });
  });
});
