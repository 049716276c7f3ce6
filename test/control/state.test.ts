import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../src/config';
import type { Config } from '../../src/config/model';
import { applyCommand, applyCommands } from '../../src/control/state';
import type { Command, ServiceSettings } from '../../src/control/protocol';

const base = (): Config => parseConfig(`
director: {interface: eth0}
virtualServices:
  - protocol: tcp
    address: 198.18.0.10
    port: 80
    realServers: [{address: 198.18.1.1, weight: 2}]
`);

const web: ServiceSettings = {
  protocol: 'tcp', address: '198.18.0.10', port: 80, scheduler: 'wlc', schedFlags: [], sloppy: false,
};
const dns: ServiceSettings = {
  protocol: 'udp', address: '2001:DB8::53', port: 53, scheduler: 'rr', schedFlags: [], sloppy: false,
};
const webKey = { protocol: 'tcp' as const, address: '198.18.0.10', port: 80 };
const real = (address: string, weight = 1) => ({
  address, port: 80, forward: 'dr' as const, weight, upperThreshold: 0, lowerThreshold: 0,
});

function ok(config: Config, command: Command): Config {
  const r = applyCommand(config, command);
  if (!r.ok) assert.fail(`refused: ${r.error.code} ${r.error.message}`);
  return r.config;
}

function refused(config: Config, command: Command) {
  const before = structuredClone(config);
  const r = applyCommand(config, command);
  assert.equal(r.ok, false);
  assert.deepStrictEqual(config, before, 'the input model must not change');
  return (r as { error: { code: string; message: string } }).error;
}

test('addService adds a normalised service with no real servers', () => {
  const c = ok(base(), { method: 'addService', params: { service: dns } });
  assert.deepStrictEqual(c.virtualServices[1], { ...dns, address: '2001:db8::53', realServers: [] });
});

test('addService of an existing key is ServiceExists', () => {
  assert.deepStrictEqual(refused(base(), { method: 'addService', params: { service: web } }),
    { code: 'ServiceExists', message: 'virtual service tcp 198.18.0.10:80 already exists' });
});

test('addService with bad settings is Invalid and names the field', () => {
  assert.deepStrictEqual(refused(base(), { method: 'addService', params: { service: { ...dns, port: 0 } } }), {
    code: 'Invalid',
    message: 'service.port: 0 (any port) is only allowed for a persistent virtual service; set persistence or a port',
  });
  assert.deepStrictEqual(refused(base(), { method: 'addService', params: { service: { ...dns, scheduler: 'fast' as never } } }),
    { code: 'Invalid', message: 'service.scheduler: "fast" is not one of rr, wrr, lc, wlc, sed, nq, sh, dh, mh, fo, ovf, twos, lblc, lblcr, has' });
  assert.equal(refused(base(), { method: 'addService' } as unknown as Command).code, 'Invalid');
});

test('editService changes the settings and keeps the real servers', () => {
  const c = ok(base(), { method: 'editService', params: { service: { ...web, scheduler: 'mh', schedFlags: ['mh-port'] } } });
  assert.equal(c.virtualServices[0].scheduler, 'mh');
  assert.deepStrictEqual(c.virtualServices[0].schedFlags, ['mh-port']);
  assert.deepStrictEqual(c.virtualServices[0].realServers, [real('198.18.1.1', 2)]);
});

test('editService and deleteService of a missing key are NoService', () => {
  assert.equal(refused(base(), { method: 'editService', params: { service: dns } }).code, 'NoService');
  assert.deepStrictEqual(refused(base(), { method: 'deleteService', params: { key: { ...webKey, port: 81 } } }),
    { code: 'NoService', message: 'no virtual service tcp 198.18.0.10:81' });
});

test('deleteService and clear remove services', () => {
  assert.deepStrictEqual(ok(base(), { method: 'deleteService', params: { key: webKey } }).virtualServices, []);
  assert.deepStrictEqual(ok(base(), { method: 'clear' }).virtualServices, []);
});

test('addReal forces the service port (ipvsadm -g) and refuses duplicates with RealExists', () => {
  const c = ok(base(), { method: 'addReal', params: { key: webKey, real: { ...real('198.18.1.2', 0), port: 8080 } } });
  assert.deepStrictEqual(c.virtualServices[0].realServers[1], real('198.18.1.2', 0));
  assert.deepStrictEqual(refused(c, { method: 'addReal', params: { key: webKey, real: real('198.18.1.2') } }),
    { code: 'RealExists', message: 'real server 198.18.1.2 already exists in tcp 198.18.0.10:80' });
});

test('addReal to a missing service is NoService before the real is even checked', () => {
  assert.equal(refused(base(), { method: 'addReal', params: { key: { ...webKey, port: 81 }, real: real('x') } }).code, 'NoService');
});

test('addReal with a bad real server is Invalid', () => {
  assert.deepStrictEqual(refused(base(), { method: 'addReal', params: { key: webKey, real: real('198.18.1.2', 70000) } }),
    { code: 'Invalid', message: 'realServer.weight: 70000 is above the maximum 65535' });
  assert.deepStrictEqual(refused(base(), { method: 'addReal', params: { key: webKey, real: real('2001:db8::2') } }),
    { code: 'Invalid', message: 'realServer.address: "2001:db8::2" is IPv6 but the virtual service is IPv4' });
});

test('editReal changes the weight; a missing real is NoReal', () => {
  const c = ok(base(), { method: 'editReal', params: { key: webKey, real: real('198.18.1.1', 0) } });
  assert.equal(c.virtualServices[0].realServers[0].weight, 0);
  assert.deepStrictEqual(refused(base(), { method: 'editReal', params: { key: webKey, real: real('198.18.1.9') } }),
    { code: 'NoReal', message: 'no real server 198.18.1.9 in tcp 198.18.0.10:80' });
});

test('deleteReal removes it; a missing real is NoReal; a bad address is Invalid', () => {
  const c = ok(base(), { method: 'deleteReal', params: { key: webKey, address: '198.18.1.1', port: 80 } });
  assert.deepStrictEqual(c.virtualServices[0].realServers, []);
  assert.equal(refused(c, { method: 'deleteReal', params: { key: webKey, address: '198.18.1.1', port: 80 } }).code, 'NoReal');
  assert.deepStrictEqual(refused(base(), { method: 'deleteReal', params: { key: webKey, address: '198.18.1', port: 80 } }),
    { code: 'Invalid', message: 'realServer.address: "198.18.1" is not an IPv4 or IPv6 address' });
});

test('service keys from the CLI are matched after normalisation', () => {
  let c = ok(base(), { method: 'addService', params: { service: dns } });
  c = ok(c, { method: 'addReal', params: { key: { protocol: 'udp', address: '2001:db8:0::53', port: 53 },
    real: { ...real('2001:DB8::1'), port: 53 } } });
  assert.equal(c.virtualServices[1].realServers[0].address, '2001:db8::1');
});

test('setTimeouts: 0 keeps a value, negatives are Invalid', () => {
  const c = ok(base(), { method: 'setTimeouts', params: { tcp: 0, tcpfin: 30, udp: 0 } });
  assert.deepStrictEqual(c.timeouts, { tcp: 900, tcpfin: 30, udp: 300 });
  assert.deepStrictEqual(refused(base(), { method: 'setTimeouts', params: { tcp: -1, tcpfin: 0, udp: 0 } }),
    { code: 'Invalid', message: 'timeouts.tcp: -1 is not a whole number of seconds from 0 to 2147483' });
});

test('zero names its target and refuses an unknown service', () => {
  const r = applyCommand(base(), { method: 'zero', params: { key: webKey } });
  assert.ok(r.ok);
  assert.deepStrictEqual(r.zero, [webKey]);
  const all = applyCommand(base(), { method: 'zero', params: {} });
  assert.ok(all.ok);
  assert.deepStrictEqual(all.zero, [undefined]);
  assert.equal(refused(base(), { method: 'zero', params: { key: { ...webKey, protocol: 'udp' } } }).code, 'NoService');
});

test('a batch applies all or nothing and says which command failed', () => {
  const start = base();
  const dnsKey = { protocol: dns.protocol, address: dns.address, port: dns.port };
  const good: Command[] = [
    { method: 'clear' },
    { method: 'addService', params: { service: dns } },
    { method: 'addReal', params: { key: dnsKey, real: { ...real('2001:db8::7'), port: 53 } } },
  ];
  const r = applyCommands(start, good);
  assert.ok(r.ok);
  assert.deepStrictEqual(r.config.virtualServices.map((s) => [s.address, s.realServers.length]), [['2001:db8::53', 1]]);

  const bad = applyCommands(start, [...good, { method: 'addReal', params: { key: dnsKey, real: { ...real('2001:db8::7'), port: 53 } } }]);
  assert.deepStrictEqual(bad, { ok: false, error: { code: 'RealExists', message: 'commands[3]: real server 2001:db8::7 already exists in udp [2001:db8::53]:53' } });
  assert.deepStrictEqual(start, base(), 'the input model must not change');
});

test('a key with extra fields is Invalid', () => {
  assert.deepStrictEqual(refused(base(), { method: 'deleteService', params: { key: { ...webKey, scheduler: 'rr' } as never } }),
    { code: 'Invalid', message: 'key.scheduler: is not a known setting' });
});
