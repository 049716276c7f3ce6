import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalAddress, ipv4ToBytes, ipv6FromBytes, ipv6ToBytes, parseAddress } from '../../src/config/address';
import { bytes, zeros } from '../arp/fixtures';

test('IPv6 text is normalised to RFC 5952 form', () => {
  const cases: [string, string][] = [
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:0db8:0000:0001:0000:0000:0000:0001', '2001:db8:0:1::1'],
    ['0:0:0:0:0:0:0:0', '::'],
    ['::1', '::1'],
    ['fe80::', 'fe80::'],
    ['2001:db8:1:2:3:4:0:5', '2001:db8:1:2:3:4:0:5'],
    ['::FFFF:198.18.0.1', '::ffff:198.18.0.1'],
    ['::ffff:c612:1', '::ffff:198.18.0.1'],
    ['64:ff9b::198.18.0.1', '64:ff9b::c612:1'],
  ];
  for (const [input, want] of cases) assert.deepStrictEqual(parseAddress(input), { family: 6, address: want }, input);
});

test('IPv4 is kept; anything else is refused', () => {
  assert.deepStrictEqual(parseAddress('198.18.0.1'), { family: 4, address: '198.18.0.1' });
  for (const bad of ['198.18.0.256', '198.018.0.1', 'fe80::1%eth0', '1::2::3', 'host', '']) {
    assert.equal(parseAddress(bad), null, bad);
  }
});


test('IPv6 text parses to its 16 bytes in every spelling', () => {
  const expected = bytes('20 01 0d b8 00 00 00 00 00 00 00 00 00 00 01 00');
  for (const text of ['2001:db8::100', '2001:DB8:0:0:0:0:0:100', '2001:0db8::0:0100']) {
    assert.deepEqual(ipv6ToBytes(text), expected, text);
  }
  assert.deepEqual(ipv6ToBytes('::'), Buffer.alloc(16));
  assert.deepEqual(ipv6ToBytes('::ffff:198.18.0.1'), bytes(zeros(10), 'ff ff c6 12 00 01'));
  assert.deepEqual(ipv6ToBytes('fe80::1'), bytes('fe 80', zeros(13), '01'));
});

test('IPv6 bytes format as RFC 5952 text', () => {
  assert.equal(ipv6FromBytes(bytes('20 01 0d b8 00 00 00 00 00 01 00 00 00 00 00 01')), '2001:db8::1:0:0:1');
  assert.equal(ipv6FromBytes(bytes('20 01 0d b8 00 00 00 01 00 01 00 01 00 01 00 01')), '2001:db8:0:1:1:1:1:1');
  assert.equal(ipv6FromBytes(Buffer.alloc(16)), '::');
  assert.equal(ipv6FromBytes(bytes('ff 02', zeros(13), '01')), 'ff02::1');
});

test('canonicalAddress folds spellings together and refuses non-addresses', () => {
  assert.deepEqual(canonicalAddress('2001:DB8::0:100'), { family: 6, address: '2001:db8::100' });
  assert.deepEqual(canonicalAddress('198.18.0.1'), { family: 4, address: '198.18.0.1' });
  assert.throws(() => canonicalAddress('198.18.0.256'), /is not an IPv4 or IPv6 address/);
  assert.throws(() => ipv4ToBytes('::1'), /is not an IPv4 address/);
});
