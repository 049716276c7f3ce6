import type { Clock } from '../../src/common/clock';

/** Time moves only when the test says; due timers fire in order of their due time. */
export class FakeClock implements Clock {
  private time = 0;
  private seq = 0;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.timers.set(id, { at: this.time + ms, fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  /** Move time forward, firing every timer that falls due on the way (bounded, so a bug can't hang). */
  advance(ms: number): void {
    const end = this.time + ms;
    for (let fired = 0; fired < 10_000; fired++) {
      let nextId = -1;
      let nextAt = Infinity;
      for (const [id, t] of this.timers) if (t.at < nextAt || (t.at === nextAt && id < nextId)) { nextId = id; nextAt = t.at; }
      if (nextAt > end) break;
      const timer = this.timers.get(nextId)!;
      this.timers.delete(nextId);
      this.time = Math.max(this.time, timer.at);
      timer.fn();
    }
    this.time = end;
  }

  pending(): number {
    return this.timers.size;
  }
}
