import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../src/config';

test('no status section: none in the model (the server then uses 127.0.0.1:8080)', () => {
  assert.equal(parseConfig('', { interface: 'lan0' }).status, undefined);
});

test('status: listen normalised, false disables, auth kept', () => {
  assert.deepStrictEqual(parseConfig('status: {listen: "198.18.0.2:9100"}', { interface: 'lan0' }).status, { listen: '198.18.0.2:9100' });
  assert.deepStrictEqual(parseConfig('status: {listen: "[2001:db8:0::1]:80"}', { interface: 'lan0' }).status, { listen: '[2001:db8::1]:80' });
  assert.deepStrictEqual(parseConfig('status: {listen: false}', { interface: 'lan0' }).status, { listen: false });
  assert.deepStrictEqual(parseConfig('status: {auth: {bearer: abc.DEF-1}}', { interface: 'lan0' }).status,
    { listen: '127.0.0.1:8080', auth: { bearer: 'abc.DEF-1' } });
  assert.deepStrictEqual(parseConfig('status: {auth: {basic: {user: ops, password: pw}}}', { interface: 'lan0' }).status,
    { listen: '127.0.0.1:8080', auth: { basic: { user: 'ops', password: 'pw' } } });
});

test('a bad status section is refused with one sentence naming the field', () => {
  const refused: [string, string][] = [
    ['status: {listen: "localhost:8080"}', 'config: status.listen: "localhost:8080" is not ADDRESS:PORT (e.g. 127.0.0.1:8080 or [::1]:8080) or false'],
    ['status: {listen: "127.0.0.1:70000"}', 'config: status.listen: "127.0.0.1:70000" is not ADDRESS:PORT (e.g. 127.0.0.1:8080 or [::1]:8080) or false'],
    ['status: {listen: "2001:db8::1:80"}', 'config: status.listen: "2001:db8::1:80" is not ADDRESS:PORT (e.g. 127.0.0.1:8080 or [::1]:8080) or false'],
    ['status: {auth: {}}', 'config: status.auth: names no credentials; give basic: {user, password} or bearer: TOKEN, or leave auth out'],
    ['status: {auth: {basic: {user: "a:b", password: x}}}', 'config: status.auth.basic.user: must be a non-empty name without ":"'],
    ['status: {auth: {basic: {user: ops}}}', 'config: status.auth.basic.password: is required but missing'],
    ['status: {auth: {bearer: "two words"}}', 'config: status.auth.bearer: must be a non-empty token of letters, digits and -._~+/ (RFC 6750)'],
    ['status: {port: 80}', 'config: status.port: is not a known setting'],
  ];
  for (const [text, message] of refused) {
    assert.throws(() => parseConfig(text, { interface: 'lan0' }), { name: 'ConfigError', message }, text);
  }
});
