// Runs the link state machine on a director: link events in, and on a switch moves what used the
// old link — the dataplane's rings first (forwarding), then the director's own addresses (heartbeat,
// sync and the VRRP advert source follow them), then ARP (re-resolve real servers, gratuitous ARP
// for what we answer for). Every link down is a fault the VRRP election hears (it steps down).
import { execFile } from 'node:child_process';
import type { Logger } from 'pino';
import type { Clock } from '../common/clock';
import { systemClock } from '../common/clock';
import type { Dataplane } from '../dataplane/types';
import { initialState, linkChanged, tick, type LinkAction, type LinkFsmState, type LinkStep } from './fsm';
import { ipMonitorSource, type LinkSource, type LinkWatch } from './monitor';

export interface LinkStatusEntry {
  interface: string;
  up: boolean;
  active: boolean;
  /** Carrier/admin changes seen since pivsd started. */
  changes: number;
}

export interface LinkStatus {
  links: LinkStatusEntry[];
  /** null: every link is down (fault). */
  active: string | null;
  failovers: number;
  holdDownMs: number;
  /** ISO time of the last switch or fault, null if none since start. */
  lastChange: string | null;
}

/** What follows the active link besides the dataplane. */
export interface LinkFollower {
  /** At once, and again once the host's addresses are on the new link (ARP: gratuitous ARP, resolve real servers). */
  setInterface?(name: string): void;
  /** Only once the host's addresses are on the new link (what must be sourced from them); default setInterface. */
  addressesMoved?(name: string): void;
}

export interface AddressMover {
  /** Moves this host's own IPv4 addresses from one interface to another. */
  move(from: string, to: string): Promise<void>;
}

export interface LinkServiceOptions {
  links: readonly string[];
  holdDownMs: number;
  /** The director's rings; absent on a real server (pivs-agent), where addresses and routes move (routes.ts). */
  dataplane?: Pick<Dataplane, 'setInterface'>;
  /** The interface the dataplane was opened on. */
  openedOn: string;
  logger: Logger;
  followers?: LinkFollower[];
  addresses?: AddressMover;
  source?: LinkSource;
  clock?: Clock;
  /** Wall clock for lastChange (default Date.now). */
  wallNow?: () => number;
}

export interface LinkService {
  status(): LinkStatus;
  /** Every link is down. */
  allDown(): boolean;
  /** Called after every switch or fault. */
  onChange(listener: () => void): void;
  close(): void;
}

export function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: 5000 }, (err, out, stderr) => (err ? reject(new Error(String(stderr).trim() || err.message)) : resolve(String(out))));
  });
}

/** "ADDRESS/LEN" of every global IPv4 address on an interface, from `ip -o -4 addr show`. */
export function parseAddrShow(text: string): string[] {
  return [...text.matchAll(/\binet (\d+\.\d+\.\d+\.\d+\/\d+)\b.*\bscope global\b/g)].map((m) => m[1]);
}

/**
 * HAS's IP takeover: the addresses are added on the new link before they leave the old one.
 * (os.networkInterfaces() cannot be used: it leaves out interfaces without carrier.)
 */
export const ipAddressMover: AddressMover = {
  async move(from, to) {
    const own = parseAddrShow(await run('ip', ['-o', '-4', 'addr', 'show', 'dev', from]));
    for (const cidr of own) await run('ip', ['addr', 'replace', cidr, 'dev', to]);
    for (const cidr of own) await run('ip', ['addr', 'del', cidr, 'dev', from]).catch(() => '');
  },
};

export async function startLinks(opts: LinkServiceOptions): Promise<LinkService> {
  const clock = opts.clock ?? systemClock;
  const wallNow = opts.wallNow ?? Date.now;
  const log = opts.logger.child({ module: 'link' });
  const source = opts.source ?? ipMonitorSource;
  const listeners: Array<() => void> = [];
  let state: LinkFsmState | null = null;
  let current = opts.openedOn;
  let lastChangeWall: number | null = null;
  let timer: unknown = null;
  let closed = false;
  // Address moves are asynchronous; they run one after another in switch order.
  let moves: Promise<void> = Promise.resolve();

  const perform = (action: LinkAction): void => {
    lastChangeWall = wallNow();
    if (action.kind === 'fault') {
      log.error({ link: action.from }, 'every link is down');
    } else {
      const from = current;
      if (action.to !== from) {
        try {
          opts.dataplane?.setInterface(action.to);
          current = action.to;
        } catch (err) {
          log.error({ err: (err as Error).message, to: action.to }, 'could not move the dataplane to the link');
        }
        if (current === action.to) {
          const follow = (hook: (f: LinkFollower) => ((name: string) => void) | undefined): void => {
            for (const f of opts.followers ?? []) {
              try { hook(f)?.call(f, action.to); } catch (err) { log.error({ err }, 'a link follower failed'); }
            }
          };
          // Gratuitous ARP needs no address of ours: it goes out at once. Resolution asks again
          // once the addresses have moved, as its requests are sourced from them.
          follow((f) => f.setInterface);
          if (opts.addresses !== undefined) {
            const mover = opts.addresses;
            moves = moves.then(() => mover.move(from, action.to)).then(
              () => { if (!closed && current === action.to) follow((f) => f.addressesMoved ?? f.setInterface); },
              (err: Error) => log.warn({ err: err.message, from, to: action.to }, 'could not move the addresses to the new link'),
            );
          } else {
            follow((f) => f.addressesMoved);
          }
        }
      }
      log.warn({ from: action.from, to: action.to, reason: action.reason }, 'active link changed');
    }
    for (const l of listeners) {
      try { l(); } catch (err) { log.error({ err }, 'a link change listener failed'); }
    }
  };

  const apply = (step: LinkStep): void => {
    if (closed) return;
    state = step.state;
    for (const a of step.actions) perform(a);
    if (timer !== null) clock.clearTimeout(timer);
    timer = null;
    if (step.wakeAtMs !== null) {
      timer = clock.setTimeout(() => {
        timer = null;
        if (state !== null) apply(tick(state, clock.now()));
      }, Math.max(0, step.wakeAtMs - clock.now()));
    }
  };

  const pending: Array<{ name: string; up: boolean }> = [];
  const watch: LinkWatch = await source.watch(opts.links, (e) => {
    if (state === null) pending.push(e);
    else apply(linkChanged(state, e.name, e.up, clock.now()));
  }, (err) => log.error({ err: err.message }, 'link monitoring failed'), (message) => log.info(message));
  const first = initialState(opts.links, opts.links.map((n) => watch.initial.get(n) === true), opts.holdDownMs, clock.now());
  // Nothing has moved at start: only a start on another link than the dataplane's is a change.
  apply(first);
  if (first.actions.every((a) => a.kind === 'switch' && a.to === opts.openedOn)) lastChangeWall = null;
  for (const e of pending.splice(0)) apply(linkChanged(state!, e.name, e.up, clock.now()));
  log.info({ links: opts.links, active: current, holdDownMs: opts.holdDownMs }, 'link redundancy started');

  return {
    status: () => {
      const s = state!;
      return {
        links: s.links.map((l, i) => ({ interface: l.name, up: l.up, active: s.active === i, changes: l.changes })),
        active: s.active === null ? null : s.links[s.active].name,
        failovers: s.failovers,
        holdDownMs: s.holdDownMs,
        lastChange: lastChangeWall === null ? null : new Date(lastChangeWall).toISOString(),
      };
    },
    allDown: () => state !== null && state.active === null,
    onChange: (l) => { listeners.push(l); },
    close() {
      closed = true;
      if (timer !== null) clock.clearTimeout(timer);
      watch.close();
    },
  };
}
