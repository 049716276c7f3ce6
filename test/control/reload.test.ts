import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfigFile } from '../../src/config';
import { Director } from '../../src/control/director';
import type { ListResult } from '../../src/control/protocol';
import { reloadConfig } from '../../src/daemon/reload';
import { startDaemon } from '../../src/daemon/run';
import { FakeDataplane } from '../fakes/dataplane';
import { FakeArp, quietLogger, request } from './helpers';

const GOOD = `
director: {interface: eth0}
virtualServices:
  - {protocol: tcp, address: 198.18.0.10, port: 80, realServers: [{address: 198.18.1.1}]}
`;
const GOOD2 = `
director: {interface: eth0}
timeouts: {udp: 30}
virtualServices:
  - {protocol: udp, address: 198.18.0.53, port: 53, scheduler: rr, realServers: [{address: 198.18.1.2}]}
`;
const BAD = `
director: {interface: eth0}
virtualServices:
  - {protocol: tcp, address: 198.18.0.10, port: 80, realServers: [{address: 198.18.1.1, weight: 70000}]}
`;

let dir: string;
before(() => { dir = mkdtempSync(join(tmpdir(), 'pivs-reload-')); });
after(() => rmSync(dir, { recursive: true, force: true }));

function capture() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (s: string) => { lines.push(JSON.parse(s) as Record<string, unknown>); } });
  return { lines, logger };
}

test('a reload with a bad file logs the one sentence and keeps the old state untouched', () => {
  const file = join(dir, 'a.yaml');
  writeFileSync(file, GOOD);
  const dataplane = new FakeDataplane();
  const arp = new FakeArp();
  const { lines, logger } = capture();
  const director = new Director({ config: loadConfigFile(file), dataplane, arp, logger });
  const before = director.config;
  writeFileSync(file, BAD);
  const message = 'config: virtualServices[0].realServers[0].weight: 70000 is above the maximum 65535';
  assert.deepStrictEqual(reloadConfig(director, file, {}, logger), { ok: false, message });
  assert.deepStrictEqual(director.config, before);
  assert.equal(dataplane.applied.length, 1);
  assert.equal(arp.calls.length, 1);
  assert.equal(lines.at(-1)?.msg, `reload refused, keeping the running configuration: ${message}`);
  assert.equal(lines.at(-1)?.level, 50);
});

test('a reload with a good file swaps the whole model at once', () => {
  const file = join(dir, 'b.yaml');
  writeFileSync(file, GOOD);
  const dataplane = new FakeDataplane();
  const arp = new FakeArp();
  const director = new Director({ config: loadConfigFile(file), dataplane, arp, logger: quietLogger() });
  writeFileSync(file, GOOD2);
  assert.deepStrictEqual(reloadConfig(director, file, {}, quietLogger()), { ok: true });
  assert.equal(dataplane.applied.length, 2);
  assert.deepStrictEqual(dataplane.applied[1].map((s) => [s.protocol, s.address, s.port, s.scheduler]), [['udp', '198.18.0.53', 53, 'rr']]);
  assert.deepStrictEqual(dataplane.timeoutsSet.at(-1), { tcp: 900, tcpfin: 120, udp: 30 });
  assert.deepStrictEqual(arp.calls.at(-1), { virtualAddresses: ['198.18.0.53'], realAddresses: ['198.18.1.2'] });
});

test('a missing file on reload keeps the old state', () => {
  const file = join(dir, 'c.yaml');
  writeFileSync(file, GOOD);
  const director = new Director({ config: loadConfigFile(file), dataplane: new FakeDataplane(), arp: new FakeArp(), logger: quietLogger() });
  rmSync(file);
  const r = reloadConfig(director, file, {}, quietLogger());
  assert.deepStrictEqual(r, { ok: false, message: `config: cannot read ${file} (ENOENT); check the path and its permissions` });
  assert.equal(director.config.virtualServices.length, 1);
});

test('the daemon: starts from the file with -i, serves the socket, reload replaces pivsadm changes, stop cleans up', async () => {
  const file = join(dir, 'd.yaml');
  writeFileSync(file, 'virtualServices:\n  - {protocol: tcp, address: 198.18.0.10, port: 80}\n');
  const socket = join(dir, 'd', 'pivsd.sock');
  const dataplane = new FakeDataplane();
  const arp = new FakeArp();
  let opened: unknown;
  const daemon = await startDaemon({ interface: 'lan0', config: file, socket, workers: 3, logLevel: 'silent' }, {
    openDataplane: (o) => { opened = o; return dataplane; },
    startArp: (o) => { assert.equal(o.interface, 'lan0'); return arp; },
    logger: quietLogger(),
  });
  try {
    assert.deepStrictEqual(opened, { interface: 'lan0', workers: 3, backend: 'auto', connTableSize: 1048576, mhTableSize: 65537 });
    const added = await request(socket, { id: 1, method: 'addService', params: { service: {
      protocol: 'udp', address: '198.18.0.53', port: 53, scheduler: 'rr', schedFlags: [], sloppy: false } } });
    assert.deepStrictEqual(added, { id: 1, result: null });
    assert.deepStrictEqual(daemon.reload(), { ok: true });
    const list = ((await request(socket, { id: 2, method: 'list' })) as { result: ListResult }).result;
    assert.deepStrictEqual(list.virtualServices.map((s) => `${s.protocol} ${s.address}:${s.port}`), ['tcp 198.18.0.10:80']);
  } finally {
    await daemon.stop();
  }
  assert.equal(existsSync(socket), false);
  assert.equal(arp.closed, true);
  assert.equal(dataplane.closed, true);
});

test('the daemon refuses to start on a bad file and opens nothing', async () => {
  const file = join(dir, 'e.yaml');
  writeFileSync(file, BAD);
  let opened = false;
  await assert.rejects(startDaemon({ config: file, socket: join(dir, 'e.sock'), logLevel: 'silent' }, {
    openDataplane: () => { opened = true; return new FakeDataplane(); },
    startArp: () => new FakeArp(),
    logger: quietLogger(),
  }), { name: 'ConfigError', message: 'config: virtualServices[0].realServers[0].weight: 70000 is above the maximum 65535' });
  assert.equal(opened, false);
});

const WITH_VRRP = (vips: string[], services: string[]): string => `
director: {interface: eth0}
virtualServices:
${services.map((a) => `  - {protocol: tcp, address: ${a}, port: 80, realServers: [{address: 198.18.1.1}]}`).join('\n')}
vrrp:
  instances:
    - {name: VI_1, interface: eth0, virtualRouterId: 51, priority: 100, virtualAddresses: [${vips.join(', ')}]}
`;

test('a reload that changes vrrp keeps the running election, says so in one line, and checks against it', () => {
  const file = join(dir, 'vrrp.yaml');
  writeFileSync(file, WITH_VRRP(['198.18.0.10', '198.18.0.11'], ['198.18.0.10']));
  const { lines, logger } = capture();
  const director = new Director({ config: loadConfigFile(file), dataplane: new FakeDataplane(), arp: new FakeArp(), logger });
  const running = director.config.vrrp;
  writeFileSync(file, WITH_VRRP(['198.18.0.10', '198.18.0.11', '198.18.0.12'], ['198.18.0.11']));
  assert.deepStrictEqual(reloadConfig(director, file, {}, logger), { ok: true });
  assert.deepStrictEqual(director.config.vrrp, running);
  assert.deepStrictEqual(director.config.virtualServices.map((s) => s.address), ['198.18.0.11']);
  const warnings = lines.filter((l) => l.level === 40);
  assert.deepStrictEqual(warnings.map((l) => l.msg), ['the file changes vrrp, read only at start: it takes effect when pivsd restarts']);
  // pivsadm is checked against the VRRP that runs: 198.18.0.12 is only in the file's.
  const refused = director.execute([{ method: 'addService', params: { service: { protocol: 'tcp', address: '198.18.0.12', port: 80, scheduler: 'wlc' } } } as never], false);
  assert.match(refused?.message ?? '', /^198\.18\.0\.12 is in no vrrp instance's virtualAddresses/);
  // A file whose services only the new VRRP would cover is refused whole, with one sentence.
  writeFileSync(file, WITH_VRRP(['198.18.0.12'], ['198.18.0.12']));
  const outcome = reloadConfig(director, file, {}, logger);
  assert.deepStrictEqual(outcome, {
    ok: false,
    message: '198.18.0.12 is in no vrrp instance\'s virtualAddresses, so no director would ever forward it; add it to an instance (the running one: vrrp changes take effect when pivsd restarts)',
  });
  assert.deepStrictEqual(director.config.virtualServices.map((s) => s.address), ['198.18.0.11']);
});
