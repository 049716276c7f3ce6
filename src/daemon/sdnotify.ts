// systemd readiness and watchdog notifications (sd_notify) for Type=notify units.
//
// $NOTIFY_SOCKET is a unix *datagram* socket, which Node cannot open (net is stream-only, dgram
// is UDP-only), and the npm packages that can need a native build per architecture that the
// cross-built image would have to carry too. systemd's own `systemd-notify` CLI sends the datagram
// instead; the unit sets NotifyAccess=all because the sender is that child, not pivsd. systemd
// finds a sender's unit by its PID, so a sender that exits before PID 1 reads the message could be
// dropped: systemd-notify (bookworm's systemd 252) avoids that by waiting on BARRIER=1 until PID 1
// has processed the message. READY=1 still rides along with every watchdog ping and pings go out
// three times per WatchdogSec, so even a lost datagram neither fails the start nor trips the watchdog.
import { execFile } from 'node:child_process';

export interface Notifier {
  /** READY=1 now, then READY=1 + WATCHDOG=1 every WatchdogSec/3 when the unit has a watchdog. */
  ready(): void;
  /** STOPPING=1, stops the pings. */
  stopping(): void;
}

export interface NotifierOptions {
  env?: NodeJS.ProcessEnv;
  /** Sends one message (lines "KEY=value"); default: systemd-notify. */
  send?: (lines: string[]) => void;
  /** Timer hooks (tests); default setInterval/clearInterval. */
  every?: (ms: number, fn: () => void) => { stop(): void };
}

const NO_OP: Notifier = { ready: () => undefined, stopping: () => undefined };

/** A Notifier for this process; a no-op outside systemd (no $NOTIFY_SOCKET). */
export function systemdNotifier(options: NotifierOptions = {}): Notifier {
  const env = options.env ?? process.env;
  if (env.NOTIFY_SOCKET === undefined || env.NOTIFY_SOCKET === '') return NO_OP;
  const send = options.send ?? ((lines: string[]) => sendWithSystemdNotify(lines, env));
  const every = options.every ?? defaultEvery;
  const intervalMs = watchdogIntervalMs(env);
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

function sendWithSystemdNotify(lines: string[], env: NodeJS.ProcessEnv): void {
  // Fire and forget: a notification that fails must never disturb the daemon.
  execFile('systemd-notify', lines, { env, timeout: 5000 }, () => undefined);
}

function defaultEvery(ms: number, fn: () => void): { stop(): void } {
  const handle = setInterval(fn, ms);
  handle.unref();
  return { stop: () => clearInterval(handle) };
}
