import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import Ajv from 'ajv';
import { buildStatus, startStatusServer, statusSchema, type StatusServer } from '../../src/status';
import { fakeSources } from './fake_sources';
import { parsePromText, sampleKey } from './prom_text';

const validate = new Ajv({ strict: true, allowUnionTypes: true }).compile(statusSchema);

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function fetchRaw(url: string, method = 'GET', headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

function basic(user: string, password: string): Record<string, string> {
  return { Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` };
}

describe('without auth', () => {
  const sources = fakeSources('full');
  let server: StatusServer;
  before(async () => { server = await startStatusServer({ listen: '127.0.0.1:0', sources }); });
  after(async () => { await server.close(); });

  test('GET /status: JSON that follows the schema and equals the built document', async () => {
    const r = await fetchRaw(`${server.url}/status`);
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'application/json; charset=utf-8');
    const doc: unknown = JSON.parse(r.body);
    assert.equal(validate(doc), true, JSON.stringify(validate.errors));
    assert.deepStrictEqual(doc, buildStatus(sources, { redactChecks: true }));
  });

  test('GET /metrics: Prometheus text whose series carry the sources\' figures', async () => {
    const r = await fetchRaw(`${server.url}/metrics`);
    assert.equal(r.status, 200);
    assert.match(String(r.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    const { families, samples } = parsePromText(r.body);
    const web = { protocol: 'tcp', address: '198.18.0.10', port: 80 };
    const expected: [string, Record<string, string | number>, number][] = [
      ['pivs_virtual_service_connections_total', web, 120],
      ['pivs_virtual_service_packets_in_total', web, 900],
      ['pivs_virtual_service_bytes_in_total', web, 54000],
      ['pivs_virtual_service_connections_per_second', web, 4],
      ['pivs_virtual_service_forwarding', web, 1],
      ['pivs_virtual_service_forwarding', { protocol: 'udp', address: '198.18.0.20', port: 53 }, 0],
      ['pivs_real_server_connections_total', { ...web, real: '198.18.1.11' }, 70],
      ['pivs_real_server_active_connections', { ...web, real: '198.18.1.11' }, 5],
      ['pivs_real_server_inactive_connections', { ...web, real: '198.18.1.12' }, 4],
      ['pivs_real_server_weight', { ...web, real: '198.18.1.11' }, 3],
      ['pivs_real_server_weight', { ...web, real: '198.18.1.12' }, 0],
      ['pivs_real_server_configured_weight', { ...web, real: '198.18.1.12' }, 2],
      ['pivs_real_server_health_up', { ...web, real: '198.18.1.11' }, 1],
      ['pivs_real_server_health_up', { ...web, real: '198.18.1.12' }, 0],
      ['pivs_real_server_agent_load', { ...web, real: '198.18.1.11' }, 812.5],
      ['pivs_vrrp_state', { instance: 'VI_1' }, 1],
      ['pivs_vrrp_state', { instance: 'VI_2' }, 0],
      ['pivs_vrrp_instance_state', { instance: 'VI_2', state: 'backup' }, 1],
      ['pivs_vrrp_priority', { instance: 'VI_1' }, 140],
      ['pivs_peer_up', { peer: 'director-b' }, 1],
      ['pivs_peer_fault', { peer: 'director-b' }, 1],
      ['pivs_peer_path_up', { peer: 'director-b', link: 'backup', address: '198.19.0.3' }, 0],
      ['pivs_peer_last_heartbeat_age_seconds', { peer: 'director-b' }, 1.5],
      ['pivs_link_up', { link: 'backup', interface: 'lan1' }, 0],
      ['pivs_link_active', { link: 'lan', interface: 'lan0' }, 1],
      ['pivs_sync_enabled', {}, 1],
      ['pivs_sync_messages_sent_total', {}, 40],
      ['pivs_sync_connections_installed_total', {}, 33],
      ['pivs_sync_records_refused_total', { reason: 'overTimeout' }, 2],
      ['pivs_sync_records_refused_total', { reason: 'overCap' }, 5],
      ['pivs_heartbeat_messages_received_total', {}, 880],
      ['pivs_heartbeat_messages_forged_total', {}, 3],
      ['pivs_heartbeat_messages_replayed_total', {}, 2],
      ['pivs_heartbeat_messages_refused_total', {}, 1],
      ['pivs_agent_reports_refused_total', { reason: 'forged' }, 4],
      ['pivs_agent_reports_refused_total', { reason: 'spoofed' }, 0],
      ['pivs_dataplane_rx_packets_total', {}, 1307],
      ['pivs_dataplane_dropped_packets_total', { reason: 'noConnection' }, 1],
      ['pivs_dataplane_dropped_packets_total', { reason: 'macUnknown' }, 1],
      ['pivs_dataplane_dropped_packets_total', { reason: 'malformed' }, 0],
      ['pivs_dataplane_connections', {}, 19],
      ['pivs_director_uptime_seconds', {}, 90.5],
      ['pivs_director_info', { name: 'director-a', version: '9.8.7' }, 1],
    ];
    for (const [name, labels, value] of expected) {
      assert.equal(samples.get(sampleKey(name, labels)), value, sampleKey(name, labels));
    }
    assert.equal(families.get('pivs_virtual_service_connections_total')?.type, 'counter');
    assert.equal(families.get('pivs_real_server_active_connections')?.type, 'gauge');
    // Absent figures are absent series, not zeros: the removed real server runs no weight, the
    // one without a checker has no health series.
    assert.equal(samples.has(sampleKey('pivs_real_server_weight', { ...web, real: '198.18.1.13' })), false);
    assert.equal(samples.has(sampleKey('pivs_real_server_health_up', { ...web, real: '198.18.1.13' })), false);
  });

  test('the figures are read at scrape time: a later scrape shows the new counters', async () => {
    sources.tick();
    const { samples } = parsePromText((await fetchRaw(`${server.url}/metrics`)).body);
    const now = buildStatus(sources).virtualServices[0].stats.conns;
    assert.ok(now > 120);
    assert.equal(samples.get(sampleKey('pivs_virtual_service_connections_total', { protocol: 'tcp', address: '198.18.0.10', port: 80 })), now);
  });

  test('GET /: the dashboard page, self-contained, with a policy that keeps it on this server', async () => {
    const r = await fetchRaw(`${server.url}/`);
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'text/html; charset=utf-8');
    assert.match(String(r.headers['content-security-policy']), /default-src 'none'.*connect-src 'self'/);
    assert.match(r.body, /<script>/);
    // Nothing is loaded from elsewhere: no src= or href= to any URL, no @import.
    assert.doesNotMatch(r.body, /(src|href)\s*=\s*["']?(https?:)?\/\//i);
    assert.doesNotMatch(r.body, /@import|url\(/i);
  });

  test('read-only: POST, PUT and DELETE get 405 with Allow; HEAD gets headers and no body', async () => {
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const r = await fetchRaw(`${server.url}/status`, method);
      assert.equal(r.status, 405, method);
      assert.equal(r.headers.allow, 'GET, HEAD');
    }
    const head = await fetchRaw(`${server.url}/status`, 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(head.body, '');
    assert.ok(Number(head.headers['content-length']) > 100);
  });

  test('an unknown path is 404 with a sentence naming the paths served', async () => {
    const r = await fetchRaw(`${server.url}/admin`);
    assert.equal(r.status, 404);
    assert.equal(r.body, 'Not found: the status server serves /, /status and /metrics.\n');
  });

  test('a port already in use: one clear sentence', async () => {
    await assert.rejects(startStatusServer({ listen: `127.0.0.1:${server.port}`, sources }), {
      message: `the status server cannot listen on 127.0.0.1:${server.port}: the port is already in use; set status.listen to a free ADDRESS:PORT (or false)`,
    });
  });
});

describe('basic auth', () => {
  let server: StatusServer;
  before(async () => {
    server = await startStatusServer({ listen: '127.0.0.1:0', sources: fakeSources('bare'), auth: { basic: { user: 'ops', password: 's3cret' } } });
  });
  after(async () => { await server.close(); });

  for (const path of ['/', '/status', '/metrics']) {
    test(`${path}: refused without credentials and with wrong ones, served with the right ones`, async () => {
      const none = await fetchRaw(`${server.url}${path}`);
      assert.equal(none.status, 401);
      assert.equal(none.headers['www-authenticate'], 'Basic realm="pivs", charset="UTF-8"');
      assert.doesNotMatch(none.body, /198\.18/);
      assert.equal((await fetchRaw(`${server.url}${path}`, 'GET', basic('ops', 'wrong'))).status, 401);
      assert.equal((await fetchRaw(`${server.url}${path}`, 'GET', basic('root', 's3cret'))).status, 401);
      assert.equal((await fetchRaw(`${server.url}${path}`, 'GET', { Authorization: 'Bearer s3cret' })).status, 401);
      const ok = await fetchRaw(`${server.url}${path}`, 'GET', basic('ops', 's3cret'));
      assert.equal(ok.status, 200);
    });
  }
});

describe('bearer token', () => {
  let server: StatusServer;
  before(async () => {
    server = await startStatusServer({ listen: '127.0.0.1:0', sources: fakeSources('bare'), auth: { bearer: 'tok-123' } });
  });
  after(async () => { await server.close(); });

  test('refused without or with a wrong token, served with the right one', async () => {
    const none = await fetchRaw(`${server.url}/status`);
    assert.equal(none.status, 401);
    assert.equal(none.headers['www-authenticate'], 'Bearer realm="pivs"');
    assert.equal((await fetchRaw(`${server.url}/status`, 'GET', { Authorization: 'Bearer tok-124' })).status, 401);
    assert.equal((await fetchRaw(`${server.url}/status`, 'GET', basic('tok', '123'))).status, 401);
    const ok = await fetchRaw(`${server.url}/status`, 'GET', { Authorization: 'Bearer tok-123' });
    assert.equal(ok.status, 200);
    assert.equal((JSON.parse(ok.body) as { director: { name: string } }).director.name, 'director-a');
  });
});
