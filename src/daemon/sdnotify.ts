// systemd readiness and watchdog notifications (sd_notify) for Type=notify units.
//
// The datagram goes out from pivsd's own process through the addon (Node has no unix datagram
// sockets): systemd takes the sender's PID from the kernel's SCM_CREDENTIALS, and the unit's
// NotifyAccess=main accepts only the main PID, so no helper process can stand in (nor can any
// child of pivsd, such as a health-check script, claim READY or feed the watchdog). READY=1 rides
// along with every watchdog ping and pings go out three times per WatchdogSec, so one lost
// datagram neither fails the start nor trips the watchdog.
import { sdNotify } from '../dataplane/sd_notify';

export interface Notifier {
  /** READY=1 now, then READY=1 + WATCHDOG=1 every WatchdogSec/3 when the unit has a watchdog. */
  ready(): void;
  /** STOPPING=1, stops the pings. */
  stopping(): void;
}

export interface NotifierOptions {
  env?: NodeJS.ProcessEnv;
  /** Sends one message (lines "KEY=value") to $NOTIFY_SOCKET; default: the addon's sdNotify. */
  send?: (socket: string, lines: string[]) => void;
  /** Told why a message could not be sent, once until a send succeeds again. */
  onError?: (sentence: string) => void;
  /** Timer hooks (tests); default setInterval/clearInterval. */
  every?: (ms: number, fn: () => void) => { stop(): void };
}

const NO_OP: Notifier = { ready: () => undefined, stopping: () => undefined };

/** A Notifier for this process; a no-op outside systemd (no $NOTIFY_SOCKET). */
export function systemdNotifier(options: NotifierOptions = {}): Notifier {
  const env = options.env ?? process.env;
  const socket = env.NOTIFY_SOCKET;
  if (socket === undefined || socket === '') return NO_OP;
  const rawSend = options.send ?? sdNotify;
  const every = options.every ?? defaultEvery;
  const intervalMs = watchdogIntervalMs(env);
  let failing = false;
  // A notification that fails must never disturb the daemon; a watchdog that cannot be fed every
  // 10 s must not flood the log either, hence one report per run of failures.
  const send = (lines: string[]) => {
    try {
      rawSend(socket, lines);
      failing = false;
    } catch (e) {
      if (!failing) options.onError?.(e instanceof Error ? e.message : String(e));
      failing = true;
    }
  };
  let timer: { stop(): void } | null = null;
  return {
    ready() {
      send(['READY=1']);
      if (intervalMs !== null && timer === null) {
        timer = every(intervalMs, () => send(['READY=1', 'WATCHDOG=1']));
      }
    },
    stopping() {
      timer?.stop();
      timer = null;
      send(['STOPPING=1']);
    },
  };
}

/** WatchdogSec/3 in ms from $WATCHDOG_USEC, when the watchdog is meant for this process. */
export function watchdogIntervalMs(env: NodeJS.ProcessEnv, pid: number = process.pid): number | null {
  const usec = Number(env.WATCHDOG_USEC);
  if (!Number.isSafeInteger(usec) || usec <= 0) return null;
  if (env.WATCHDOG_PID !== undefined && env.WATCHDOG_PID !== '' && Number(env.WATCHDOG_PID) !== pid) return null;
  return Math.max(1, Math.floor(usec / 3000));
}

function defaultEvery(ms: number, fn: () => void): { stop(): void } {
  const handle = setInterval(fn, ms);
  handle.unref();
  return { stop: () => clearInterval(handle) };
}
