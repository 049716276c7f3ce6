/** Time and one-shot timers, injected so tests drive the resolver with a fake clock. */
export interface Clock {
  /** Milliseconds on a monotonic scale. */
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** A monotonic instant `at` as the wall clock reads it now: for showing, never for comparing. */
export function wallTimeOf(at: number, wallNow: number, monotonicNow: number): number {
  return wallNow - (monotonicNow - at);
}

export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => {
    const timer = setTimeout(fn, ms);
    // Resolution alone must not keep a shutting-down daemon alive.
    timer.unref();
    return timer;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
