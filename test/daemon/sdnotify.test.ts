import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { systemdNotifier, watchdogIntervalMs } from '../../src/daemon/sdnotify';

test('outside systemd (no NOTIFY_SOCKET) nothing is sent', () => {
  const sent: string[][] = [];
  const n = systemdNotifier({ env: {}, send: (l) => sent.push(l) });
  n.ready();
  n.stopping();
  assert.deepEqual(sent, []);
});

test('READY=1 at start, READY=1 + WATCHDOG=1 every WatchdogSec/3, STOPPING=1 stops the pings', () => {
  const sent: string[][] = [];
  let tick: (() => void) | null = null;
  let periodMs = 0;
  let stopped = false;
  const n = systemdNotifier({
    env: { NOTIFY_SOCKET: '/run/x', WATCHDOG_USEC: '30000000' },
    send: (l) => sent.push(l),
    every: (ms, fn) => { periodMs = ms; tick = fn; return { stop: () => { stopped = true; } }; },
  });
  n.ready();
  assert.equal(periodMs, 10000);
  (tick as unknown as () => void)();
  (tick as unknown as () => void)();
  n.stopping();
  assert.equal(stopped, true);
  assert.deepEqual(sent, [['READY=1'], ['READY=1', 'WATCHDOG=1'], ['READY=1', 'WATCHDOG=1'], ['STOPPING=1']]);
});

test('the watchdog period is only used when it is meant for this process', () => {
  assert.equal(watchdogIntervalMs({ WATCHDOG_USEC: '3000000' }, 42), 1000);
  assert.equal(watchdogIntervalMs({ WATCHDOG_USEC: '3000000', WATCHDOG_PID: '42' }, 42), 1000);
  assert.equal(watchdogIntervalMs({ WATCHDOG_USEC: '3000000', WATCHDOG_PID: '43' }, 42), null);
  assert.equal(watchdogIntervalMs({}, 42), null);
  assert.equal(watchdogIntervalMs({ WATCHDOG_USEC: 'x' }, 42), null);
});

// The real path: systemd-notify sends a datagram to $NOTIFY_SOCKET (received here by python3,
// as Node cannot bind a unix datagram socket).
const dir = mkdtempSync(join(tmpdir(), 'pivs-sdnotify-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('the default sender delivers READY=1 to a unix datagram NOTIFY_SOCKET', async () => {
  const path = join(dir, 'notify');
  const receiver = spawn('python3', ['-c', [
    'import socket, sys',
    's = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)',
    `s.bind(${JSON.stringify(path)})`,
    's.settimeout(20)',
    'print("bound", flush=True)',
    // systemd-notify waits on a BARRIER=1 message (its fd is closed when python drops it).
    'for _ in range(2): print(s.recv(4096).decode().replace("\\n", "|"), flush=True)',
  ].join('\n')], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const lines = new Promise<string[]>((resolve) => {
    receiver.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.split('\n').length > 3) resolve(out.trim().split('\n'));
    });
    receiver.on('exit', () => resolve(out.trim().split('\n')));
  });
  await new Promise<void>((resolve) => receiver.stdout.once('data', () => resolve()));
  systemdNotifier({ env: { NOTIFY_SOCKET: path } }).ready();
  const got = await lines;
  receiver.kill();
  assert.deepEqual(got.slice(1), ['READY=1', 'BARRIER=1']);
});
