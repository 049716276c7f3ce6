// The last-resort handler: an error that escaped its handler is logged at error level with where
// it came from, a storm of them is logged within a budget, and a real process that installed it
// keeps running after a throw in a timer and a rejection nobody handled.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { test } from 'node:test';
import { installLastResort, whereThrown, type ProcessEvents } from '../../src/daemon/last_resort';

function fakeLogger(): { lines: Array<{ obj: Record<string, unknown>; msg: string }>; error(obj: object, msg: string): void } {
  const lines: Array<{ obj: Record<string, unknown>; msg: string }> = [];
  return { lines, error: (obj, msg) => lines.push({ obj: obj as Record<string, unknown>, msg }) };
}

test('an escaped exception and an unhandled rejection are logged with their origin and where they were thrown', () => {
  const proc = new EventEmitter();
  const log = fakeLogger();
  const lr = installLastResort(proc as unknown as ProcessEvents, log);
  const err = new Error('boom in a socket handler');
  proc.emit('uncaughtException', err, 'uncaughtException');
  proc.emit('unhandledRejection', 'a bare string', Promise.resolve());
  assert.equal(lr.escaped(), 2);
  assert.equal(log.lines.length, 2);
  assert.equal(log.lines[0].obj.origin, 'uncaughtException');
  assert.equal(log.lines[0].obj.err, err);
  assert.match(String(log.lines[0].obj.where), /last_resort\.test\.js:\d+:\d+/);
  assert.match(log.lines[0].msg, /pivsd keeps running/);
  assert.equal(log.lines[1].obj.origin, 'unhandledRejection');
  assert.equal(log.lines[1].obj.reason, 'a bare string');
  lr.uninstall();
  assert.equal(proc.listenerCount('uncaughtException') + proc.listenerCount('unhandledRejection'), 0);
});

test('a storm is logged within the budget, and the next line says how many were left out', () => {
  const proc = new EventEmitter();
  const log = fakeLogger();
  let now = 0;
  const lr = installLastResort(proc as unknown as ProcessEvents, log, { now: () => now, logLimit: 3, windowMs: 1000 });
  for (let i = 0; i < 50; i++) proc.emit('uncaughtException', new Error(`e${i}`), 'uncaughtException');
  assert.equal(log.lines.length, 3);
  now = 1000;
  proc.emit('uncaughtException', new Error('after the window'), 'uncaughtException');
  assert.equal(log.lines.length, 4);
  assert.equal(log.lines[3].obj.suppressed, 47);
  assert.equal(lr.escaped(), 51);
});

test('a logger that throws does not turn the handler into the thing that stops the process', () => {
  const proc = new EventEmitter();
  installLastResort(proc as unknown as ProcessEvents, { error: () => { throw new Error('log sink gone'); } });
  assert.doesNotThrow(() => proc.emit('uncaughtException', new Error('x'), 'uncaughtException'));
});

test('whereThrown skips node internals and dependencies', () => {
  const e = new Error('x');
  e.stack = 'Error: x\n    at emit (node:events:519:28)\n    at f (/p/node_modules/net-snmp/index.js:1:1)\n    at Socket.<anonymous> (/p/dist/src/sync/service.js:12:3)';
  assert.equal(whereThrown(e), 'Socket.<anonymous> (/p/dist/src/sync/service.js:12:3)');
  assert.equal(whereThrown('not an error'), null);
});

test('a process with it installed survives a throw in a timer and an unhandled rejection, and logs both', async () => {
  const module = join(__dirname, '..', '..', 'src', 'daemon', 'last_resort.js');
  const script = `
    const { installLastResort } = require(${JSON.stringify(module)});
    installLastResort(process, { error: (o, m) => console.log(JSON.stringify({ origin: o.origin, message: o.err && o.err.message, msg: m })) });
    setTimeout(() => { throw new Error('thrown in a timer'); }, 1);
    setTimeout(() => { Promise.reject(new Error('rejected, never awaited')); }, 5);
    setTimeout(() => { console.log('still running'); }, 100);
  `;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => { out += c.toString(); });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  assert.equal(code, 0, out);
  const lines = out.trim().split('\n');
  assert.equal(lines.at(-1), 'still running');
  const logged = lines.slice(0, -1).map((l) => JSON.parse(l) as { origin: string; message: string });
  assert.deepEqual(logged.map((l) => [l.origin, l.message]), [
    ['uncaughtException', 'thrown in a timer'],
    ['unhandledRejection', 'rejected, never awaited'],
  ]);
});
