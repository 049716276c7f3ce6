// The Unknown/Up/Down state machine: rise, fall, alpha, and only transitions come out.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { INITIAL, serving, step, type FsmParams, type FsmState } from '../../src/health/fsm';
import { hasQuorum } from '../../src/health/quorum';

const LETTER = { unknown: '?', up: 'U', down: 'D' } as const;

/** Feeds results ("+" success, "-" failure); returns the status after each and the transitions. */
function feed(results: string, p: FsmParams): { statuses: string; transitions: string[] } {
  let s: FsmState = INITIAL;
  let statuses = '';
  const transitions: string[] = [];
  for (const r of results) {
    const next = step(s, r === '+', p);
    s = next.state;
    statuses += LETTER[s.status];
    if (next.transition !== null) transitions.push(`${next.transition.from}->${next.transition.to}`);
  }
  return { statuses, transitions };
}

describe('health state machine', () => {
  it('without alpha: one success settles Unknown as Up; fall consecutive failures take it Down; rise bring it back', () => {
    assert.deepEqual(feed('+--+---++', { rise: 2, fall: 3, alpha: false }), {
      statuses: 'UUUUUUDDU', transitions: ['unknown->up', 'up->down', 'down->up'],
    });
  });

  it('without alpha: Unknown serves and needs fall failures to go Down', () => {
    assert.equal(serving('unknown', false), true);
    assert.deepEqual(feed('---+', { rise: 2, fall: 3, alpha: false }), { statuses: '??DD', transitions: ['unknown->down'] });
  });

  it('with alpha: Unknown does not serve, one failure confirms Down, rise successes make it Up', () => {
    assert.equal(serving('unknown', true), false);
    assert.deepEqual(feed('+-++', { rise: 2, fall: 3, alpha: true }), { statuses: '?DDU', transitions: ['unknown->down', 'down->up'] });
    assert.deepEqual(feed('++', { rise: 2, fall: 3, alpha: true }), { statuses: '?U', transitions: ['unknown->up'] });
  });

  it('a success between failures restarts the fall count, a failure between successes the rise count', () => {
    assert.deepEqual(feed('+-+-+-', { rise: 2, fall: 2, alpha: false }).transitions, ['unknown->up']);
    assert.deepEqual(feed('+--+-++', { rise: 2, fall: 2, alpha: false }).transitions, ['unknown->up', 'up->down', 'down->up']);
  });

  it('with rise 1 and fall 1 every change of result is a transition, repeats are not', () => {
    assert.deepEqual(feed('--++-', { rise: 1, fall: 1, alpha: false }), {
      statuses: 'DDUUD', transitions: ['unknown->down', 'down->up', 'up->down'],
    });
  });
});

describe('quorum with hysteresis', () => {
  const q = { weight: 4, hysteresis: 1 };
  it('is lost below quorum - hysteresis and regained at quorum + hysteresis', () => {
    assert.equal(hasQuorum(true, 3, q), true);
    assert.equal(hasQuorum(true, 2, q), false);
    assert.equal(hasQuorum(false, 4, q), false);
    assert.equal(hasQuorum(false, 5, q), true);
  });
  it('without hysteresis flips at the quorum itself', () => {
    assert.equal(hasQuorum(true, 3, { weight: 4, hysteresis: 0 }), false);
    assert.equal(hasQuorum(false, 4, { weight: 4, hysteresis: 0 }), true);
  });
});
