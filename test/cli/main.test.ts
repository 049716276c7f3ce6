// pivsadm end to end: main() against a fake pivsd on a Unix socket in a temp dir; checks the
// request on the wire, stdout, stderr and the exit status.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main, type Io } from '../../src/cli/main';
import { NUMERIC } from '../../src/cli/names';
import type { ErrorBody } from '../../src/control/protocol';
import { LIST, LIST_N_TEXT } from './fixture';

interface Received {
  id: number;
  method: string;
  params?: unknown;
}

let dir: string;
let socket: string;
let server: Server;
const received: Received[] = [];
/** What the fake daemon answers, per method. */
let answers: Record<string, { result?: unknown; error?: ErrorBody }> = {};

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pivsadm-test-'));
  socket = join(dir, 'pivsd.sock');
  server = createServer((conn) => {
    let buffer = '';
    conn.setEncoding('utf8');
    conn.on('data', (chunk: string) => {
      buffer += chunk;
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const req = JSON.parse(buffer.slice(0, nl)) as Received;
        buffer = buffer.slice(nl + 1);
        received.push(req);
        const answer = answers[req.method] ?? { result: null };
        conn.write(`${JSON.stringify({ id: req.id, ...answer })}\n`);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
});

after(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

async function run(argv: string[], stdin = '', env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = {
    stdout: (t) => { out += t; },
    stderr: (t) => { err += t; },
    readStdin: async () => stdin,
    env,
    names: NUMERIC,
  };
  const code = await main(argv, io);
  return { code, out, err };
}

function reset(a: typeof answers = {}): void {
  answers = a;
  received.length = 0;
}

test('-A sends one addService request and prints nothing', async () => {
  reset();
  const r = await run(['--socket', socket, '-A', '-t', '198.18.0.100:80', '-s', 'rr', '-p']);
  assert.deepEqual(r, { code: 0, out: '', err: '' });
  assert.equal(received.length, 1);
  const { id, ...rest } = received[0];
  assert.equal(typeof id, 'number');
  assert.deepEqual(rest, {
    method: 'addService',
    params: {
      service: {
        protocol: 'tcp', address: '198.18.0.100', port: 80, scheduler: 'rr', schedFlags: [], sloppy: false,
        persistence: { timeout: 300, netmask: '255.255.255.255' },
      },
    },
  });
});

test('$PIVS_SOCKET is used when --socket is absent; -Ln prints the ipvsadm listing', async () => {
  reset({ list: { result: LIST } });
  const r = await run(['-Ln'], '', { PIVS_SOCKET: socket });
  assert.deepEqual(r, { code: 0, out: LIST_N_TEXT, err: '' });
  assert.deepEqual(received.map((q) => q.method), ['list']);
});

test('-L -t of a missing service says "No such service" and exits 1', async () => {
  reset({ list: { result: LIST } });
  const r = await run(['--socket', socket, '-L', '-n', '-t', '198.18.0.200:80']);
  assert.deepEqual(r, { code: 1, out: '', err: 'No such service\n' });
});

test('daemon errors read as ipvsadm\'s and exit 255', async () => {
  reset({ addReal: { error: { code: 'RealExists', message: 'real server 198.18.0.11:80 exists' } } });
  let r = await run(['--socket', socket, '-a', '-t', '198.18.0.100:80', '-r', '198.18.0.11']);
  assert.deepEqual(r, { code: 255, out: '', err: 'Destination already exists\n' });
  reset({ addReal: { error: { code: 'NoService', message: 'no service' } } });
  r = await run(['--socket', socket, '-a', '-t', '198.18.0.100:81', '-r', '198.18.0.11']);
  assert.deepEqual(r, { code: 255, out: '', err: 'Service not defined\n' });
  reset({ deleteService: { error: { code: 'NoService', message: 'no service' } } });
  r = await run(['--socket', socket, '-D', '-t', '198.18.0.100:81']);
  assert.deepEqual(r, { code: 255, out: '', err: 'No such service\n' });
});

test('-R parses everything, then sends a single batch', async () => {
  reset();
  const stdin = '-A -t 198.18.0.100:80 -s rr\n-a -t 198.18.0.100:80 -r 198.18.0.11:80 -g -w 1\n';
  const r = await run(['--socket', socket, '-R'], stdin);
  assert.deepEqual(r, { code: 0, out: '', err: '' });
  assert.equal(received.length, 1);
  assert.equal(received[0].method, 'batch');
  assert.deepEqual(received[0].params, {
    commands: [
      {
        method: 'addService',
        params: { service: { protocol: 'tcp', address: '198.18.0.100', port: 80, scheduler: 'rr', schedFlags: [], sloppy: false } },
      },
      {
        method: 'addReal',
        params: {
          key: { protocol: 'tcp', address: '198.18.0.100', port: 80 },
          real: { address: '198.18.0.11', port: 80, forward: 'dr', weight: 1, upperThreshold: 0, lowerThreshold: 0 },
        },
      },
    ],
  });
});

test('-R with a bad line sends nothing and names the line', async () => {
  reset();
  const r = await run(['--socket', socket, '-R'], '-A -t 198.18.0.100:80 -s rr\n-a -t 198.18.0.100:80 -r 198.18.0.11 -w 70000\n');
  assert.deepEqual(r, { code: 2, out: '', err: 'Line 2: illegal weight specified; nothing was applied.\n' });
  assert.equal(received.length, 0);
});

test('-R refused by the daemon applies nothing and says so', async () => {
  reset({ batch: { error: { code: 'ServiceExists', message: 'exists' } } });
  const r = await run(['--socket', socket, '-R'], '-A -t 198.18.0.100:80 -s rr\n');
  assert.deepEqual(r, { code: 255, out: '', err: 'Restore failed, nothing was applied: Service already exists\n' });
});

test('-S -n | -R round trip through the fake daemon', async () => {
  reset({ list: { result: LIST } });
  const saved = await run(['--socket', socket, '-S', '-n']);
  assert.equal(saved.code, 0);
  reset();
  const restored = await run(['--socket', socket, '-R'], saved.out);
  assert.equal(restored.code, 0);
  const batch = received[0].params as { commands: Array<{ method: string }> };
  assert.deepEqual(batch.commands.map((c) => c.method),
    ['addService', 'addReal', 'addReal', 'addService', 'addReal', 'addService', 'addReal', 'addService', 'addReal']);
});

test('--json prints the list result with sorted keys; -c --json the connections; --timeout', async () => {
  reset({ list: { result: LIST }, timeouts: { result: { udp: 300, tcp: 900, tcpfin: 120 } }, connections: { result: [] } });
  const r = await run(['--socket', socket, '-L', '--json']);
  assert.equal(r.code, 0);
  assert.deepEqual(JSON.parse(r.out), LIST);
  assert.ok(r.out.startsWith('{\n  "connTableSize": 4096,\n  "drops": {\n    "arpRateLimited": 0,\n'), r.out);
  const c = await run(['--socket', socket, '-L', '-c', '--json']);
  assert.deepEqual(c, { code: 0, out: '[]\n', err: '' });
  const t = await run(['--socket', socket, '-L', '--timeout']);
  assert.deepEqual(t, { code: 0, out: 'Timeout (tcp tcpfin udp): 900 120 300\n', err: '' });
});

test('a parse error sends nothing', async () => {
  reset();
  const r = await run(['--socket', socket, '-a', '-t', '198.18.0.100:80', '-r', '198.18.0.11', '-m']);
  assert.equal(r.code, 2);
  assert.equal(r.err, 'Masquerading (-m, NAT) is not available: pivs supports only direct routing (-g) so far.\n');
  assert.equal(received.length, 0);
});

test('no daemon: one sentence naming the socket and how to start pivsd, exit 2', async () => {
  const missing = join(dir, 'absent.sock');
  const r = await run(['--socket', missing, '-Ln']);
  assert.deepEqual(r, {
    code: 2,
    out: '',
    err: `pivsd is not reachable at ${missing} (ENOENT); start it with "systemctl start pivsd", `
      + 'or point --socket or $PIVS_SOCKET at its control socket.\n',
  });
});
