// The shape of GET /status (docs/status.md, schema.ts) and the providers it is built from.
// Every subsystem is an optional provider: when it is absent its part of the document is an
// empty list or null, so the shape never changes with what runs.
import type { PeerStatus } from '../heartbeat';
import type { HeartbeatCounters } from '../heartbeat';
import type { SyncCounters, SyncRecordCounters } from '../sync';
import type { Persistence, Protocol, SchedFlag, Scheduler } from '../config/model';
import type { ListResult, Rates } from '../control/protocol';
import type { Counters, DataplaneCounters } from '../dataplane/types';
import type { AdvertDropReason } from '../vrrp';

export type VrrpState = 'initialize' | 'backup' | 'master' | 'fault';

export interface VrrpInstanceStatus {
  name: string;
  virtualRouterId: number;
  interface: string;
  version: 2 | 3;
  state: VrrpState;
  /** As configured. */
  priority: number;
  /** In force now: configured, plus or minus tracking weights. */
  effectivePriority: number;
  /** Address of the director that is master now (this one's when state is master); null: unknown. */
  master: string | null;
  virtualAddresses: string[];
  /** Adverts refused, by reason (docs/ha.md). */
  advertsDropped: Record<AdvertDropReason, number>;
}

/** One peer director as heartbeat/ sees it (HeartbeatService.peers()). */
export type { PeerStatus };

export interface LinkStatus {
  name: string;
  interface: string;
  /** Carrier present. */
  up: boolean;
  /** The link traffic goes out on now. */
  active: boolean;
}

/** SyncService.counters(): datagrams, not connections, except `installed`; and the records refused inside taken datagrams. */
export type SyncStatus = SyncCounters & { recordsRefused: SyncRecordCounters };

/** HeartbeatService.counters(): datagrams. */
export type HeartbeatStatus = HeartbeatCounters;

/** AgentReceiver.refused: reports dropped, by why. */
export interface AgentStatus {
  refused: { forged: number; replayed: number; spoofed: number };
}

/** Where the status document comes from; only `list` is required. */
export interface StatusSources {
  /** Director name shown on the page and in metrics (usually the host name). */
  name: string;
  /** Epoch milliseconds pivsd started at (shown). */
  startedAtMs: number;
  /** Wall clock, epoch ms: the timestamps shown. */
  now(): number;
  /** Milliseconds since pivsd started, on the monotonic clock (uptime must not follow the wall clock). */
  uptimeMs(): number;
  /** The control socket's list result: table, weights, health, agent, counters, rates. */
  list(): ListResult;
  dataplane?(): DataplaneStatus;
  vrrp?(): VrrpInstanceStatus[];
  peers?(): PeerStatus[];
  links?(): LinkStatus[];
  sync?(): SyncStatus | null;
  heartbeat?(): HeartbeatStatus | null;
  agent?(): AgentStatus | null;
}

/** The dataplane's counters and which backend forwards (director.dataplane; docs/frames.md). */
export interface DataplaneStatus extends DataplaneCounters {
  backend: 'af_xdp' | 'af_packet' | null;
  /** How AF_XDP runs ('native copy', ...); '' on AF_PACKET. */
  xdpMode: string;
}

// ---- The document ----

export interface StatusDocument {
  schemaVersion: 1;
  generatedAt: string;
  director: DirectorStatus;
  dataplane: DataplaneStatus | null;
  vrrp: VrrpInstanceStatus[];
  peers: PeerDocument[];
  links: LinkStatus[];
  sync: SyncStatus | null;
  heartbeat: HeartbeatStatus | null;
  agent: AgentStatus | null;
  virtualServices: VirtualServiceDocument[];
}

export interface DirectorStatus {
  name: string;
  pivsVersion: string;
  ipvsVersion: string;
  startedAt: string;
  uptimeSeconds: number;
  connTableSize: number;
}

export interface PeerDocument {
  name: string;
  alive: boolean;
  fault: boolean;
  /** Its last heartbeat said it is stopping (a clean stop: it releases mastership). */
  stopping: boolean;
  /** Its VRRP instances as its last heartbeat claimed them. */
  claims: { virtualRouterId: number; state: VrrpState; priority: number }[];
  /** The latest heartbeat over any path. */
  lastHeartbeat: string | null;
  lastHeartbeatAgeSeconds: number | null;
  paths: { link: string; address: string; alive: boolean; lastHeartbeat: string | null; peerHears: boolean | null }[];
}

export interface VirtualServiceDocument {
  protocol: Protocol;
  address: string;
  port: number;
  scheduler: Scheduler;
  schedFlags: SchedFlag[];
  persistence: Persistence | null;
  sloppy: boolean;
  /** The VRRP instance holding this address; null when none does. */
  vrrpInstance: string | null;
  /** Address of the master director for this address; null: no VRRP or unknown. */
  master: string | null;
  /** This director forwards for the address now (always true without VRRP). */
  forwarding: boolean;
  activeConns: number;
  inactiveConns: number;
  stats: Counters;
  rates: Rates;
  realServers: RealServerDocument[];
}

export interface RealServerDocument {
  address: string;
  port: number;
  forward: 'dr';
  /** effective: what the dataplane runs after health and agents; null: removed from the table. */
  weight: { configured: number; effective: number | null };
  upperThreshold: number;
  lowerThreshold: number;
  /** In the table only while no real server can take connections (ipvsadm's sorry server). */
  fallback: boolean;
  health: HealthDocument | null;
  agent: AgentDocument | null;
  activeConns: number;
  inactiveConns: number;
  persistentConns: number;
  overloaded: boolean;
  macResolved: boolean;
  stats: Counters;
  rates: Rates;
}

export interface HealthDocument {
  state: 'up' | 'down' | 'unknown';
  lastResult: { ok: boolean; checker: string; message: string; at: string } | null;
  lastChange: string | null;
  checks: string[];
}

export interface AgentDocument {
  loadIndex: number | null;
  lastReport: string | null;
  alive: boolean;
}
