// Each checker against a server of its kind on 127.0.0.1, passing and failing as a user would see.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { HealthCheckSpec } from '../../src/config/model';
import type { CheckResult } from '../../src/health/checker';
import { createChecker } from '../../src/health/create';
import { useScriptDir } from './script_dir';

const LOCAL = '127.0.0.1';

function run(spec: HealthCheckSpec, port: number, timeoutMs = 2000, protocol: 'tcp' | 'udp' = 'tcp'): Promise<CheckResult> {
  return createChecker(spec, { address: LOCAL, port }, protocol).check(AbortSignal.timeout(timeoutMs));
}

function listen<T extends TcpServer | HttpServer | HttpsServer>(server: T): Promise<number> {
  return new Promise((resolve) => server.listen(0, LOCAL, () => resolve((server.address() as AddressInfo).port)));
}

/** A port nothing listens on: bound, read, closed. */
async function closedPort(): Promise<number> {
  const s = createTcpServer();
  const port = await listen(s);
  await new Promise((r) => s.close(r));
  return port;
}

describe('tcp checker', () => {
  it('is up when the port accepts and down when it refuses', async () => {
    const server = createTcpServer((c) => c.destroy());
    const port = await listen(server);
    try {
      const up = await run({ type: 'tcp' }, port);
      assert.equal(up.ok, true);
      assert.equal(up.message, `connected to ${LOCAL}:${port}`);
    } finally {
      server.close();
    }
    const down = await run({ type: 'tcp' }, await closedPort());
    assert.equal(down.ok, false);
    assert.match(down.message, /ECONNREFUSED/);
  });

  it('uses connectPort instead of the real server port', async () => {
    const server = createTcpServer((c) => c.destroy());
    const port = await listen(server);
    try {
      const r = await run({ type: 'tcp', connectPort: port }, await closedPort());
      assert.equal(r.ok, true);
    } finally {
      server.close();
    }
  });
});

describe('http checker', () => {
  const BODY = 'service OK v1\n';
  let server: HttpServer;
  let port = 0;
  const hosts: string[] = [];
  before(async () => {
    server = createHttpServer((req, res) => {
      hosts.push(req.headers.host ?? '');
      if (req.url === '/health') res.end(BODY);
      else if (req.url === '/broken') { res.statusCode = 500; res.end('oops'); }
      else if (req.url === '/redirect') { res.statusCode = 302; res.end(); }
      else if (req.url === '/hang') { /* never answers */ }
      else { res.statusCode = 404; res.end('no'); }
    });
    port = await listen(server);
  });
  after(() => { server.closeAllConnections(); server.close(); });

  it('passes on 200 and fails on a status outside the range, saying which', async () => {
    assert.deepEqual(await run({ type: 'http', path: '/health', status: { min: 200, max: 299 } }, port),
      { ok: true, message: 'GET /health answered 200' });
    assert.deepEqual(await run({ type: 'http', path: '/broken', status: { min: 200, max: 299 } }, port),
      { ok: false, message: 'GET /broken answered 500, expected 200-299' });
    assert.equal((await run({ type: 'http', path: '/redirect', status: { min: 200, max: 399 } }, port)).ok, true);
    assert.equal((await run({ type: 'http', path: '/redirect', status: { min: 200, max: 200 } }, port)).message,
      'GET /redirect answered 302, expected 200');
  });

  it('checks the body for a string, a regex and a digest (md5 or sha256)', async () => {
    const md5 = createHash('md5').update(BODY).digest('hex');
    const sha = createHash('sha256').update(BODY).digest('hex');
    const base = { type: 'http' as const, path: '/health', status: { min: 200, max: 299 } };
    assert.equal((await run({ ...base, expect: 'OK' }, port)).ok, true);
    assert.deepEqual(await run({ ...base, expect: 'FAIL' }, port),
      { ok: false, message: 'GET /health answered 200 without "FAIL" in the body' });
    assert.equal((await run({ ...base, expectRegex: 'OK v\\d+' }, port)).ok, true);
    assert.equal((await run({ ...base, expectRegex: '^down' }, port)).ok, false);
    assert.equal((await run({ ...base, digest: md5 }, port)).ok, true);
    assert.equal((await run({ ...base, digest: sha }, port)).ok, true);
    const wrong = await run({ ...base, digest: '0'.repeat(32) }, port);
    assert.deepEqual(wrong, { ok: false, message: `GET /health answered 200 with body md5 ${md5}, expected ${'0'.repeat(32)}` });
  });

  it('sends the virtual host as Host header, else the address and port', async () => {
    hosts.length = 0;
    await run({ type: 'http', path: '/health', virtualHost: 'www.example.test' }, port);
    await run({ type: 'http', path: '/health' }, port);
    assert.deepEqual(hosts, ['www.example.test', `${LOCAL}:${port}`]);
  });

  it('fails on a server that does not answer before the timeout', async () => {
    assert.deepEqual(await run({ type: 'http', path: '/hang' }, port, 300), { ok: false, message: 'no answer before the timeout' });
  });

  it('fails on a refused connection', async () => {
    const r = await run({ type: 'http', path: '/' }, await closedPort());
    assert.equal(r.ok, false);
    assert.match(r.message, /^GET \/ on 127\.0\.0\.1:\d+ failed: ECONNREFUSED$/);
  });
});

describe('https checker', () => {
  let dir: string;
  let server: HttpsServer;
  let port = 0;
  const names: (string | false)[] = [];
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pivs-health-'));
    // A self-signed certificate made for this run: keepalived's SSL_GET accepts it without verification.
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=app.example.test',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1'], { stdio: 'ignore' });
    server = createHttpsServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (req, res) => {
      names.push((req.socket as unknown as { servername: string | false }).servername);
      res.end('secure OK');
    });
    port = await listen(server);
  });
  after(() => { server.close(); rmSync(dir, { recursive: true, force: true }); });

  it('accepts a self-signed certificate unless verifyTls is on', async () => {
    assert.deepEqual(await run({ type: 'https', path: '/', expect: 'secure', verifyTls: false }, port),
      { ok: true, message: 'GET / answered 200' });
    const verified = await run({ type: 'https', path: '/', verifyTls: true, sni: 'app.example.test' }, port);
    assert.equal(verified.ok, false);
    assert.match(verified.message, /SELF_SIGNED|self.signed/i);
  });

  it('sends SNI: the sni option, else the virtual host name, else none', async () => {
    names.length = 0;
    await run({ type: 'https', path: '/', sni: 'sni.example.test' }, port);
    await run({ type: 'https', path: '/', virtualHost: 'vhost.example.test' }, port);
    await run({ type: 'https', path: '/' }, port);
    assert.deepEqual(names, ['sni.example.test', 'vhost.example.test', false]);
  });
});

describe('negotiate checker', () => {
  let tcp: TcpServer;
  let tcpPort = 0;
  let udp: UdpSocket;
  let udpPort = 0;
  before(async () => {
    tcp = createTcpServer((c) => {
      c.on('data', (d) => {
        c.end(d.toString().startsWith('PING') ? '+PONG\r\n' : '-ERR unknown\r\n');
      });
    });
    tcpPort = await listen(tcp);
    udp = createSocket('udp4');
    udp.on('message', (m, from) => udp.send(m.toString() === 'status' ? 'ready' : 'what?', from.port, from.address));
    await new Promise<void>((r) => udp.bind(0, LOCAL, () => r()));
    udpPort = udp.address().port;
  });
  after(() => { tcp.close(); udp.close(); });

  it('over TCP: sends the request and looks for the expected string', async () => {
    assert.deepEqual(await run({ type: 'negotiate', send: 'PING\r\n', expect: '+PONG' }, tcpPort),
      { ok: true, message: 'answered with "+PONG"' });
    assert.deepEqual(await run({ type: 'negotiate', send: 'HELLO\r\n', expect: '+PONG' }, tcpPort),
      { ok: false, message: `${LOCAL}:${tcpPort} answered 14 bytes without "+PONG"` });
  });

  it('over UDP (the service protocol or protocol: udp), and the udp check takes any answer', async () => {
    assert.equal((await run({ type: 'negotiate', send: 'status', expect: 'ready' }, udpPort, 2000, 'udp')).ok, true);
    assert.equal((await run({ type: 'negotiate', protocol: 'udp', send: 'status', expect: 'ready' }, udpPort)).ok, true);
    assert.equal((await run({ type: 'negotiate', protocol: 'udp', send: 'other', expect: 'ready' }, udpPort)).ok, false);
    assert.deepEqual(await run({ type: 'udp', send: 'x' }, udpPort), { ok: true, message: 'answered 5 bytes' });
  });

  it('over UDP fails at once on port unreachable, or on silence at the timeout', async () => {
    const closed = createSocket('udp4');
    await new Promise<void>((r) => closed.bind(0, LOCAL, () => r()));
    const port = closed.address().port;
    closed.close();
    const r = await run({ type: 'udp', send: 'x' }, port);
    assert.equal(r.ok, false);
    assert.match(r.message, /ECONNREFUSED/);
    const silent = createSocket('udp4');
    await new Promise<void>((res) => silent.bind(0, LOCAL, () => res()));
    try {
      assert.deepEqual(await run({ type: 'udp', send: 'x' }, silent.address().port, 300),
        { ok: false, message: 'no answer before the timeout' });
    } finally {
      silent.close();
    }
  });
});

/** A DNS responder written for the test: answers A app.test with 198.18.0.50, NXDOMAIN otherwise. */
function dnsAnswer(query: Buffer): Buffer {
  const id = query.subarray(0, 2);
  let o = 12;
  const labels: string[] = [];
  while (query[o] !== 0) { labels.push(query.subarray(o + 1, o + 1 + query[o]).toString()); o += 1 + query[o]; }
  const question = query.subarray(12, o + 5);
  const name = labels.join('.');
  if (name !== 'app.test') {
    return Buffer.concat([id, Buffer.from([0x81, 0x83, 0, 1, 0, 0, 0, 0, 0, 0]), question]);
  }
  const answer = Buffer.from([0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 198, 18, 0, 50]);
  return Buffer.concat([id, Buffer.from([0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0]), question, answer]);
}

describe('dns checker', () => {
  let server: UdpSocket;
  let port = 0;
  before(async () => {
    server = createSocket('udp4');
    server.on('message', (m, from) => server.send(dnsAnswer(m), from.port, from.address));
    await new Promise<void>((r) => server.bind(0, LOCAL, () => r()));
    port = server.address().port;
  });
  after(() => server.close());

  it('is up on NOERROR with records, and checks the expected address', async () => {
    assert.deepEqual(await run({ type: 'dns', name: 'app.test', queryType: 'A' }, port),
      { ok: true, message: 'A app.test answered NOERROR with 1 records' });
    assert.equal((await run({ type: 'dns', name: 'app.test', queryType: 'A', expectAddress: '198.18.0.50' }, port)).ok, true);
    assert.deepEqual(await run({ type: 'dns', name: 'app.test', queryType: 'A', expectAddress: '198.18.0.51' }, port),
      { ok: false, message: 'A app.test answered 198.18.0.50, not 198.18.0.51' });
  });

  it('is down on NXDOMAIN', async () => {
    assert.deepEqual(await run({ type: 'dns', name: 'nope.test', queryType: 'A' }, port),
      { ok: false, message: 'A nope.test answered NXDOMAIN' });
  });
});

describe('script checker', () => {
  const { path: inDir, script } = useScriptDir('pivs-script-');

  it('maps exit codes as keepalived MISC_CHECK does', async () => {
    const exit = script('exit.sh', 'exit "$1"');
    const r = (code: number, dynamic: boolean) => run({ type: 'script', command: [exit, String(code)], dynamic }, 80);
    assert.deepEqual(await r(0, false), { ok: true, message: 'exited 0' });
    assert.deepEqual(await r(1, false), { ok: false, message: 'exited 1' });
    assert.deepEqual(await r(7, false), { ok: false, message: 'exited 7' });
    assert.deepEqual(await r(1, true), { ok: false, message: 'exited 1' });
    assert.deepEqual(await r(7, true), { ok: true, message: 'exited 7: weight 5', weight: 5 });
    assert.deepEqual(await r(2, true), { ok: true, message: 'exited 2: weight 0', weight: 0 });
  });

  it('passes the real server in its environment and runs no shell on its arguments', async () => {
    const out = inDir('env.out');
    const echo = script('env.sh', `printf '%s %s %s' "$PIVS_REAL_ADDRESS" "$PIVS_REAL_PORT" "$1" > ${out}`);
    assert.equal((await run({ type: 'script', command: [echo, '$(touch x); *'] }, 8080)).ok, true);
    assert.equal(readFileSync(out, 'utf8'), '127.0.0.1 8080 $(touch x); *');
  });

  it('kills a script that outlives the timeout and reports it down', async () => {
    const pidFile = inDir('pid');
    const slow = script('slow.sh', `echo $$ > ${pidFile}; exec sleep 30`);
    assert.deepEqual(await run({ type: 'script', command: [slow] }, 80, 500), { ok: false, message: 'no answer before the timeout' });
    const pid = Number(readFileSync(pidFile, 'utf8'));
    // kill(pid, 0) throws once the process is gone; reaping can lag the kill a little.
    let gone = false;
    for (let i = 0; i < 50 && !gone; i++) {
      try { process.kill(pid, 0); await new Promise((r) => setTimeout(r, 20)); } catch { gone = true; }
    }
    assert.equal(gone, true, 'the timed-out script is still running');
  });

  it('reports a program that cannot be run', async () => {
    assert.deepEqual(await run({ type: 'script', command: [inDir('missing')] }, 80),
      { ok: false, message: `could not run ${inDir('missing')}: ENOENT` });
  });
});
