// Link carrier/admin events from rtnetlink, through `ip -o monitor link` (iproute2 subscribes to
// RTMGRP_LINK and prints one line per RTM_NEWLINK/RTM_DELLINK as the kernel sends it: event
// driven, no polling). The netlink npm package is not installed here, and a child process keeps
// the event socket out of the addon, which stays the fast path only.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

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
    const child: ChildProcess = spawn('ip', ['-o', 'monitor', 'link'], { stdio: ['ignore', 'pipe', 'ignore'] });
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
      if (ready) onEvent(e);
      else pending.push(e);
    });
    const close = (): void => {
      closed = true;
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
    ready = true;
    // Events seen during the listing are newer than it or the same; replaying them is harmless.
    queueMicrotask(() => { for (const e of pending.splice(0)) onEvent(e); });
    return { initial, close };
  },
};
