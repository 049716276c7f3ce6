import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { initialState, masterDownMs, skewMs, step, type FsmEvent, type FsmSettings, type FsmState } from '../../src/vrrp/fsm';

const v2: FsmSettings = { version: 2, advertIntervalCs: 100, preempt: true, preemptDelayMs: 0, primaryAddress: '198.18.0.2' };
const v3: FsmSettings = { ...v2, version: 3, advertIntervalCs: 10 };

function run(state: FsmState, ...events: FsmEvent[]): { state: FsmState; actions: unknown[] } {
  let actions: unknown[] = [];
  for (const e of events) {
    const r = step(state, e);
    state = r.state;
    actions = r.actions;
  }
  return { state, actions };
}

const advert = (priority: number, sourceAddress = '198.18.0.3', intervalCs = 100): FsmEvent => ({ type: 'advert', priority, sourceAddress, intervalCs });

describe('VRRP timers', () => {
  it('computes RFC 3768 Skew_Time and Master_Down_Interval for version 2', () => {
    const s = initialState(v2, 100);
    assert.equal(skewMs(s), 609.375);
    assert.equal(masterDownMs(s), 3609.375);
  });

  it('scales the version 3 skew by Master_Adver_Interval (RFC 5798)', () => {
    const s = initialState(v3, 100);
    assert.equal(skewMs(s), 60.9375);
    assert.equal(masterDownMs(s), 360.9375);
  });
});

describe('VRRP state machine', () => {
  it('starts as BACKUP with the Master_Down timer armed', () => {
    const r = step(initialState(v2, 100), { type: 'startup' });
    assert.equal(r.state.name, 'BACKUP');
    assert.deepEqual(r.actions, [{ type: 'startTimer', timer: 'masterDown', ms: 3609.375 }]);
  });

  it('makes the address owner (255) MASTER at once, advertising', () => {
    const r = step(initialState(v2, 255), { type: 'startup' });
    assert.equal(r.state.name, 'MASTER');
    assert.deepEqual(r.actions, [{ type: 'sendAdvert', priority: 255 }, { type: 'startTimer', timer: 'adver', ms: 1000 }]);
  });

  it('becomes MASTER when Master_Down expires, then advertises every interval', () => {
    const m = run(initialState(v2, 100), { type: 'startup' }, { type: 'masterDownTimer' });
    assert.equal(m.state.name, 'MASTER');
    assert.equal(m.state.masterAddress, '198.18.0.2');
    assert.deepEqual(step(m.state, { type: 'adverTimer' }).actions, [{ type: 'sendAdvert', priority: 100 }, { type: 'startTimer', timer: 'adver', ms: 1000 }]);
  });

  it('a BACKUP hearing a higher-priority master restarts Master_Down and records the master', () => {
    const r = run(initialState(v2, 100), { type: 'startup' }, advert(150));
    assert.equal(r.state.name, 'BACKUP');
    assert.equal(r.state.masterAddress, '198.18.0.3');
    assert.deepEqual(r.actions, [{ type: 'startTimer', timer: 'masterDown', ms: 3609.375 }]);
  });

  it('with preempt, a BACKUP ignores a lower-priority master so its own timer takes over', () => {
    const r = run(initialState(v2, 150), { type: 'startup' }, advert(100));
    assert.deepEqual(r.actions, []);
  });

  it('without preempt, a BACKUP accepts a lower-priority master', () => {
    const r = run(initialState({ ...v2, preempt: false }, 150), { type: 'startup' }, advert(100));
    assert.equal(r.actions.length, 1);
    assert.equal(r.state.masterPriority, 100);
  });

  it('with preemptDelay, accepts a lower-priority master until the delay is over', () => {
    const s = initialState({ ...v2, preemptDelayMs: 30_000 }, 150);
    const started = step(s, { type: 'startup' });
    assert.deepEqual(started.actions[0], { type: 'startTimer', timer: 'preemptDelay', ms: 30_000 });
    const during = step(started.state, advert(100));
    assert.equal(during.actions.length, 1);
    const after = run(during.state, { type: 'preemptDelayTimer' }, advert(100));
    assert.deepEqual(after.actions, []);
  });

  it('a BACKUP hearing priority 0 waits only Skew_Time', () => {
    const r = run(initialState(v2, 100), { type: 'startup' }, advert(150), advert(0));
    assert.deepEqual(r.actions, [{ type: 'startTimer', timer: 'masterDown', ms: 609.375 }]);
  });

  it('version 3 learns the master\'s advert interval; version 2 keeps its own', () => {
    const three = run(initialState(v3, 100), { type: 'startup' }, advert(150, '198.18.0.3', 100));
    assert.equal(three.state.masterAdverIntervalCs, 100);
    assert.deepEqual(three.actions, [{ type: 'startTimer', timer: 'masterDown', ms: 3000 + 609.375 }]);
    const two = run(initialState(v2, 100), { type: 'startup' }, advert(150, '198.18.0.3', 300));
    assert.equal(two.state.masterAdverIntervalCs, 100);
  });

  it('a MASTER yields to a higher priority, and on a tie to the higher primary address', () => {
    const master = run(initialState(v2, 100), { type: 'startup' }, { type: 'masterDownTimer' }).state;
    assert.equal(step(master, advert(101)).state.name, 'BACKUP');
    assert.equal(step(master, advert(100, '198.18.0.3')).state.name, 'BACKUP');
    const stays = step(master, advert(100, '198.18.0.1'));
    assert.equal(stays.state.name, 'MASTER');
    assert.deepEqual(stays.actions[0], { type: 'sendAdvert', priority: 100 });
    // Numeric, not text order: .10 is greater than .9.
    const nine = run(initialState({ ...v2, primaryAddress: '198.18.0.9' }, 100), { type: 'startup' }, { type: 'masterDownTimer' }).state;
    assert.equal(step(nine, advert(100, '198.18.0.10')).state.name, 'BACKUP');
  });

  it('a MASTER shutting down sends priority 0; one going FAULT too', () => {
    const master = run(initialState(v2, 100), { type: 'startup' }, { type: 'masterDownTimer' }).state;
    const down = step(master, { type: 'shutdown' });
    assert.equal(down.state.name, 'INIT');
    assert.deepEqual(down.actions, [{ type: 'stopTimer', timer: 'adver' }, { type: 'sendAdvert', priority: 0 }]);
    const fault = step(master, { type: 'fault' });
    assert.equal(fault.state.name, 'FAULT');
    assert.deepEqual(fault.actions[1], { type: 'sendAdvert', priority: 0 });
  });

  it('FAULT ignores adverts and timers and restarts as BACKUP when cleared', () => {
    const fault = run(initialState(v2, 100), { type: 'startup' }, { type: 'fault' }).state;
    assert.deepEqual(step(fault, advert(150)).actions, []);
    assert.equal(step(fault, { type: 'masterDownTimer' }).state.name, 'FAULT');
    assert.equal(step(fault, { type: 'faultCleared' }).state.name, 'BACKUP');
  });

  it('a new effective priority is advertised at once by a MASTER', () => {
    const master = run(initialState(v2, 100), { type: 'startup' }, { type: 'masterDownTimer' }).state;
    const r = step(master, { type: 'setPriority', priority: 80 });
    assert.equal(r.state.priority, 80);
    assert.deepEqual(r.actions[0], { type: 'sendAdvert', priority: 80 });
  });

  it('sync groups: forceMaster moves a BACKUP up, forceBackup a MASTER down, others ignore them', () => {
    const backup = step(initialState(v2, 100), { type: 'startup' }).state;
    assert.equal(step(backup, { type: 'forceMaster' }).state.name, 'MASTER');
    const master = step(backup, { type: 'masterDownTimer' }).state;
    assert.equal(step(master, { type: 'forceBackup' }).state.name, 'BACKUP');
    assert.equal(step(master, { type: 'forceMaster' }).state.name, 'MASTER');
    assert.equal(step(initialState(v2, 100), { type: 'forceMaster' }).state.name, 'INIT');
  });
});
