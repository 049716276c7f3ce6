// The status server's limits (issue 12 point 9): a connection cap, and no check command lines
// for readers without credentials.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { buildStatus, startStatusServer, type StatusServer } from '../../src/status';
import { MAX_CONNECTIONS } from '../../src/status/server';
import type { ListResult } from '../../src/control/protocol';
import { fakeSources } from './fake_sources';

const SCRIPT = 'script "/etc/pivs/check-db" "--password=hunter2" for 198.18.1.11:80';

/** The full fake sources with a script check on the first real server. */
function sourcesWithScript() {
  const sources = fakeSources('full');
  const list = sources.list;
  return {
    ...sources,
    list: (): ListResult => {
      const l = structuredClone(list());
      const health = l.virtualServices[0].realServers[0].health;
      assert.ok(health !== undefined);
      health.checks = [SCRIPT];
      health.lastResult = { ok: false, checker: SCRIPT, message: 'exited 1', at: '2026-01-02T03:05:00.000Z' };
      return l;
    },
  };
}

function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('buildStatus shows checks whole unless asked to show their kind only', () => {
  const sources = sourcesWithScript();
  const whole = buildStatus(sources).virtualServices[0].realServers[0].health;
  assert.deepEqual(whole?.checks, [SCRIPT]);
  const kind = buildStatus(sources, { redactChecks: true }).virtualServices[0].realServers[0].health;
  assert.deepEqual(kind?.checks, ['script']);
  assert.equal(kind?.lastResult?.checker, 'script');
  assert.equal(kind?.lastResult?.message, 'exited 1');
});

describe('without credentials', () => {
  let server: StatusServer;
  before(async () => { server = await startStatusServer({ listen: '127.0.0.1:0', sources: sourcesWithScript() }); });
  after(async () => { await server.close(); });

  test('/status and /metrics do not show a check\'s command line', async () => {
    for (const path of ['/status', '/metrics']) {
      const r = await get(`${server.url}${path}`);
      assert.equal(r.status, 200);
      assert.doesNotMatch(r.body, /check-db|hunter2/, path);
    }
    const doc = JSON.parse((await get(`${server.url}/status`)).body) as ReturnType<typeof buildStatus>;
    assert.deepEqual(doc.virtualServices[0].realServers[0].health?.checks, ['script']);
  });

  test(`connections beyond ${MAX_CONNECTIONS} are closed as they arrive; the others are served`, async () => {
    const open: Socket[] = [];
    try {
      for (let i = 0; i < MAX_CONNECTIONS; i++) {
        const s = connect(server.port, '127.0.0.1');
        await new Promise<void>((resolve, reject) => { s.once('connect', resolve); s.once('error', reject); });
        open.push(s);
      }
      // The server counts a connection once it has accepted it: one request round-trip makes sure.
      open[0].write('GET /status HTTP/1.1\r\nHost: x\r\n\r\n');
      await new Promise<void>((resolve) => open[0].once('data', () => resolve()));
      const extra = connect(server.port, '127.0.0.1');
      const got = await new Promise<string>((resolve) => {
        let data = '';
        extra.on('data', (c: Buffer) => { data += c.toString(); });
        extra.on('error', () => resolve(data));
        extra.on('close', () => resolve(data));
        extra.on('connect', () => extra.write('GET /status HTTP/1.1\r\nHost: x\r\n\r\n'));
      });
      assert.equal(got, '', 'the connection over the cap was closed without an answer');
    } finally {
      for (const s of open) s.destroy();
    }
    // Once they are gone (the server sees them close a moment later), it answers again.
    let status = 0;
    for (let i = 0; i < 100 && status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 20));
      status = await get(`${server.url}/status`).then((r) => r.status, () => 0);
    }
    assert.equal(status, 200);
  });
});

describe('with credentials', () => {
  let server: StatusServer;
  const auth = { bearer: 'a-long-token-for-prometheus' };
  before(async () => { server = await startStatusServer({ listen: '127.0.0.1:0', sources: sourcesWithScript(), auth }); });
  after(async () => { await server.close(); });

  test('/status shows the whole check to an authenticated reader', async () => {
    const r = await get(`${server.url}/status`, { Authorization: `Bearer ${auth.bearer}` });
    assert.equal(r.status, 200);
    const doc = JSON.parse(r.body) as ReturnType<typeof buildStatus>;
    assert.deepEqual(doc.virtualServices[0].realServers[0].health?.checks, [SCRIPT]);
  });
});
