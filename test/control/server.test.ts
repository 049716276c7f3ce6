import { after, before, beforeEach, afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, existsSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/config';
import { Director } from '../../src/control/director';
import { handleRequest } from '../../src/control/dispatch';
import type { ListResult } from '../../src/control/protocol';
import { startControlServer, type ControlServer } from '../../src/control/server';
import { FakeDataplane } from '../fakes/dataplane';
import { exchange, FakeArp, quietLogger, request } from './helpers';

const CONFIG = `
director: {interface: eth0}
timeouts: {tcp: 600}
virtualServices:
  - protocol: tcp
    address: 198.18.0.10
    port: 80
    realServers: [{address: 198.18.1.1, weight: 2}, {address: 198.18.1.2}]
`;
const webKey = { protocol: 'tcp', address: '198.18.0.10', port: 80 };

let dir: string;
let path: string;
let dataplane: FakeDataplane;
let arp: FakeArp;
let director: Director;
let server: ControlServer;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'pivs-control-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

beforeEach(async () => {
  path = join(dir, 'run', 'pivsd.sock');
  dataplane = new FakeDataplane();
  arp = new FakeArp();
  director = new Director({ config: parseConfig(CONFIG), dataplane, arp, logger: quietLogger() });
  server = await startControlServer({ path, logger: quietLogger(), handle: (r) => handleRequest(director, r) });
});
afterEach(async () => {
  director.close();
  await server.close();
});

test('the socket is created 0660 in a 0750 directory and removed on close', async () => {
  assert.equal(statSync(path).mode & 0o777, 0o660);
  assert.equal(statSync(join(dir, 'run')).mode & 0o777, 0o750);
  await server.close();
  assert.equal(existsSync(path), false);
  server = await startControlServer({ path, logger: quietLogger(), handle: (r) => handleRequest(director, r) });
});

test('start applied the model to the dataplane and told ARP the addresses', () => {
  assert.equal(dataplane.applied.length, 1);
  assert.deepStrictEqual(dataplane.applied[0].map((s) => s.realServers.map((r) => r.address)), [['198.18.1.1', '198.18.1.2']]);
  assert.deepStrictEqual(dataplane.timeoutsSet, [{ tcp: 600, tcpfin: 120, udp: 300 }]);
  assert.deepStrictEqual(arp.calls, [{ virtualAddresses: ['198.18.0.10'], realAddresses: ['198.18.1.1', '198.18.1.2'] }]);
});

test('list joins the model, the dataplane counters and versions', async () => {
  dataplane.setCounters({ protocol: 'tcp', address: '198.18.0.10', port: 80 }, { conns: 7, inPackets: 70, inBytes: 7000 });
  dataplane.setNeighbour('198.18.1.1', '02:00:00:00:01:01');
  const r = await request(path, { id: 41, method: 'list' });
  assert.equal(r.id, 41);
  const list = (r as { result: ListResult }).result;
  assert.equal(list.ipvsVersion, '1.2.1');
  assert.equal(list.pivsVersion, '0.1.0');
  assert.equal(list.connTableSize, 4096);
  assert.deepStrictEqual(list.timeouts, { tcp: 600, tcpfin: 120, udp: 300 });
  const [s] = list.virtualServices;
  assert.deepStrictEqual([s.protocol, s.address, s.port, s.scheduler], ['tcp', '198.18.0.10', 80, 'wlc']);
  assert.deepStrictEqual(s.stats, { conns: 7, inPackets: 70, inBytes: 7000, outPackets: 0, outBytes: 0 });
  assert.deepStrictEqual(s.realServers.map((x) => [x.address, x.weight, x.macResolved]),
    [['198.18.1.1', 2, true], ['198.18.1.2', 1, false]]);
});

test('a command changes the dataplane table and the ARP address sets', async () => {
  const r = await request(path, { id: 2, method: 'addReal', params: { key: webKey, real: { address: '198.18.1.3', port: 80, forward: 'dr', weight: 5, upperThreshold: 0, lowerThreshold: 0 } } });
  assert.deepStrictEqual(r, { id: 2, result: null });
  assert.equal(dataplane.applied.length, 2);
  assert.deepStrictEqual(dataplane.applied[1][0].realServers.map((x) => [x.address, x.weight]),
    [['198.18.1.1', 2], ['198.18.1.2', 1], ['198.18.1.3', 5]]);
  assert.deepStrictEqual(arp.calls.at(-1), { virtualAddresses: ['198.18.0.10'], realAddresses: ['198.18.1.1', '198.18.1.2', '198.18.1.3'] });
});

test('a bad request gets one error, changes nothing, and the dataplane sees no apply', async () => {
  const before = (await request(path, { id: 1, method: 'list' }) as { result: ListResult }).result;
  const responses = await exchange(path, [
    JSON.stringify({ id: 3, method: 'addReal', params: { key: webKey, real: { address: '198.18.1.300', weight: 1 } } }),
    JSON.stringify({ id: 4, method: 'addService', params: { service: { ...webKey, scheduler: 'wlc', schedFlags: [], sloppy: false } } }),
    JSON.stringify({ id: 5, method: 'deleteService', params: { key: { ...webKey, port: 81 } } }),
    JSON.stringify({ id: 6, method: 'editReal', params: { key: webKey, real: { address: '198.18.1.9' } } }),
    JSON.stringify({ id: 7, method: 'reboot' }),
    '{"id": 8, "method": ',
    JSON.stringify({ method: 'list' }),
    JSON.stringify({ id: 9, method: 'batch', params: { commands: [{ method: 'clear' }, { method: 'addReal', params: { key: webKey, real: { address: '198.18.1.4' } } }] } }),
    JSON.stringify({ id: 10, method: 'batch', params: { commands: [{ method: 'clear' }, { method: 'list' }] } }),
  ]);
  assert.deepStrictEqual(responses, [
    { id: 3, error: { code: 'Invalid', message: 'realServer.address: "198.18.1.300" is not an IPv4 or IPv6 address' } },
    { id: 4, error: { code: 'ServiceExists', message: 'virtual service tcp 198.18.0.10:80 already exists' } },
    { id: 5, error: { code: 'NoService', message: 'no virtual service tcp 198.18.0.10:81' } },
    { id: 6, error: { code: 'NoReal', message: 'no real server 198.18.1.9 in tcp 198.18.0.10:80' } },
    { id: 7, error: { code: 'Invalid', message: 'unknown method "reboot"' } },
    { id: 0, error: { code: 'Invalid', message: 'the request is not valid JSON' } },
    { id: 0, error: { code: 'Invalid', message: 'the request "id" must be an integer' } },
    { id: 9, error: { code: 'NoService', message: 'commands[1]: no virtual service tcp 198.18.0.10:80' } },
    { id: 10, error: { code: 'Invalid', message: 'batch: commands[1] is not a command' } },
  ]);
  assert.equal(dataplane.applied.length, 1);
  assert.equal(arp.calls.length, 1);
  const after = (await request(path, { id: 1, method: 'list' }) as { result: ListResult }).result;
  assert.deepStrictEqual(after, before);
});

test('a good batch applies once, as a whole', async () => {
  const r = await request(path, { id: 11, method: 'batch', params: { commands: [
    { method: 'clear' },
    { method: 'addService', params: { service: { protocol: 'udp', address: '198.18.0.53', port: 53, scheduler: 'rr', schedFlags: [], sloppy: false } } },
    { method: 'addReal', params: { key: { protocol: 'udp', address: '198.18.0.53', port: 53 }, real: { address: '198.18.1.5', port: 53, forward: 'dr', weight: 1, upperThreshold: 0, lowerThreshold: 0 } } },
    { method: 'setTimeouts', params: { tcp: 0, tcpfin: 0, udp: 60 } },
  ] } });
  assert.deepStrictEqual(r, { id: 11, result: null });
  assert.equal(dataplane.applied.length, 2);
  assert.deepStrictEqual(dataplane.applied[1].map((s) => `${s.protocol} ${s.address}:${s.port} ${s.scheduler} ${s.realServers.map((x) => x.address).join(',')}`),
    ['udp 198.18.0.53:53 rr 198.18.1.5']);
  assert.deepStrictEqual(dataplane.timeoutsSet.at(-1), { tcp: 600, tcpfin: 120, udp: 60 });
  assert.deepStrictEqual(await request(path, { id: 12, method: 'timeouts' }), { id: 12, result: { tcp: 600, tcpfin: 120, udp: 60 } });
  assert.deepStrictEqual(arp.calls.at(-1), { virtualAddresses: ['198.18.0.53'], realAddresses: ['198.18.1.5'] });
});

test('connections come from the dataplane; zero reaches it and resets the rates', async () => {
  const conn = {
    protocol: 'tcp' as const, clientAddress: '198.18.2.1', clientPort: 40000, virtualAddress: '198.18.0.10', virtualPort: 80,
    realAddress: '198.18.1.1', realPort: 80, state: 'ESTABLISHED' as const, expiresMs: 899000, template: false,
  };
  dataplane.conns = [conn];
  assert.deepStrictEqual(await request(path, { id: 13, method: 'connections' }), { id: 13, result: [conn] });

  const key = { protocol: 'tcp' as const, address: '198.18.0.10', port: 80 };
  director.sampleRates();
  dataplane.setCounters(key, { conns: 2000 });
  director.sampleRates();
  const rates = async () => ((await request(path, { id: 14, method: 'list' })) as { result: ListResult }).result.virtualServices[0].rates.cps;
  assert.equal(await rates(), 250);
  assert.deepStrictEqual(await request(path, { id: 15, method: 'zero', params: { key } }), { id: 15, result: null });
  assert.deepStrictEqual(dataplane.zeroCalls, [key]);
  assert.equal(await rates(), 0);
  assert.equal(dataplane.applied.length, 1, 'zero does not rewrite the table');
});

test('a stale socket file is replaced; a live one or a non-socket is refused', async () => {
  const stale = join(dir, 'stale.sock');
  const other = createServer();
  await new Promise<void>((r) => other.listen(stale, r));
  await assert.rejects(startControlServer({ path: stale, logger: quietLogger(), handle: (r) => handleRequest(director, r) }),
    { message: `another pivsd is already listening on ${stale}; stop it or choose another --socket` });
  // Closing a listening server removes its file; a killed pivsd leaves it behind, so kill one.
  await new Promise<void>((r) => other.close(() => r()));
  spawnSync(process.execPath, ['-e',
    `require('net').createServer().listen(${JSON.stringify(stale)}, () => process.kill(process.pid, 'SIGKILL'))`]);
  assert.equal(existsSync(stale), true);
  const s2 = await startControlServer({ path: stale, logger: quietLogger(), handle: (r) => handleRequest(director, r) });
  assert.deepStrictEqual(await request(stale, { id: 16, method: 'timeouts' }), { id: 16, result: { tcp: 600, tcpfin: 120, udp: 300 } });
  await s2.close();

  const plain = join(dir, 'plain');
  writeFileSync(plain, '');
  await assert.rejects(startControlServer({ path: plain, logger: quietLogger(), handle: (r) => handleRequest(director, r) }),
    { message: `${plain} exists and is not a socket; remove it or choose another --socket` });
});
