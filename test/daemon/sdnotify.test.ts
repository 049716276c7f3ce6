import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { systemdNotifier, watchdogIntervalMs, type NotifierOptions } from '../../src/daemon/sdnotify';
import { SUN_PATH_BYTES, sdNotify } from '../../src/dataplane/sd_notify';

test('outside systemd (no NOTIFY_SOCKET) nothing is sent', () => {
  const sent: string[][] = [];
  const n = systemdNotifier({ env: {}, send: (_s, l) => sent.push(l) });
  n.ready();
  n.stopping();
  assert.deepEqual(sent, []);
});

test('READY=1 at start, READY=1 + WATCHDOG=1 every WatchdogSec/3, STOPPING=1 stops the pings', () => {
  const sent: Array<[string, string[]]> = [];
  let tick: (() => void) | null = null;
  let periodMs = 0;
  let stopped = false;
  const n = systemdNotifier({
    env: { NOTIFY_SOCKET: '/run/x', WATCHDOG_USEC: '30000000' },
    send: (s, l) => sent.push([s, l]),
    every: (ms, fn) => { periodMs = ms; tick = fn; return { stop: () => { stopped = true; } }; },
  });
  n.ready();
  assert.equal(periodMs, 10000);
  (tick as unknown as () => void)();
  (tick as unknown as () => void)();
  n.stopping();
  assert.equal(stopped, true);
  assert.deepEqual(sent, [
    ['/run/x', ['READY=1']], ['/run/x', ['READY=1', 'WATCHDOG=1']], ['/run/x', ['READY=1', 'WATCHDOG=1']], ['/run/x', ['STOPPING=1']],
  ]);
});

test('the watchdog period is only used when it is meant for this process', () => {
  assert.equal(watchdogIntervalMs({ WATCHDOG_USEC: '3000000' }, 42), 1000);
  assert.equal(watchdogIntervalMs({ WATCHDOG_USEC: '3000000', WATCHDOG_PID: '42' }, 42), 1000);
  assert.equal(watchdogIntervalMs({ WATCHDOG_USEC: '3000000', WATCHDOG_PID: '43' }, 42), null);
  assert.equal(watchdogIntervalMs({}, 42), null);
  assert.equal(watchdogIntervalMs({ WATCHDOG_USEC: 'x' }, 42), null);
});

test('a failing send is reported once per run of failures and never throws', () => {
  const reasons: string[] = [];
  let fail = true;
  let tick: () => void = () => undefined;
  const n = systemdNotifier({
    env: { NOTIFY_SOCKET: '/run/x', WATCHDOG_USEC: '3000000' },
    send: () => { if (fail) throw new Error('cannot send to NOTIFY_SOCKET "/run/x": Connection refused.'); },
    onError: (r) => reasons.push(r),
    every: (_ms, fn) => { tick = fn; return { stop: () => undefined }; },
  });
  n.ready();
  tick();
  tick();
  assert.deepEqual(reasons, ['cannot send to NOTIFY_SOCKET "/run/x": Connection refused.']);
  fail = false;
  tick();
  fail = true;
  n.stopping();
  assert.equal(reasons.length, 2);
});

// The real path, received the way systemd receives it: a unix datagram socket with SO_PASSCRED,
// where the kernel (not the sender) writes the sender's PID into SCM_CREDENTIALS. NotifyAccess=main
// accepts a message only when that PID is the unit's main PID, i.e. pivsd, i.e. this process here.
// Node cannot bind such a socket: python3 does.
const RECEIVER = `
import json, socket, struct, sys
addr = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
s.bind("\\0" + addr[1:] if addr.startswith("@") else addr)
s.settimeout(20)
print(json.dumps({"bound": True}), flush=True)
for _ in range(int(sys.argv[2])):
    data, anc, _flags, _addr = s.recvmsg(4096, socket.CMSG_SPACE(12))
    pid = None
    for level, kind, payload in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
            pid, _uid, _gid = struct.unpack("iII", payload[:12])
    print(json.dumps({"data": data.hex(), "pid": pid}), flush=True)
`;

interface Received { data: Buffer; pid: number | null }

/** Binds `address` in a python3 receiver; resolves once it is bound. */
async function receiver(address: string, count: number): Promise<{ received: Promise<Received[]> }> {
  const child = spawn('python3', ['-c', RECEIVER, address, String(count)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  const lines: Array<Record<string, unknown>> = [];
  let onBound: () => void = () => undefined;
  const bound = new Promise<void>((resolve) => { onBound = resolve; });
  const received = new Promise<Received[]>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      let nl: number;
      while ((nl = out.indexOf('\n')) >= 0) {
        const line = JSON.parse(out.slice(0, nl)) as Record<string, unknown>;
        out = out.slice(nl + 1);
        if (line.bound === true) onBound();
        else lines.push(line);
      }
    });
    child.on('exit', (code) => {
      onBound();
      if (code !== 0) reject(new Error(`the python3 receiver exited with ${code}: ${err.trim()}`));
      else resolve(lines.map((l) => ({ data: Buffer.from(l.data as string, 'hex'), pid: l.pid as number | null })));
    });
  });
  await bound;
  return { received };
}

const dir = mkdtempSync(join(tmpdir(), 'pivs-sdnotify-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function notifierFor(socket: string, extra: NotifierOptions = {}) {
  let tick: () => void = () => undefined;
  const notifier = systemdNotifier({
    env: { NOTIFY_SOCKET: socket, WATCHDOG_USEC: '30000000' },
    every: (_ms, fn) => { tick = fn; return { stop: () => undefined }; },
    ...extra,
  });
  return { notifier, tick: () => tick() };
}

test('the default sender delivers the exact messages to a path NOTIFY_SOCKET, from this process', async () => {
  const path = join(dir, 'notify');
  const { received } = await receiver(path, 3);
  const reasons: string[] = [];
  const { notifier, tick } = notifierFor(path, { onError: (r) => reasons.push(r) });
  notifier.ready();
  tick();
  notifier.stopping();
  const got = await received;
  assert.deepEqual(reasons, []);
  assert.deepEqual(got.map((r) => r.data.toString('latin1')), ['READY=1', 'READY=1\nWATCHDOG=1', 'STOPPING=1']);
  for (const r of got) assert.equal(r.pid, process.pid, 'SCM_CREDENTIALS names the notifying process (NotifyAccess=main)');
});

test('an abstract-namespace NOTIFY_SOCKET (@name) is reached too', async () => {
  const name = `@pivs-sdnotify-${process.pid}-${randomBytes(6).toString('hex')}`;
  const { received } = await receiver(name, 1);
  systemdNotifier({ env: { NOTIFY_SOCKET: name } }).ready();
  const got = await received;
  assert.deepEqual(got.map((r) => [r.data.toString('latin1'), r.pid]), [['READY=1', process.pid]]);
});

test('an address that cannot be reached or cannot be one is one sentence, never a throw from the notifier', () => {
  const reasons: string[] = [];
  systemdNotifier({ env: { NOTIFY_SOCKET: join(dir, 'nobody-here') }, onError: (r) => reasons.push(r) }).ready();
  systemdNotifier({ env: { NOTIFY_SOCKET: 'relative/notify' }, onError: (r) => reasons.push(r) }).ready();
  assert.equal(reasons.length, 2);
  assert.match(reasons[0], /^cannot send to NOTIFY_SOCKET ".*nobody-here": No such file or directory\.$/);
  assert.match(reasons[1], /neither an absolute path nor an abstract name/);
});

test('sun_path bounds: 107 bytes of path, 108 of abstract name (with its leading NUL), no more', () => {
  const longPath = `/${'p'.repeat(SUN_PATH_BYTES - 2)}`;
  assert.throws(() => sdNotify(longPath, ['READY=1']), (e: Error) => !(e instanceof TypeError) && /No such file/.test(e.message));
  assert.throws(() => sdNotify(`${longPath}p`, ['READY=1']), TypeError);
  const longName = `@${'a'.repeat(SUN_PATH_BYTES - 1)}`;
  assert.throws(() => sdNotify(longName, ['READY=1']), /Connection refused/);
  assert.throws(() => sdNotify(`${longName}a`, ['READY=1']), TypeError);
  // The addon checks the same bounds itself, whatever its caller checked.
  const { loadNative } = require('../../src/dataplane/native') as typeof import('../../src/dataplane/native');
  assert.throws(() => loadNative().sdNotify(`${longPath}p`, 'READY=1'), /longer than the 107 bytes/);
  assert.throws(() => loadNative().sdNotify(`${longName}a`, 'READY=1'), /longer than the 108 bytes/);
  assert.throws(() => sdNotify('/run/x', ['READY=1\nMAINPID=1']), TypeError);
});
