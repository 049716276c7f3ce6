import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAddress } from '../../src/config';

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
