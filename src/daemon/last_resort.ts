// The last line of defence: an error that escaped every receive path's own handling (a throw in a
// timer or socket callback, a rejected promise nobody awaited) is logged with what is known of it,
// and pivsd keeps running. Exiting would cost more than the error: the backup takes the VIPs,
// flows not yet synced are lost, and the restarted director must fetch its whole table again.
// Staying is consistent because state changes commit last: the director makes a model current
// only once the addon took it, and the addon's tables change under their own locks, so an error
// thrown half-way leaves the previous state in force rather than a mix.

export interface EscapedErrorLogger {
  error(obj: object, msg: string): void;
}

/** The part of `process` this needs, so tests can pass an EventEmitter. */
export interface ProcessEvents {
  on(event: 'uncaughtException', listener: (err: Error, origin: string) => void): unknown;
  on(event: 'unhandledRejection', listener: (reason: unknown) => void): unknown;
  off(event: 'uncaughtException', listener: (err: Error, origin: string) => void): unknown;
  off(event: 'unhandledRejection', listener: (reason: unknown) => void): unknown;
}

export interface LastResortOptions {
  /** Monotonic ms (default performance.now). */
  now?: () => number;
  /** At most this many errors are logged per window; the rest are counted and reported with the next one logged. */
  logLimit?: number;
  windowMs?: number;
}

export interface LastResort {
  /** Errors that reached this handler since it was installed. */
  escaped(): number;
  uninstall(): void;
}

/** The first frame of the stack that is pivs code, for the log line's `where`. */
export function whereThrown(err: unknown): string | null {
  const stack = err instanceof Error ? err.stack ?? '' : '';
  for (const line of stack.split('\n').slice(1)) {
    const frame = line.trim().replace(/^at /, '');
    if (frame.includes('node_modules') || frame.startsWith('node:') || frame.includes('(node:')) continue;
    return frame;
  }
  return null;
}

export function installLastResort(proc: ProcessEvents, logger: EscapedErrorLogger, opts: LastResortOptions = {}): LastResort {
  const now = opts.now ?? (() => performance.now());
  const limit = opts.logLimit ?? 10;
  const windowMs = opts.windowMs ?? 10_000;
  let escaped = 0;
  let windowStart = -Infinity;
  let loggedInWindow = 0;
  let suppressed = 0;

  const report = (origin: 'uncaughtException' | 'unhandledRejection', err: unknown): void => {
    escaped++;
    const t = now();
    if (t - windowStart >= windowMs) {
      windowStart = t;
      loggedInWindow = 0;
    }
    // An error that repeats per datagram must not turn a flood into a flood of log lines.
    if (loggedInWindow >= limit) {
      suppressed++;
      return;
    }
    loggedInWindow++;
    const fields: Record<string, unknown> = { origin, where: whereThrown(err), escaped };
    if (err instanceof Error) fields.err = err;
    else fields.reason = String(err);
    if (suppressed > 0) fields.suppressed = suppressed;
    suppressed = 0;
    try {
      logger.error(fields, origin === 'unhandledRejection'
        ? 'a promise was rejected and nothing handled it; pivsd keeps running with its current state'
        : 'an error escaped its handler; pivsd keeps running with its current state');
    } catch {
      // A throw from here would make Node exit after all; losing one log line is the lesser harm.
    }
  };

  const onException = (err: Error, origin: string): void => {
    report(origin === 'unhandledRejection' ? 'unhandledRejection' : 'uncaughtException', err);
  };
  const onRejection = (reason: unknown): void => report('unhandledRejection', reason);
  proc.on('uncaughtException', onException);
  proc.on('unhandledRejection', onRejection);
  return {
    escaped: () => escaped,
    uninstall: () => {
      proc.off('uncaughtException', onException);
      proc.off('unhandledRejection', onRejection);
    },
  };
}
