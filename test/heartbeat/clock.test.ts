// Heartbeat against clocks that jump: liveness runs on the monotonic clock, so a wall clock set
// forward or back by a day neither kills a live path nor keeps a dead one alive; and a director
// restarted with its clock a day behind is heard again, because its sequence mark was saved.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { clockReservation } from '../../src/common/sequence';
import { openSequenceStore } from '../../src/common/sequence_store';
import { HeartbeatService, type HeartbeatServiceOptions, type PathEvent } from '../../src/heartbeat';
import { freePort, waitUntil } from './udp';

const KEY = Buffer.from('heartbeat key 0123456', 'utf8');
const DAY_MS = 86_400_000;
const A = '127.0.0.5';
const B = '127.0.0.6';

const running: HeartbeatService[] = [];
const dirs: string[] = [];
after(() => {
  for (const s of running) s.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function start(name: 'a' | 'b', port: number, extra: Partial<HeartbeatServiceOptions> = {}): Promise<HeartbeatService> {
  const [local, peer] = name === 'a' ? [A, B] : [B, A];
  const s = new HeartbeatService({
    name: `lvs-${name}`, key: KEY, port, intervalMs: 20, deadIntervals: 3,
    links: [{ name: 'lan', localAddress: local }], peers: [{ name: name === 'a' ? 'lvs-b' : 'lvs-a', addresses: [peer] }],
    ...extra,
  });
  running.push(s);
  await s.start();
  return s;
}

describe('heartbeat liveness and the wall clock', () => {
  it('a wall clock set a day forward, then two days back, changes nothing; a silent peer still dies', async () => {
    const port = await freePort();
    let wall = Date.UTC(2026, 0, 2, 3, 4, 5);
    const events: PathEvent[] = [];
    const a = await start('a', port, { now: () => wall });
    a.onPathChange((e) => events.push(e));
    const b = await start('b', port);
    await waitUntil('a to hear b', () => a.peers()[0].alive);

    wall += DAY_MS;
    const heard = a.counters().received;
    await waitUntil('ten more heartbeats', () => a.counters().received >= heard + 10);
    assert.deepEqual(events.map((e) => e.alive), [true], 'no path lost and restored');
    const shown = a.peers()[0].paths[0].lastSeenMs;
    assert.ok(shown !== null && Math.abs(shown - wall) < 1000, 'lastSeenMs is shown on the wall clock');

    wall -= 2 * DAY_MS;
    const again = a.counters().received;
    await waitUntil('ten more heartbeats', () => a.counters().received >= again + 10);
    b.close();
    await waitUntil('a to see the silent peer dead', () => !a.peers()[0].alive);
    assert.deepEqual(events.map((e) => e.alive), [true, false]);
  });
});

describe('heartbeat sequences across a restart', () => {
  it('a director restarted with its clock a day behind is heard again thanks to its saved mark', async () => {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'pivs-hb-'));
    dirs.push(dir);
    const path = join(dir, 'sequence');
    const wall = Date.now();
    const b = await start('b', port);
    const first = await start('a', port, { now: () => wall, sequences: openSequenceStore({ path, wallNow: () => wall }) });
    await waitUntil('b to hear a', () => b.peers()[0].alive);
    first.close();
    await waitUntil('b to see a gone', () => !b.peers()[0].alive);

    // From the clock alone the restarted a is a day's worth of numbers behind: b drops it all.
    const dropped = b.counters().replayed;
    const forgetful = await start('a', port, { now: () => wall - DAY_MS, sequences: clockReservation(wall - DAY_MS) });
    await waitUntil('b to drop five heartbeats as replays', () => b.counters().replayed >= dropped + 5);
    assert.equal(b.peers()[0].alive, false);
    forgetful.close();

    const replayed = b.counters().replayed;
    await start('a', port, { now: () => wall - DAY_MS, sequences: openSequenceStore({ path, wallNow: () => wall - DAY_MS }) });
    await waitUntil('b to hear the restarted a', () => b.peers()[0].alive);
    assert.equal(b.counters().replayed, replayed);
  });
});
