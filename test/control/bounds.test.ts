// The control socket's limits (issue 12 point 9): its directory's mode, a connection cap, a
// request-size cap answered at once, and no reading from a client that does not read.
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Response } from '../../src/control/protocol';
import {
  ControlServerError, MAX_CONNECTIONS, MAX_LINE_BYTES, MAX_UNREAD_BYTES, startControlServer, type ControlServer,
} from '../../src/control/server';
import { quietLogger, request } from './helpers';

let dir: string;
let server: ControlServer | null = null;
before(() => { dir = mkdtempSync(join(tmpdir(), 'pivs-bounds-')); });
after(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  await server?.close();
  server = null;
});

let handled = 0;
const ANSWER = 'x'.repeat(64 * 1024);
const start = (path: string) => startControlServer({
  path, logger: quietLogger(), handle: (r) => {
    handled++;
    return { id: (r as { id: number }).id, result: (r as { method: string }).method === 'big' ? ANSWER : null };
  },
});

function connected(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = createConnection(path);
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

/** Everything the server sends on `s` until it closes the connection. */
function untilClosed(s: Socket): Promise<string> {
  return new Promise((resolve) => {
    let data = '';
    s.on('data', (c: Buffer) => { data += c.toString('utf8'); });
    s.on('error', () => undefined);
    s.on('close', () => resolve(data));
  });
}

/** Resolves once `read()` has returned the same value for many event-loop turns in a row. */
async function settled(read: () => number): Promise<number> {
  let last = read();
  for (let same = 0; same < 20;) {
    await new Promise((r) => setTimeout(r, 5));
    const now = read();
    same = now === last ? same + 1 : 0;
    last = now;
  }
  return last;
}

test('pivsd refuses a socket directory that others can write to, in one sentence', async () => {
  const open = join(dir, 'open');
  mkdirSync(open);
  chmodSync(open, 0o777);
  await assert.rejects(start(join(open, 'pivsd.sock')), (e: unknown) => {
    assert.ok(e instanceof ControlServerError);
    assert.match(e.message, /^the control socket's directory .*open must be .* writable by no one else .*mode 0777/);
    return true;
  });
  chmodSync(open, 0o750);
  server = await start(join(open, 'pivsd.sock'));
  assert.deepEqual(await request(server.path, { id: 1, method: 'list' }), { id: 1, result: null });
});

test(`connections beyond ${MAX_CONNECTIONS} are closed at once; the others are served`, async () => {
  server = await start(join(dir, 'cap', 'pivsd.sock'));
  const open: Socket[] = [];
  try {
    for (let i = 0; i < MAX_CONNECTIONS; i++) open.push(await connected(server.path));
    // The server has accepted all of them once the last one has been answered.
    const last = open[open.length - 1];
    last.write('{"id":7,"method":"list"}\n');
    await new Promise((r) => last.once('data', r));
    const extra = await connected(server.path);
    extra.write('{"id":8,"method":"list"}\n');
    assert.equal(await untilClosed(extra), '');
  } finally {
    for (const s of open) s.destroy();
  }
});

test('a request line over the limit is answered at once with one sentence and the connection closed', async () => {
  server = await start(join(dir, 'line', 'pivsd.sock'));
  const before = handled;
  const s = await connected(server.path);
  const closed = untilClosed(s);
  // More than the limit, no newline: the answer must not wait for the end of the line.
  s.write(Buffer.alloc(MAX_LINE_BYTES + 1, 0x20));
  s.write('{"id":2,"method":"list"}\n');
  const lines = (await closed).split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1);
  const r = JSON.parse(lines[0]) as Response;
  assert.equal(r.id, 0);
  assert.ok('error' in r);
  assert.equal(r.error.code, 'Invalid');
  assert.match(r.error.message, new RegExp(`^the request line is longer than ${MAX_LINE_BYTES} bytes; nothing was done`));
  assert.equal(handled, before, 'nothing after the over-long line was handled');
});

test('a client that does not read its answers is not read either until it does', async () => {
  server = await start(join(dir, 'slow', 'pivsd.sock'));
  const s = await connected(server.path);
  s.pause();
  const count = 400; // 400 answers of 64 KiB: 25 MiB that pivsd would otherwise buffer
  const before = handled;
  s.write('{"id":1,"method":"big"}\n'.repeat(count));
  const stalled = await settled(() => handled) - before;
  assert.ok(stalled < count / 4, `pivsd answered ${stalled} of ${count} requests to a client that reads nothing`);
  // Each handled answer beyond what the kernel holds waits in pivsd: about MAX_UNREAD_BYTES.
  assert.ok(stalled * ANSWER.length < MAX_UNREAD_BYTES + 8 * 1024 * 1024);
  // Reading again resumes it: every request is answered, in order.
  let buffered = '';
  let ids = 0;
  await new Promise<void>((resolve) => {
    s.on('data', (c: Buffer) => {
      buffered += c.toString('utf8');
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        ids++;
        buffered = buffered.slice(nl + 1);
      }
      if (ids === count) resolve();
    });
    s.resume();
  });
  assert.equal(handled - before, count);
  s.destroy();
});
