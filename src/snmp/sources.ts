// What snmp/ reads, and only reads: the director's list result plus optional providers for the
// parts of pivs that other modules own (VRRP, sync, links, health, agents). A provider that is
// absent serves an empty table or zero counters, so the MIB's shape never depends on wiring.
import type { VirtualServiceKey } from '../config/model';
import type { ListResult } from '../control/protocol';

export type VrrpState = 'initialize' | 'backup' | 'master';

/** RFC 6527 vrrpv3StatisticsNewMasterReason. */
export type NewMasterReason = 'notMaster' | 'priority' | 'preempted' | 'masterNoResponse';

export interface VrrpInstanceStats {
  masterTransitions: number;
  rcvdAdvertisements: number;
  advIntervalErrors: number;
  ipTtlErrors: number;
  rcvdPriZeroPackets: number;
  sentPriZeroPackets: number;
  rcvdInvalidTypePackets: number;
  addressListErrors: number;
  packetLengthErrors: number;
}

export interface VrrpInstanceView {
  name: string;
  /** Kernel ifIndex of the interface the instance runs on (the table's first index). */
  ifIndex: number;
  virtualRouterId: number;
  family: 'ipv4' | 'ipv6';
  state: VrrpState;
  priority: number;
  /** The current master's address (ours when we are master); null while unknown. */
  masterAddress: string | null;
  /** The address we send adverts from. */
  primaryAddress: string | null;
  /** Advertisement interval in centiseconds, as VRRPv3 carries it. */
  advertIntCs: number;
  preempt: boolean;
  acceptMode: boolean;
  virtualAddresses: string[];
  /** When the instance left Initialize, in ms on the monotonic clock (performance.now); null while in it. */
  upSinceMs: number | null;
  newMasterReason: NewMasterReason;
  stats?: VrrpInstanceStats;
}

export interface VrrpGlobalStats {
  checksumErrors: number;
  versionErrors: number;
  vrIdErrors: number;
}

export interface SyncCountersView {
  sentMessages: number;
  sentConnections: number;
  receivedMessages: number;
  receivedConnections: number;
  /** Messages refused: bad authentication, bad format or unknown version. */
  errors: number;
  peers: number;
}

export interface LinkView {
  name: string;
  interface: string;
  up: boolean;
  /** The link the director currently forwards on. */
  active: boolean;
  failovers: number;
}

export type HealthState = 'up' | 'down' | 'unknown';

/** Run-time facts about one real server that the configured list does not hold. */
export interface RealServerExtras {
  health?: HealthState;
  /** The weight the dataplane runs with after health and agent overrides. */
  effectiveWeight?: number;
  /** The load index the real server's agent last reported; absent without an agent. */
  agentLoad?: number;
}

export interface SnmpSources {
  list(): ListResult;
  realServerExtras?(service: VirtualServiceKey, real: { address: string; port: number }): RealServerExtras;
  vrrp?(): VrrpInstanceView[];
  vrrpGlobal?(): VrrpGlobalStats;
  sync?(): SyncCountersView;
  links?(): LinkView[];
}
