// The `ip monitor link` source against a fake spawner: a monitor that dies is restarted with a
// backoff and the links are re-read, so a change made while it was gone is still reported.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { monitorSource, RESTART_MAX_MS, RESTART_MIN_MS, RESTART_RESET_MS, type LinkEvent, type MonitorChild, type MonitorIo } from '../../src/link/monitor';

class FakeChild extends EventEmitter {
  readonly stdout = new PassThrough();
  killed: string | null = null;
  kill(signal?: NodeJS.Signals | number): boolean {
    this.killed = String(signal);
    return true;
  }
  line(text: string): void {
    this.stdout.write(`${text}\n`);
  }
}

const UP = (n: number, name: string) => `${n}: ${name}: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc mq state UP`;
const DOWN = (n: number, name: string) => `${n}: ${name}: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 qdisc mq state DOWN`;

class FakeIo implements MonitorIo {
  children: FakeChild[] = [];
  listing = `${UP(2, 'eth0')}\n${UP(3, 'eth1')}\n`;
  timers: { fn: () => void; ms: number }[] = [];
  nowMs = 0;
  spawnMonitor(): MonitorChild {
    const c = new FakeChild();
    this.children.push(c);
    return c as unknown as MonitorChild;
  }
  async listLinks(): Promise<string> { return this.listing; }
  setTimeout(fn: () => void, ms: number): unknown {
    const t = { fn, ms };
    this.timers.push(t);
    return t;
  }
  clearTimeout(h: unknown): void { this.timers = this.timers.filter((t) => t !== h); }
  now(): number { return this.nowMs; }
  carrier(): boolean { return true; }
  /** Runs the one pending restart timer and what it starts. */
  async fire(): Promise<number> {
    assert.equal(this.timers.length, 1);
    const t = this.timers.shift()!;
    t.fn();
    await new Promise((r) => setImmediate(r));
    return t.ms;
  }
}

test('a monitor that exits is restarted with a backoff, and the links are re-read', async () => {
  const io = new FakeIo();
  const events: LinkEvent[] = [];
  const errors: string[] = [];
  const notices: string[] = [];
  const watch = await monitorSource(io).watch(['eth0', 'eth1'], (e) => events.push(e), (e) => errors.push(e.message), (m) => notices.push(m));
  assert.deepEqual([...watch.initial], [['eth0', true], ['eth1', true]]);
  assert.equal(io.children.length, 1);

  // It dies; eth1 goes down while no monitor runs.
  io.children[0].emit('exit', null, 'SIGKILL');
  assert.match(errors[0], /^ip monitor link exited \(SIGKILL\); restarting it in 1000 ms/);
  io.listing = `${UP(2, 'eth0')}\n${DOWN(3, 'eth1')}\n`;
  assert.equal(await io.fire(), RESTART_MIN_MS);
  assert.equal(io.children.length, 2);
  assert.deepEqual(events, [{ name: 'eth1', up: false }]);
  assert.deepEqual(notices, ['ip monitor link restarted and the links re-read (changed: eth1 down)']);

  // The new monitor's events are followed; the dead one's are not.
  io.children[1].line(UP(3, 'eth1'));
  io.children[0].line(DOWN(2, 'eth0'));
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(events.slice(1), [{ name: 'eth1', up: true }]);

  // Dying again at once doubles the wait, up to the maximum; a long run resets it.
  const waits: number[] = [];
  for (let i = 0; i < 7; i++) {
    io.children.at(-1)!.emit('exit', 1, null);
    waits.push(await io.fire());
  }
  assert.deepEqual(waits, [2000, 4000, 8000, 16000, RESTART_MAX_MS, RESTART_MAX_MS, RESTART_MAX_MS]);
  io.nowMs += RESTART_RESET_MS;
  io.children.at(-1)!.emit('exit', 1, null);
  assert.equal(await io.fire(), RESTART_MIN_MS);

  // A monitor that cannot start is retried the same way; error then exit count once.
  const c = io.children.at(-1)!;
  c.emit('error', new Error('spawn setpriv ENOENT'));
  c.emit('exit', -2, null);
  assert.equal(io.timers.length, 1);
  assert.match(errors.at(-1)!, /could not run \(spawn setpriv ENOENT\)/);

  // close() stops the restarts and the running monitor.
  watch.close();
  assert.equal(io.timers.length, 0);
  const last = io.children.at(-1)!;
  await io.fire().catch(() => undefined);
  assert.equal(io.children.at(-1), last);
});

test('close() kills the monitor, and an exit after it is not an error', async () => {
  const io = new FakeIo();
  const errors: string[] = [];
  const watch = await monitorSource(io).watch(['eth0'], () => undefined, (e) => errors.push(e.message));
  watch.close();
  assert.equal(io.children[0].killed, 'SIGTERM');
  io.children[0].emit('exit', null, 'SIGTERM');
  assert.deepEqual(errors, []);
  assert.equal(io.timers.length, 0);
});
