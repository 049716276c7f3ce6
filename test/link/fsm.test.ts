import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initialState, linkChanged, tick, type LinkAction, type LinkStep } from '../../src/link/fsm';

const HOLD = 5000;

function start(up = [true, true]): LinkStep {
  return initialState(['eth0', 'eth1'], up, HOLD, 0);
}

function switches(actions: LinkAction[]): string[] {
  return actions.map((a) => (a.kind === 'switch' ? `${a.reason}:${a.from}->${a.to}` : `fault:${a.from}`));
}

test('starts on the first link that is up', () => {
  assert.deepEqual(switches(start().actions), ['start:null->eth0']);
  assert.deepEqual(switches(start([false, true]).actions), ['start:null->eth1']);
  assert.deepEqual(switches(start([false, false]).actions), ['fault:null']);
});

test('loss of the primary switches to the next link that is up at once', () => {
  const s = linkChanged(start().state, 'eth0', false, 1000);
  assert.deepEqual(switches(s.actions), ['failover:eth0->eth1']);
  assert.equal(s.state.links[s.state.active!].name, 'eth1');
  assert.equal(s.state.failovers, 1);
  assert.equal(s.state.lastChangeMs, 1000);
});

test('the primary is taken back only after holdDownMs of stable carrier', () => {
  let s = linkChanged(start().state, 'eth0', false, 1000);
  s = linkChanged(s.state, 'eth0', true, 2000);
  assert.deepEqual(s.actions, []);
  assert.equal(s.wakeAtMs, 2000 + HOLD);
  s = tick(s.state, 2000 + HOLD - 1);
  assert.deepEqual(s.actions, []);
  s = tick(s.state, 2000 + HOLD);
  assert.deepEqual(switches(s.actions), ['failback:eth1->eth0']);
  assert.equal(s.state.failovers, 2);
  assert.equal(s.wakeAtMs, null);
});

test('a link flapping five times in a second moves traffic at most once', () => {
  let s = start();
  let count = 0;
  for (let i = 0; i < 5; i++) {
    s = linkChanged(s.state, 'eth0', false, 1000 + i * 200);
    count += s.actions.length;
    s = linkChanged(s.state, 'eth0', true, 1100 + i * 200);
    count += s.actions.length;
    s = tick(s.state, 1150 + i * 200);
    count += s.actions.length;
  }
  assert.equal(count, 1);
  assert.equal(s.state.links[s.state.active!].name, 'eth1');
  // The hold-down counts from the last time it came up.
  assert.equal(s.wakeAtMs, 1900 + HOLD);
  s = tick(s.state, 1900 + HOLD);
  assert.deepEqual(switches(s.actions), ['failback:eth1->eth0']);
});

test('every link down is a fault; the first link back is taken at once', () => {
  let s = linkChanged(start().state, 'eth1', false, 100);
  assert.deepEqual(s.actions, []);
  s = linkChanged(s.state, 'eth0', false, 200);
  assert.deepEqual(switches(s.actions), ['fault:eth0']);
  assert.equal(s.state.active, null);
  s = linkChanged(s.state, 'eth1', true, 300);
  assert.deepEqual(switches(s.actions), ['recovered:null->eth1']);
  s = linkChanged(s.state, 'eth0', true, 400);
  assert.deepEqual(s.actions, []);
  assert.deepEqual(switches(tick(s.state, 400 + HOLD).actions), ['failback:eth1->eth0']);
});

test('the backup going down while the primary is active changes nothing', () => {
  const s = linkChanged(start().state, 'eth1', false, 100);
  assert.deepEqual(s.actions, []);
  assert.equal(s.state.active, 0);
  assert.equal(s.state.links[1].up, false);
});

test('three links: failover skips a link that is down', () => {
  let s = initialState(['a', 'b', 'c'], [true, false, true], HOLD, 0);
  s = linkChanged(s.state, 'a', false, 10);
  assert.deepEqual(switches(s.actions), ['failover:a->c']);
  s = linkChanged(s.state, 'b', true, 20);
  assert.equal(s.wakeAtMs, 20 + HOLD);
  assert.deepEqual(switches(tick(s.state, 20 + HOLD).actions), ['failback:c->b']);
});

test('no links is refused', () => {
  assert.throws(() => initialState([], [], HOLD, 0), /at least one link/);
});
