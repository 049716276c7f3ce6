// The connections query in pages (src/control/pages.ts): a client that does not read holds the
// listing where it is instead of making pivsd read the whole table into its socket buffer; the
// event loop turns between pages; the pages arrive whole and in order through the real control
// socket, to requestPages() page by page and to request() joined.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { request as clientRequest, requestPages } from '../../src/control/client';
import { writePaged } from '../../src/control/pages';
import type { ConnectionEntry } from '../../src/dataplane/types';
import { useDirectorSocket } from './helpers';

function entry(n: number): ConnectionEntry {
  return {
    protocol: 'tcp', clientAddress: `198.19.${n >> 16}.${(n >> 8) & 255}`, clientPort: 1024 + (n & 255),
    virtualAddress: '198.18.0.10', virtualPort: 80, realAddress: '198.18.1.1', realPort: 80,
    state: 'ESTABLISHED', expiresMs: 899_000, template: false,
  };
}

/** Turns of the event loop until `done`, at most `limit` of them. */
async function turnsUntil(done: () => boolean, limit = 10_000): Promise<void> {
  for (let i = 0; i < limit && !done(); i++) await new Promise((r) => setImmediate(r));
  assert.ok(done(), `not so after ${limit} turns of the event loop`);
}

test('a client that does not read stops the listing after a page; it goes on when the client reads', async () => {
  // A socket whose peer reads nothing: no write completes until released.
  const held: Array<() => void> = [];
  const written: string[] = [];
  const out = new Writable({
    highWaterMark: 16 * 1024,
    write(chunk: Buffer, _encoding, callback) {
      written.push(chunk.toString('utf8'));
      held.push(() => callback());
    },
  });
  const pages = 2000;
  const perPage = 100;
  let pulled = 0;
  function* source(): Generator<ConnectionEntry[]> {
    for (let p = 0; p < pages; p++) {
      pulled++;
      yield Array.from({ length: perPage }, (_, i) => entry(p * perPage + i));
    }
  }
  const done = writePaged(out, { id: 7, pages: source() });
  await turnsUntil(() => out.listenerCount('drain') > 0);
  const stalled = pulled;
  for (let i = 0; i < 100; i++) await new Promise((r) => setImmediate(r));
  assert.equal(pulled, stalled, 'no page read while the client reads nothing');
  assert.ok(stalled <= 3, `${stalled} pages read for a client that reads nothing`);

  let finished = false;
  void done.then(() => { finished = true; });
  await turnsUntil(() => {
    for (const release of held.splice(0)) release();
    return finished;
  }, 100_000);
  assert.equal(pulled, pages);
  const lines = written.join('').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { id: number; page?: ConnectionEntry[]; result?: ConnectionEntry[] });
  assert.equal(lines.length, pages);
  assert.ok(lines.slice(0, -1).every((l) => l.id === 7 && l.page?.length === perPage));
  assert.equal(lines.at(-1)?.result?.length, perPage, 'the last page is the response');
  const all = lines.flatMap((l) => l.page ?? l.result ?? []);
  assert.deepEqual(all.map((e) => `${e.clientAddress}:${e.clientPort}`), Array.from({ length: pages * perPage }, (_, n) => {
    const e = entry(n);
    return `${e.clientAddress}:${e.clientPort}`;
  }));
});

test('the event loop turns between pages, and empty pages write nothing', async () => {
  const lines: string[] = [];
  const out = new Writable({ write(chunk: Buffer, _encoding, callback) { lines.push(chunk.toString('utf8')); callback(); } });
  let turns = 0;
  let ticking = true;
  const tick = (): void => { turns++; if (ticking) setImmediate(tick); };
  setImmediate(tick);
  const seen: number[] = [];
  function* source(): Generator<ConnectionEntry[]> {
    for (let p = 0; p < 50; p++) {
      seen.push(turns);
      yield p % 2 === 0 ? [] : [entry(p)];
    }
  }
  await writePaged(out, { id: 3, pages: source() });
  ticking = false;
  for (let i = 1; i < seen.length; i++) assert.ok(seen[i] > seen[i - 1], `page ${i} was read in the same turn as page ${i - 1}`);
  assert.equal(lines.length, 25, '24 pages and the response, nothing for the empty pages');
});

const socket = useDirectorSocket('pivs-pages-');

test('through the control socket: requestPages() gets the table page by page, request() joined', async () => {
  socket().dataplane.conns = Array.from({ length: 5000 }, (_, n) => entry(n));
  const pages: ConnectionEntry[][] = [];
  await requestPages(socket().server.path, { method: 'connections' }, (p) => pages.push(p));
  assert.deepEqual(pages.map((p) => p.length), [1024, 1024, 1024, 1024, 904]);
  assert.deepEqual(pages.flat(), socket().dataplane.conns);
  assert.deepEqual(await clientRequest(socket().server.path, { method: 'connections' }), socket().dataplane.conns);

  socket().dataplane.conns = [];
  const none: ConnectionEntry[][] = [];
  await requestPages(socket().server.path, { method: 'connections' }, (p) => none.push(p));
  assert.deepEqual(none, [[]]);
});
