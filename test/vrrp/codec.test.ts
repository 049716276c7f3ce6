import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { advertFrame, decodeAdvertFrame, encodeVrrp, virtualMac } from '../../src/vrrp/codec';
import { KEEPALIVED_V2, KEEPALIVED_V3 } from './testdata/keepalived_adverts';

/** RFC 1071 written out again here, so the fixtures do not lean on the code under test. */
function onesComplement(bytes: number[]): number {
  let sum = 0;
  for (let i = 0; i < bytes.length; i += 2) sum += (bytes[i] << 8) + (bytes[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
  return (~sum) & 0xffff;
}

describe('VRRP codec', () => {
  it('encodes a version 2 advert as RFC 3768 5.1 lays it out', () => {
    const body = [0x21, 7, 100, 1, 0, 1, 0, 0, 198, 18, 0, 100, 0, 0, 0, 0, 0, 0, 0, 0];
    const sum = onesComplement(body);
    body[6] = sum >> 8;
    body[7] = sum & 0xff;
    const got = encodeVrrp({ version: 2, vrid: 7, priority: 100, addresses: ['198.18.0.100'], adverInt: 1, authType: 0 }, '198.18.0.2', '224.0.0.18');
    assert.equal(got.toString('hex'), Buffer.from(body).toString('hex'));
  });

  it('encodes a version 3 advert with the IPv4 pseudo-header in its checksum (RFC 5798 5.2.8)', () => {
    const body = [0x31, 7, 150, 2, 0x00, 0x0a, 0, 0, 198, 18, 0, 100, 198, 18, 0, 101];
    const pseudo = [198, 18, 0, 2, 224, 0, 0, 18, 0, 112, 0, body.length];
    const sum = onesComplement([...pseudo, ...body]);
    body[6] = sum >> 8;
    body[7] = sum & 0xff;
    const got = encodeVrrp({ version: 3, vrid: 7, priority: 150, addresses: ['198.18.0.100', '198.18.0.101'], adverInt: 10 }, '198.18.0.2', '224.0.0.18');
    assert.equal(got.toString('hex'), Buffer.from(body).toString('hex'));
  });

  it('puts a version 2 simple password NUL-padded in the 8 authentication bytes', () => {
    const got = encodeVrrp({ version: 2, vrid: 1, priority: 1, addresses: ['198.18.0.100'], adverInt: 1, authType: 1, authData: 'abc' }, '198.18.0.2', '224.0.0.18');
    assert.equal(got.subarray(12).toString('hex'), '6162630000000000');
    assert.equal(got[4], 1);
  });

  it('decodes keepalived\'s version 2 advert and rebuilds the same IP packet', () => {
    const frame = Buffer.from(KEEPALIVED_V2, 'hex');
    const p = decodeAdvertFrame(frame);
    assert.ok(p);
    assert.deepEqual(
      { v: p.version, vrid: p.vrid, prio: p.priority, addr: p.addresses, int: p.adverInt, auth: p.authType, pass: p.authData, ok: p.checksumOk, ttl: p.timeToLive, src: p.sourceAddress, dst: p.destinationAddress },
      { v: 2, vrid: 42, prio: 200, addr: ['198.18.5.100', '198.18.5.101'], int: 1, auth: 1, pass: 'secret1', ok: true, ttl: 255, src: '198.18.5.2', dst: '224.0.0.18' },
    );
    const rebuilt = advertFrame(p, { sourceMac: p.sourceMac, sourceAddress: p.sourceAddress, destinationAddress: p.destinationAddress, identification: 1 });
    assert.equal(rebuilt.subarray(0, frame.length).toString('hex'), KEEPALIVED_V2);
  });

  it('decodes keepalived\'s version 3 advert and rebuilds the same frame (padded to 60 bytes)', () => {
    const frame = Buffer.from(KEEPALIVED_V3, 'hex');
    const p = decodeAdvertFrame(frame);
    assert.ok(p);
    assert.deepEqual([p.version, p.vrid, p.priority, p.adverInt, p.checksumOk], [3, 42, 200, 50, true]);
    const rebuilt = advertFrame(p, { sourceMac: p.sourceMac, sourceAddress: p.sourceAddress, destinationAddress: p.destinationAddress, identification: 1 });
    assert.equal(rebuilt.length, 60);
    assert.equal(rebuilt.subarray(0, frame.length).toString('hex'), KEEPALIVED_V3);
    assert.ok(rebuilt.subarray(frame.length).every((b) => b === 0));
  });

  it('flags a corrupted checksum and a v3 advert whose pseudo-header source changed', () => {
    const frame = Buffer.from(KEEPALIVED_V2, 'hex');
    frame[14 + 20 + 2] = 199; // priority
    assert.equal(decodeAdvertFrame(frame)?.checksumOk, false);
    const v3 = Buffer.from(KEEPALIVED_V3, 'hex');
    // Rewrite the IP source and fix only the IP header checksum: VRRPv3's own checksum must fail.
    v3[14 + 15] = 3;
    v3.writeUInt16BE(0, 14 + 10);
    v3.writeUInt16BE(onesComplement([...v3.subarray(14, 34)]), 14 + 10);
    assert.equal(decodeAdvertFrame(v3)?.checksumOk, false);
  });

  it('sends from the virtual MAC to 01:00:5e:00:00:12 with TTL 255 and protocol 112', () => {
    const f = advertFrame({ version: 3, vrid: 255, priority: 100, addresses: ['198.18.0.100'], adverInt: 100 },
      { sourceMac: virtualMac(255), sourceAddress: '198.18.0.2', destinationAddress: '224.0.0.18' });
    assert.equal(f.subarray(0, 12).toString('hex'), '01005e000012' + '00005e0001ff');
    assert.equal(f[14 + 8], 255);
    assert.equal(f[14 + 9], 112);
  });

  it('refuses to encode what the wire cannot carry', () => {
    assert.throws(() => encodeVrrp({ version: 2, vrid: 0, priority: 1, addresses: [], adverInt: 1 }, '1.1.1.1', '224.0.0.18'), /VRID 0/);
    assert.throws(() => encodeVrrp({ version: 3, vrid: 1, priority: 1, addresses: [], adverInt: 4096 }, '1.1.1.1', '224.0.0.18'), /4095/);
    assert.throws(() => encodeVrrp({ version: 2, vrid: 1, priority: 1, addresses: [], adverInt: 1, authType: 1, authData: 'toolongpw' }, '1.1.1.1', '224.0.0.18'), /8 bytes/);
  });
});
