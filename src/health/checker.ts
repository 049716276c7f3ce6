// The one interface every health checker implements (one checker per file, as seesaw and
// keepalived's check_*.c), and what they share.
import type { CheckType } from '../config/health_model';

/** Where a check connects: the real server's own address, not the VIP (as keepalived does). */
export interface CheckTarget {
  address: string;
  port: number;
}

export interface CheckResult {
  ok: boolean;
  /** One sentence for logs and `pivsadm -L --json`. */
  message: string;
  /** A dynamic script check's weight (keepalived misc_dynamic); absent: the configured weight. */
  weight?: number;
}

export interface Checker {
  readonly type: CheckType;
  /** e.g. "tcp connect 198.18.0.11:80", shown in the list result. */
  readonly description: string;
  /** Never rejects; resolves failed when `signal` aborts (the round's timeout). */
  check(signal: AbortSignal): Promise<CheckResult>;
}

export const TIMED_OUT = 'no answer before the timeout';

/** host:port text, IPv6 in brackets. */
export function endpoint(t: CheckTarget): string {
  return t.address.includes(':') ? `[${t.address}]:${t.port}` : `${t.address}:${t.port}`;
}

export function errorText(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return err.code ?? (e instanceof Error ? e.message : String(e));
}

/**
 * A promise settled once: the first of result / abort wins, and `cleanup` (closing sockets,
 * killing a child) always runs. Checkers build on it so none can resolve twice or leak.
 */
export function oneShot(
  signal: AbortSignal, run: (done: (r: CheckResult) => void) => () => void,
): Promise<CheckResult> {
  return new Promise((resolve) => {
    let settled = false;
    let cleanup: () => void = () => {};
    const done = (r: CheckResult): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      cleanup();
      resolve(r);
    };
    function onAbort(): void {
      done({ ok: false, message: TIMED_OUT });
    }
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort);
    try {
      cleanup = run(done);
    } catch (e) {
      done({ ok: false, message: errorText(e) });
    }
    if (settled) cleanup();
  });
}
