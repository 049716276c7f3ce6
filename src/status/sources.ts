// The status sources of a running pivsd: the director and dataplane always, the other subsystems
// when they run (each is an optional provider, see model.ts).
import { hostname } from 'node:os';
import type { Director } from '../control/director';
import type { Dataplane } from '../dataplane/types';
import type { LinkStatus as LinkRuntime } from '../link';
import type { VrrpInstanceStatus as VrrpRuntime } from '../vrrp';
import type { LinkStatus, StatusSources, VrrpInstanceStatus, VrrpState } from './model';

export type OptionalProviders = Partial<Pick<StatusSources, 'vrrp' | 'peers' | 'links' | 'sync' | 'heartbeat' | 'agent'>>;

/** When pivsd started: on the wall clock (shown) and on the monotonic one (uptime is measured on it). */
export interface StartTime {
  wallMs: number;
  monotonicMs: number;
}

/** The start time, now. */
export function startTime(): StartTime {
  return { wallMs: Date.now(), monotonicMs: performance.now() };
}

export function daemonSources(
  director: Director, dataplane: Dataplane, started: StartTime, providers: OptionalProviders = {},
): StatusSources {
  return {
    // director.name is what heartbeats and sync trailers call this director; read at each call
    // so that the page follows a reload.
    get name() { return director.config.director.name ?? hostname(); },
    startedAtMs: started.wallMs,
    now: () => Date.now(),
    uptimeMs: () => performance.now() - started.monotonicMs,
    list: () => director.list(),
    dataplane: () => {
      const { backend, xdpMode } = dataplane.backend();
      return { ...dataplane.counters(), backend, xdpMode };
    },
    ...providers,
  };
}

export const STATES: Record<VrrpRuntime['state'], VrrpState> = { INIT: 'initialize', BACKUP: 'backup', MASTER: 'master', FAULT: 'fault' };

/** VrrpService.states() in the status document's words. */
export function vrrpStatus(states: readonly VrrpRuntime[]): VrrpInstanceStatus[] {
  return states.map((v) => ({
    name: v.name,
    virtualRouterId: v.virtualRouterId,
    interface: v.interface,
    version: v.version,
    state: STATES[v.state],
    priority: v.priority,
    effectivePriority: v.effectivePriority,
    master: v.masterAddress,
    virtualAddresses: [...v.virtualAddresses],
    advertsDropped: { ...v.counters.advertsDropped },
  }));
}

/** LinkService.status(): a link is known by its interface name. */
export function linkStatus(s: LinkRuntime): LinkStatus[] {
  return s.links.map((l) => ({ name: l.interface, interface: l.interface, up: l.up, active: l.active }));
}
