import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { queueReloads } from '../../src/daemon/reload_signal';
import pino from 'pino';

const silent = pino({ level: 'silent' });

test('SIGHUPs during startup make one reload once startup has finished, later ones reload at once', () => {
  const proc = new EventEmitter();
  const reloads = queueReloads(proc);
  assert.equal(proc.listenerCount('SIGHUP'), 1, 'the handler is installed at once');
  proc.emit('SIGHUP');
  proc.emit('SIGHUP');
  let count = 0;
  reloads.started(() => { count++; }, silent);
  assert.equal(count, 1);
  proc.emit('SIGHUP');
  assert.equal(count, 2);
});

test('no SIGHUP during startup: no reload at the start', () => {
  const proc = new EventEmitter();
  let count = 0;
  queueReloads(proc).started(() => { count++; }, silent);
  assert.equal(count, 0);
});

// The real pivsd: SIGHUP is caught (SigCgt in /proc) before the slow imports; a SIGHUP then does
// not kill it: it goes on to its own end (here the config file cannot be read: exit 1).
test('pivsd catches SIGHUP from its first line and is not killed by one during startup', async () => {
  const main = join(__dirname, '../../src/daemon/main.js');
  const child = spawn(process.execPath, [main, '-c', '/nonexistent/pivs.yaml'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => { stderr += String(d); });
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((r) => child.once('exit', (c, s) => r([c, s])));
  const caught = (): boolean => {
    try {
      const m = /^SigCgt:\s*([0-9a-f]+)$/m.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      return m !== null && (BigInt(`0x${m[1]}`) & 1n) === 1n;
    } catch {
      return false;
    }
  };
  let exitedYet = false;
  void exited.then(() => { exitedYet = true; });
  while (!caught() && !exitedYet) await new Promise((r) => setImmediate(r));
  assert.equal(exitedYet, false, `pivsd exited before catching SIGHUP: ${stderr}`);
  child.kill('SIGHUP');
  const [code, signal] = await exited;
  assert.equal(signal, null, 'killed by SIGHUP');
  assert.equal(code, 1);
  assert.match(stderr, /cannot read \/nonexistent\/pivs.yaml/);
});
