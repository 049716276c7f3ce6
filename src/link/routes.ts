// A real server's routes over several links, HAS's route-metric method (docs/links.md): every route
// of the primary is pre-installed on each other link at a higher metric, so the kernel always has
// a usable route, and a switch only swaps which link holds the route's own (lowest) metric. The
// plan is a pure function of the routes, the links and the active link; RouteMetricMover runs it.
import { readFileSync, writeFileSync } from 'node:fs';
import { ipAddressMover, run, type AddressMover } from './service';

/** Metric step between a route's standby copies: the n-th standby link gets base + n * step. */
export const STANDBY_STEP = 10;

export interface Route {
  /** Destination as `ip route` prints it: "default", "198.18.5.0/24", "198.18.6.1". */
  prefix: string;
  via: string | null;
  /** The route's own metric on the primary (0 if none). */
  metric: number;
  /** The kernel's prefix route of an address (proto kernel): it comes and goes with the address. */
  kernel: boolean;
  /** The other attributes to copy (scope, src, proto, mtu, …) as `ip route` arguments. */
  attrs: string[];
}

const FLAGS = new Set(['linkdown', 'dead', 'onlink', 'pervasive', 'offload', 'trap', 'rt_offload', 'rt_trap', 'rt_offload_failed', 'notify']);
const OTHER_TYPES = new Set(['local', 'broadcast', 'multicast', 'anycast', 'blackhole', 'unreachable', 'prohibit', 'throw', 'nat']);

/**
 * The unicast routes of `ip -o -4 route show dev LINK`. Multipath routes and routes through
 * nexthop objects are left out: they are not one link's to move.
 */
export function parseRoutes(text: string): Route[] {
  const routes: Route[] = [];
  for (const line of text.split('\n')) {
    const words = line.trim().split(/\s+/).filter((w) => w !== '');
    if (words[0] === 'unicast') words.shift();
    if (words.length === 0 || OTHER_TYPES.has(words[0]) || words.includes('nexthop') || words.includes('nhid')) continue;
    const route: Route = { prefix: words[0], via: null, metric: 0, kernel: false, attrs: [] };
    for (let i = 1; i < words.length; i++) {
      const w = words[i];
      if (FLAGS.has(w)) continue;
      const value = words[i + 1];
      if (w === 'via') route.via = value;
      else if (w === 'metric') route.metric = Number(value);
      else if (w === 'proto' && value === 'kernel') route.kernel = true;
      else if (w !== 'dev') { route.attrs.push(w); continue; }
      i++;
    }
    routes.push(route);
  }
  return routes;
}

/** A route's metric on a link: its own on the active link, else base + step × the link's rank among the others. */
export function metricOn(route: Route, links: readonly string[], active: string, link: string): number {
  if (link === active) return route.metric;
  return route.metric + STANDBY_STEP * (links.filter((l) => l !== active).indexOf(link) + 1);
}

function via(r: Route): string[] {
  return r.via === null ? [] : ['via', r.via];
}

// A gateway is reachable on a standby link before it holds an address only as onlink.
function add(r: Route, link: string, metric: number): string[] {
  return ['route', 'append', r.prefix, ...via(r), ...r.attrs, 'dev', link, 'metric', String(metric), ...(r.via === null ? [] : ['onlink'])];
}

function del(r: Route, link: string, metric: number): string[] {
  return ['route', 'del', r.prefix, ...via(r), 'dev', link, 'metric', String(metric)];
}

/** At start, with the primary active: a standby copy of every primary route on each other link. */
export function planStandby(routes: readonly Route[], links: readonly string[]): string[][] {
  return links.slice(1).flatMap((l) => routes.map((r) => add(r, l, metricOn(r, links, links[0], l))));
}

/**
 * After the addresses moved from `from` to `to`: each route is added at its new metric before it
 * leaves the old one (`append`, as `replace` would take whichever link's route comes first at that
 * metric), the new active link first. The kernel's prefix routes moved with the address already:
 * only their standby copies change.
 */
export function planSwitch(routes: readonly Route[], links: readonly string[], from: string, to: string): string[][] {
  const cmds: string[][] = [];
  for (const link of [to, ...links.filter((l) => l !== to)]) {
    for (const r of routes) {
      const before = metricOn(r, links, from, link);
      const after = metricOn(r, links, to, link);
      if (before === after) continue;
      if (!(r.kernel && link === to)) cmds.push(add(r, link, after));
      if (!(r.kernel && link === from)) cmds.push(del(r, link, before));
    }
  }
  return cmds;
}

/** On stop: the standby copies go; the active link keeps the routes at their own metric. */
export function planRemove(routes: readonly Route[], links: readonly string[], active: string): string[][] {
  return links.filter((l) => l !== active).flatMap((l) => routes.map((r) => del(r, l, metricOn(r, links, active, l))));
}

/** What the mover needs from the host; tests pass a fake. */
export interface RouteHost {
  ip(args: string[]): Promise<string>;
  readSysctl(link: string): string;
  writeSysctl(link: string, value: string): void;
}

const sysctlPath = (link: string): string => `/proc/sys/net/ipv4/conf/${link}/ignore_routes_with_linkdown`;

export const systemRouteHost: RouteHost = {
  ip: (args) => run('ip', args),
  readSysctl: (link) => readFileSync(sysctlPath(link), 'utf8').trim(),
  writeSysctl: (link, value) => writeFileSync(sysctlPath(link), `${value}\n`),
};

// The route is already there (append) or already gone (del): the state the plan wanted.
const HARMLESS = /File exists|No such process/;

/**
 * Runs the plans and keeps the record of what it added: the primary's routes as read at start, the
 * active link, and the sysctl values it changed. Errors do not stop a plan; they are returned
 * (install, close) or thrown at the end (move), for the caller to log.
 */
export class RouteMetricMover implements AddressMover {
  private busy: Promise<unknown> = Promise.resolve();
  private closed = false;
  private readonly sysctls = new Map<string, string>();

  private constructor(
    readonly links: readonly string[],
    readonly routes: readonly Route[],
    private active: string,
    private readonly host: RouteHost,
    private readonly addresses: AddressMover,
  ) {}

  /**
   * Reads the primary's routes, sets ignore_routes_with_linkdown on every link (the kernel then
   * skips a link's routes the moment it marks it without carrier, before any switch) and installs
   * the standby copies. Returns the mover and the failures.
   */
  static async install(links: readonly string[], host: RouteHost = systemRouteHost, addresses: AddressMover = ipAddressMover): Promise<{ mover: RouteMetricMover; errors: string[] }> {
    const routes = parseRoutes(await host.ip(['-o', '-4', 'route', 'show', 'dev', links[0]]));
    const mover = new RouteMetricMover(links, routes, links[0], host, addresses);
    const errors: string[] = [];
    for (const l of links) {
      try {
        const old = host.readSysctl(l);
        if (old !== '1') {
          host.writeSysctl(l, '1');
          mover.sysctls.set(l, old);
        }
      } catch (err) {
        errors.push(`ignore_routes_with_linkdown on ${l}: ${(err as Error).message}`);
      }
    }
    errors.push(...await mover.runPlan(planStandby(routes, links)));
    return { mover, errors };
  }

  /** The link now holding the routes' own metrics. */
  activeLink(): string {
    return this.active;
  }

  move(_from: string, to: string): Promise<void> {
    const job = this.busy.then(async () => {
      if (this.closed || to === this.active) return;
      const errors: string[] = [];
      // The addresses first: with arp_ignore=1 the server answers ARP only on the link holding them.
      await this.addresses.move(this.active, to).catch((err: Error) => { errors.push(err.message); });
      const from = this.active;
      this.active = to;
      errors.push(...await this.runPlan(planSwitch(this.routes, this.links, from, to)));
      if (errors.length > 0) throw new Error(errors.join('; '));
    });
    this.busy = job.catch(() => undefined);
    return job;
  }

  /** Removes the standby copies and restores the sysctls; the active link keeps its routes and addresses. */
  close(): Promise<string[]> {
    const job = this.busy.then(async () => {
      if (this.closed) return [];
      this.closed = true;
      const errors = await this.runPlan(planRemove(this.routes, this.links, this.active));
      for (const [l, old] of this.sysctls) {
        try { this.host.writeSysctl(l, old); } catch (err) { errors.push(`ignore_routes_with_linkdown on ${l}: ${(err as Error).message}`); }
      }
      this.sysctls.clear();
      return errors;
    });
    this.busy = job.catch(() => undefined);
    return job;
  }

  private async runPlan(cmds: string[][]): Promise<string[]> {
    const errors: string[] = [];
    for (const c of cmds) {
      await this.host.ip(c).catch((err: Error) => {
        if (!HARMLESS.test(err.message)) errors.push(`ip ${c.join(' ')}: ${err.message}`);
      });
    }
    return errors;
  }
}
