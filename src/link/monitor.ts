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
  watch(names: readonly string[], onEvent: (e: LinkEvent) => void, onError: (err: Error) => void): Promise<LinkWatch>;
}

function linkShow(): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('ip', ['-o', 'link', 'show'], { timeout: 5000 }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
  });
}

export const ipMonitorSource: LinkSource = {
  async watch(names, onEvent, onError) {
    const wanted = new Set(names);
    // The monitor starts before the initial listing, so no change can fall between the two.
    // setpriv gives it a parent-death signal: a pivsd killed with SIGKILL leaves no monitor behind.
    const child: ChildProcess = spawn('setpriv', ['--pdeathsig', 'TERM', 'ip', '-o', 'monitor', 'link'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let closed = false;
    const pending: LinkEvent[] = [];
    let ready = false;
    child.on('error', (err) => { if (!closed) onError(err); });
    child.on('exit', (code, signal) => {
      if (!closed) onError(new Error(`ip monitor link exited (${signal ?? code}); link events have stopped.`));
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const e = parseLinkLine(line);
      if (e === null || !wanted.has(e.name) || closed) return;
      known.set(e.name, e.up);
      if (ready) onEvent(e);
      else pending.push(e);
    });
    // Only losses are taken from the flag: a link comes back through its rtnetlink event, which
    // also carries the admin state.
    const known = new Map<string, boolean>();
    const checker = setInterval(() => {
      if (!ready || closed) return;
      for (const n of names) {
        if (known.get(n) === true && !sysfsCarrier(n)) {
          known.set(n, false);
          onEvent({ name: n, up: false });
        }
      }
    }, CARRIER_CHECK_MS);
    checker.unref();
    const close = (): void => {
      closed = true;
      clearInterval(checker);
      child.kill('SIGTERM');
    };
    let listing: string;
    try {
      listing = await linkShow();
    } catch (err) {
      close();
      throw new Error(`Cannot list the links (ip -o link show): ${(err as Error).message}`);
    }
    const initial = new Map<string, boolean>(names.map((n) => [n, false]));
    for (const line of listing.split('\n')) {
      const e = parseLinkLine(line);
      if (e !== null && wanted.has(e.name)) initial.set(e.name, e.up);
    }
    for (const [n, up] of initial) known.set(n, up);
    ready = true;
    // Events seen during the listing are newer than it or the same; replaying them is harmless.
    queueMicrotask(() => { for (const e of pending.splice(0)) onEvent(e); });
    return { initial, close };
  },
};
