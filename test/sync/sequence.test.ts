// Sequence numbers of signed sync and heartbeat: from the clock, from the mark on disk when the
// clock went back, never one twice across a crash; and the receivers' anti-replay window.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ReplayWindow } from '../../src/common/replay_window';
import { clockReservation, SEQUENCE_BLOCK, SequenceSource } from '../../src/common/sequence';
import { openSequenceStore, readMark, STORE_AHEAD } from '../../src/common/sequence_store';
import { RecordingLogger } from '../fakes/logger';

const DAY_MS = 86_400_000;
const T = Date.UTC(2026, 0, 2, 3, 4, 5);
const dirs: string[] = [];
after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

function stateDirectory(): string {
  const d = mkdtempSync(join(tmpdir(), 'pivs-seq-'));
  dirs.push(d);
  return d;
}

describe('sequence numbers from the clock', () => {
  it('start at the start time in ms shifted left by 20 and count up', () => {
    const s = new SequenceSource(clockReservation(1000));
    assert.equal(s.take(), 1000n << 20n);
    assert.equal(s.take(), (1000n << 20n) + 1n);
  });

  it('a restarted sender continues above its previous life while the clock goes forward', () => {
    const before = new SequenceSource(clockReservation(1000));
    let last = 0n;
    for (let i = 0; i < 5000; i++) last = before.take();
    assert.ok(new SequenceSource(clockReservation(1001)).take() > last);
  });

  it('streams of one reservation never share a number, past the end of their first block too', () => {
    const r = clockReservation(1000);
    const a = new SequenceSource(r, 4n);
    const b = new SequenceSource(r, 4n);
    const seen = new Set<bigint>();
    for (let i = 0; i < 10; i++) for (const n of [a.take(), b.take()]) seen.add(n);
    assert.equal(seen.size, 20);
  });
});

describe('sequence numbers kept on disk', () => {
  it('a restart whose clock is a day behind continues above the previous life', () => {
    const path = join(stateDirectory(), 'sequence');
    const first = new SequenceSource(openSequenceStore({ path, wallNow: () => T }));
    let last = 0n;
    for (let i = 0; i < 1000; i++) last = first.take();
    const log = new RecordingLogger();
    const restarted = new SequenceSource(openSequenceStore({ path, wallNow: () => T - DAY_MS, logger: log }));
    assert.ok(restarted.take() > last);
    assert.ok(log.lines.some((l) => l.level === 'info' && /clock is behind/.test(l.msg)));
    assert.equal(log.lines.filter((l) => l.level === 'warn').length, 0);
    // What the clock alone would have done: start a day's worth of numbers below.
    assert.ok(new SequenceSource(clockReservation(T - DAY_MS)).take() < last);
  });

  it('the mark is written before a number under it is used, so a crash never reuses one', () => {
    const path = join(stateDirectory(), 'sequence');
    const store = openSequenceStore({ path, wallNow: () => T });
    // Blocks bigger than what is reserved ahead: every block needs its own write.
    const block = STORE_AHEAD * 2n;
    const s = new SequenceSource(store, block);
    let last = 0n;
    for (let i = 0; i < 3; i++) {
      last = s.take();
      assert.ok(readMark(path)! >= last, 'on disk before use');
    }
    // A whole block used: the next number comes from a new block, written before it is handed out.
    const s2 = new SequenceSource(store, 2n);
    s2.take(); s2.take();
    const next = s2.take();
    assert.ok(readMark(path)! >= next);
    // No close, no flush: a crash. The next life starts above all of them.
    const after = new SequenceSource(openSequenceStore({ path, wallNow: () => T - DAY_MS }));
    assert.ok(after.take() > next && next > last);
    assert.ok(!existsSync(`${path}.tmp`), 'the temporary file was renamed into place');
  });

  it('writes once at start for a few streams, and not again for a long while', () => {
    const path = join(stateDirectory(), 'sequence');
    const store = openSequenceStore({ path, wallNow: () => T });
    const streams = Array.from({ length: 9 }, () => new SequenceSource(store));
    const mark = readMark(path);
    for (const s of streams) for (let i = 0; i < 100; i++) s.take();
    assert.equal(readMark(path), mark);
    assert.ok(mark! >= (BigInt(T) << 20n) + 9n * SEQUENCE_BLOCK - 1n);
  });

  it('a clock ahead of the mark wins: the mark only matters when the clock went back', () => {
    const path = join(stateDirectory(), 'sequence');
    writeFileSync(path, '12345\n');
    const s = new SequenceSource(openSequenceStore({ path, wallNow: () => T }));
    assert.equal(s.take(), BigInt(T) << 20n);
  });

  it('a damaged mark is said at warn, ignored and written over', () => {
    const path = join(stateDirectory(), 'sequence');
    writeFileSync(path, 'garbage');
    const log = new RecordingLogger();
    const s = new SequenceSource(openSequenceStore({ path, wallNow: () => T, logger: log }));
    assert.equal(s.take(), BigInt(T) << 20n);
    assert.equal(log.lines.filter((l) => l.level === 'warn').length, 1);
    assert.match(readFileSync(path, 'utf8'), /^\d+\n$/);
  });

  it('an unwritable directory is said once at warn, and numbers come from the clock', () => {
    const path = join(stateDirectory(), 'missing', 'sequence');
    const log = new RecordingLogger();
    const store = openSequenceStore({ path, wallNow: () => T, logger: log });
    const a = new SequenceSource(store, 2n);
    const b = new SequenceSource(store, 2n);
    const taken = Array.from({ length: 6 }, () => [a.take(), b.take()]).flat();
    assert.equal(taken[0], BigInt(T) << 20n);
    assert.equal(new Set(taken).size, taken.length);
    const warnings = log.lines.filter((l) => l.level === 'warn');
    assert.equal(warnings.length, 1);
    assert.match(warnings[0].msg, /cannot write .*missing\/sequence; sequence numbers now come from the clock alone/);
  });
});

describe('the anti-replay window', () => {
  it('takes a reordered sequence, once', () => {
    const w = new ReplayWindow(64);
    assert.equal(w.check('a', 100n), 'newest');
    assert.equal(w.check('a', 103n), 'newest');
    assert.equal(w.check('a', 101n), 'late');
    assert.equal(w.check('a', 102n), 'late');
    assert.equal(w.check('a', 101n), 'duplicate');
    assert.equal(w.check('a', 103n), 'duplicate');
    assert.equal(w.check('a', 100n), 'duplicate');
  });

  it('refuses a number too old to be told from a replay', () => {
    const w = new ReplayWindow(64);
    assert.equal(w.check('a', 1000n), 'newest');
    assert.equal(w.check('a', 1000n - 63n), 'late', 'the oldest number the window holds');
    assert.equal(w.check('a', 1000n - 64n), 'tooOld');
    assert.equal(w.check('a', 5n), 'tooOld');
  });

  it('slides: a jump ahead forgets what it leaves behind, and what is still inside stays known', () => {
    const w = new ReplayWindow(64);
    w.check('a', 10n);
    w.check('a', 12n);
    assert.equal(w.check('a', 40n), 'newest');
    assert.equal(w.check('a', 12n), 'duplicate');
    assert.equal(w.check('a', 11n), 'late');
    assert.equal(w.check('a', 1_000_000n), 'newest', 'a restarted sender far ahead');
    assert.equal(w.check('a', 40n), 'tooOld');
    assert.equal(w.check('a', 999_999n), 'late');
  });

  it('keeps each sender apart', () => {
    const w = new ReplayWindow(64);
    assert.equal(w.check('a', 5n), 'newest');
    assert.equal(w.check('b', 5n), 'newest');
    assert.equal(w.check('b', 5n), 'duplicate');
  });

  it('holds at most maxSenders, forgetting the one heard least recently', () => {
    const w = new ReplayWindow(64, 2);
    w.check('a', 1n);
    w.check('b', 1n);
    w.check('a', 2n);
    w.check('c', 1n);
    assert.equal(w.check('a', 2n), 'duplicate', 'a was heard after b');
    assert.equal(w.check('b', 1n), 'newest', 'b was forgotten');
  });
});
