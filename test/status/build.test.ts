import { test } from 'node:test';
import assert from 'node:assert/strict';
import Ajv from 'ajv';
import { buildStatus, statusSchema, type StatusDocument } from '../../src/status';
import { fakeSources, STARTED_MS } from './fake_sources';

const validate = new Ajv({ strict: true, allErrors: true, allowUnionTypes: true }).compile(statusSchema);

function assertValid(doc: unknown): void {
  assert.equal(validate(doc), true, JSON.stringify(validate.errors, null, 2));
}

test('every subsystem present: the document follows the schema and carries each figure', () => {
  const doc = buildStatus(fakeSources('full'));
  assertValid(doc);
  assert.equal(doc.generatedAt, new Date(STARTED_MS + 90_500).toISOString());
  assert.deepStrictEqual(doc.director, {
    name: 'director-a', pivsVersion: '9.8.7', ipvsVersion: '1.2.1', startedAt: '2026-01-02T03:04:05.000Z',
    uptimeSeconds: 90.5, connTableSize: 4096,
  });
  assert.equal(doc.dataplane?.rxPackets, 1307);
  assert.deepStrictEqual(doc.vrrp.map((v) => [v.name, v.state, v.effectivePriority, v.master]),
    [['VI_1', 'master', 140, '198.18.0.2'], ['VI_2', 'backup', 100, '198.18.0.3']]);
  assert.deepStrictEqual(doc.vrrp.map((v) => [v.advertsDropped.peer, v.advertsDropped.heartbeat, v.advertsDropped.ttl]), [[3, 2, 0], [0, 0, 1]]);
  assert.deepStrictEqual(doc.peers, [{
    name: 'director-b', alive: true, fault: true, stopping: false, claims: [{ virtualRouterId: 52, state: 'master', priority: 150 }],
    lastHeartbeat: '2026-01-02T03:05:34.000Z', lastHeartbeatAgeSeconds: 1.5,
    paths: [
      { link: 'lan', address: '198.18.0.3', alive: true, lastHeartbeat: '2026-01-02T03:05:34.000Z', peerHears: true },
      { link: 'backup', address: '198.19.0.3', alive: false, lastHeartbeat: null, peerHears: false },
    ],
  }]);
  assert.deepStrictEqual(doc.links.map((l) => `${l.name}:${l.up}:${l.active}`), ['lan:true:true', 'backup:false:false']);
  assert.equal(doc.sync?.installed, 33);
  assert.deepStrictEqual(doc.sync?.recordsRefused, { overTimeout: 2, overCap: 5 });
  assert.deepStrictEqual(doc.heartbeat, { sent: 900, received: 880, forged: 3, replayed: 2, refused: 1 });
  assert.deepStrictEqual(doc.agent, { refused: { forged: 4, replayed: 1, spoofed: 0 } });
});

test('uptime is measured on the monotonic clock: a wall clock set back a day leaves it alone', () => {
  const sources = fakeSources('full');
  const wall = sources.now();
  sources.now = () => wall - 86_400_000;
  const doc = buildStatus(sources);
  assertValid(doc);
  assert.equal(doc.director.uptimeSeconds, 90.5);
  assert.equal(doc.generatedAt, new Date(wall - 86_400_000).toISOString(), 'timestamps shown follow the wall clock');
});

test('each virtual service says which director is master and whether this one forwards', () => {
  const doc = buildStatus(fakeSources('full'));
  const [web, dns] = doc.virtualServices;
  assert.deepStrictEqual([web.vrrpInstance, web.master, web.forwarding], ['VI_1', '198.18.0.2', true]);
  assert.deepStrictEqual([dns.vrrpInstance, dns.master, dns.forwarding], ['VI_2', '198.18.0.3', false]);
  assert.deepStrictEqual(dns.persistence, { timeout: 60, netmask: '255.255.255.255' });
  assert.equal(web.persistence, null);
  // Sums over the real servers, as ipvsadm's ActiveConn/InActConn columns add up.
  assert.deepStrictEqual([web.activeConns, web.inactiveConns], [6, 6]);
  assert.deepStrictEqual(web.rates, { cps: 4, inPps: 30, outPps: 0, inBps: 1800, outBps: 0 });
});

test('real servers: configured and effective weight, health, agent load', () => {
  const [web] = buildStatus(fakeSources('full')).virtualServices;
  const [a, b, c] = web.realServers;
  assert.deepStrictEqual(a.weight, { configured: 3, effective: 3 });
  assert.deepStrictEqual(b.weight, { configured: 2, effective: 0 });
  assert.deepStrictEqual(c.weight, { configured: 1, effective: null }, 'removed from the table');
  assert.equal(a.health?.state, 'up');
  assert.deepStrictEqual(b.health?.lastResult, { ok: false, checker: 'tcp', message: 'connection refused', at: '2026-01-02T03:05:00.000Z' });
  assert.equal(c.health, null);
  assert.deepStrictEqual(a.agent, { loadIndex: 812.5, lastReport: '2026-01-02T03:05:01.000Z', alive: true });
  assert.equal(b.agent, null);
  assert.deepStrictEqual(a.stats, { conns: 70, inPackets: 500, inBytes: 30000, outPackets: 0, outBytes: 0 });
  assert.equal(a.fallback, false);
});

test('only the director present: the same shape, with empty lists and nulls', () => {
  const doc = buildStatus(fakeSources('bare'));
  assertValid(doc);
  assert.deepStrictEqual([doc.vrrp, doc.peers, doc.links, doc.sync, doc.heartbeat, doc.agent, doc.dataplane], [[], [], [], null, null, null, null]);
  // Without VRRP every virtual service is forwarded and no master is named.
  assert.deepStrictEqual(doc.virtualServices.map((s) => [s.vrrpInstance, s.master, s.forwarding]),
    [[null, null, true], [null, null, true]]);
});

test('the schema refuses a document with a field missing or added', () => {
  const doc = buildStatus(fakeSources('full'));
  const missing = structuredClone(doc) as Partial<StatusDocument>;
  delete missing.sync;
  assert.equal(validate(missing), false);
  const extra = structuredClone(doc) as StatusDocument & { surprise?: number };
  extra.virtualServices[0].realServers[0] = { ...extra.virtualServices[0].realServers[0], surprise: 1 } as never;
  assert.equal(validate(extra), false);
});
