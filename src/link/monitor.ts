// Link carrier/admin events from rtnetlink, through `ip -o monitor link` (iproute2 subscribes to
// RTMGRP_LINK and prints one line per RTM_NEWLINK/RTM_DELLINK as the kernel sends it: event
// driven, no polling). The netlink npm package is not installed here, and a child process keeps
// the event socket out of the addon, which stays the fast path only.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

/**
 * The kernel sends carrier-loss notifications from linkwatch, which runs a non-urgent event at most
 * once a second: a cut within a second of any other link event anywhere on the host reaches
 * rtnetlink up to a second late, and a loss followed by a return inside that window is reported as
 * the return only (measured in docs/links.md). The carrier flag itself changes at once, so it is
 * also read (sysfs, no process) this often; this adds detection, it does not replace the events.
 */
export const CARRIER_CHECK_MS = 10;

/** The carrier flag as the driver set it; false when down, absent or unreadable. */
export function sysfsCarrier(name: string): boolean {
  try {
    return readFileSync(`/sys/class/net/${name}/carrier`, 'utf8').trim() === '1';
  } catch {
    return false;
  }
}

export interface LinkEvent {
  name: string;
  /** Admin up and carrier (UP and LOWER_UP); a deleted link is down. */
  up: boolean;
}

/** One line of `ip -o link show` / `ip -o monitor link`; null for lines about nothing we know. */
export function parseLinkLine(line: string): LinkEvent | null {
  const m = /^(Deleted )?\d+: ([^:@\s]+)(?:@[^:\s]+)?: <([^>]*)>/.exec(line.trim());
  if (m === null) return null;
  if (m[1] !== undefined) return { name: m[2], up: false };
  const flags = m[3].split(',');
  return { name: m[2], up: flags.includes('UP') && flags.includes('LOWER_UP') && !flags.includes('NO-CARRIER') };
}

export interface LinkWatch {
  /** State of every watched link when the watch started (absent links are down). */
  initial: Map<string, boolean>;
  close(): void;
}

export interface LinkSource {
  /** onNotice: something worth an info line (the monitor was restarted). */
  watch(names: readonly string[], onEvent: (e: LinkEvent) => void, onError: (err: Error) => void,
    onNotice?: (message: string) => void): Promise<LinkWatch>;
}

/** The `ip monitor link` child as the source uses it (tests pass fakes). */
export type MonitorChild = Pick<ChildProcess, 'stdout' | 'on' | 'kill'>;

export interface MonitorIo {
  /** Starts `ip -o monitor link`. */
  spawnMonitor(): MonitorChild;
  /** The output of `ip -o link show`. */
  listLinks(): Promise<string>;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /** Monotonic ms. */
  now(): number;
  /** The carrier flag (sysfsCarrier). */
  carrier(name: string): boolean;
}

/** A monitor that dies is restarted after this, doubling up to RESTART_MAX_MS... */
export const RESTART_MIN_MS = 1000;
export const RESTART_MAX_MS = 30_000;
/** ...and back to RESTART_MIN_MS once one has run this long. */
export const RESTART_RESET_MS = 60_000;

function linkShow(): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('ip', ['-o', 'link', 'show'], { timeout: 5000 }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
  });
}

export const systemMonitorIo: MonitorIo = {
  // setpriv gives it a parent-death signal: a pivsd killed with SIGKILL leaves no monitor behind.
  spawnMonitor: () => spawn('setpriv', ['--pdeathsig', 'TERM', 'ip', '-o', 'monitor', 'link'], { stdio: ['ignore', 'pipe', 'ignore'] }),
  listLinks: linkShow,
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
  now: () => performance.now(),
  carrier: sysfsCarrier,
};

function parseListing(listing: string, wanted: ReadonlySet<string>): Map<string, boolean> {
  const states = new Map<string, boolean>([...wanted].map((n) => [n, false]));
  for (const line of listing.split('\n')) {
    const e = parseLinkLine(line);
    if (e !== null && wanted.has(e.name)) states.set(e.name, e.up);
  }
  return states;
}

/**
 * Link events from `ip -o monitor link`. A monitor that exits or cannot start (killed, OOM) is
 * restarted with a backoff; once the new one runs, the links are listed again and every link whose
 * state changed meanwhile is reported, so no change is lost for good. The carrier check below goes
 * on in between, so a loss is still seen.
 */
export function monitorSource(io: MonitorIo): LinkSource {
  return {
    async watch(names, onEvent, onError, onNotice = () => undefined) {
      const wanted = new Set(names);
      // Only losses are taken from the flag: a link comes back through its rtnetlink event, which
      // also carries the admin state.
      const known = new Map<string, boolean>();
      let closed = false;
      const pending: LinkEvent[] = [];
      let ready = false;
      let child: MonitorChild | null = null;
      let restartTimer: unknown = null;
      let delayMs = RESTART_MIN_MS;

      // The monitor starts before each listing, so no change can fall between the two.
      const start = (): void => {
        const c = io.spawnMonitor();
        child = c;
        const startedAt = io.now();
        let ended = false;
        const end = (why: string): void => {
          if (ended || closed) return;
          ended = true;
          if (child === c) child = null;
          if (io.now() - startedAt >= RESTART_RESET_MS) delayMs = RESTART_MIN_MS;
          const wait = delayMs;
          delayMs = Math.min(RESTART_MAX_MS, delayMs * 2);
          onError(new Error(`ip monitor link ${why}; restarting it in ${wait} ms (carrier losses are still seen meanwhile).`));
          restartTimer = io.setTimeout(() => {
            restartTimer = null;
            if (!closed) void restart();
          }, wait);
        };
        c.on('error', (err: Error) => end(`could not run (${err.message})`));
        c.on('exit', (code: number | null, signal: NodeJS.Signals | null) => end(`exited (${signal ?? code})`));
        if (c.stdout === null) return;
        createInterface({ input: c.stdout }).on('line', (line) => {
          const e = parseLinkLine(line);
          if (e === null || !wanted.has(e.name) || closed || child !== c) return;
          known.set(e.name, e.up);
          if (ready) onEvent(e);
          else pending.push(e);
        });
      };

      const restart = async (): Promise<void> => {
        start();
        let listing: string;
        try {
          listing = await io.listLinks();
        } catch (err) {
          if (!closed) onError(new Error(`Cannot list the links again after restarting ip monitor link: ${(err as Error).message}`));
          return;
        }
        if (closed) return;
        const changed: string[] = [];
        for (const [n, up] of parseListing(listing, wanted)) {
          if (known.get(n) === up) continue;
          known.set(n, up);
          changed.push(`${n} ${up ? 'up' : 'down'}`);
          onEvent({ name: n, up });
        }
        onNotice(`ip monitor link restarted and the links re-read (${changed.length === 0 ? 'no change' : `changed: ${changed.join(', ')}`})`);
      };

      const checker = setInterval(() => {
        if (!ready || closed) return;
        for (const n of names) {
          if (known.get(n) === true && !io.carrier(n)) {
            known.set(n, false);
            onEvent({ name: n, up: false });
          }
        }
      }, CARRIER_CHECK_MS);
      checker.unref();
      const close = (): void => {
        closed = true;
        clearInterval(checker);
        if (restartTimer !== null) io.clearTimeout(restartTimer);
        child?.kill('SIGTERM');
      };
      start();
      let listing: string;
      try {
        listing = await io.listLinks();
      } catch (err) {
        close();
        throw new Error(`Cannot list the links (ip -o link show): ${(err as Error).message}`);
      }
      const initial = parseListing(listing, wanted);
      for (const [n, up] of initial) known.set(n, up);
      ready = true;
      // Events seen during the listing are newer than it or the same; replaying them is harmless.
      queueMicrotask(() => { for (const e of pending.splice(0)) onEvent(e); });
      return { initial, close };
    },
  };
}

export const ipMonitorSource: LinkSource = monitorSource(systemMonitorIo);
