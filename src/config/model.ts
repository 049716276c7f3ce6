// The one typed model of pivs configuration. config/ produces it; every other module consumes it.
// Names follow DESIGN.md: virtualService, realServer, director.

import { SCHEDULERS, SCHED_FLAGS } from '../dataplane/contract';

// The schedulers and ipvsadm -b flags are those the addon implements (native/contract.h).
export { SCHEDULERS, SCHED_FLAGS };
export type Scheduler = (typeof SCHEDULERS)[number];
export type SchedFlag = (typeof SCHED_FLAGS)[number];

export type Protocol = 'tcp' | 'udp';

/** Identifies a virtual service, as ipvsadm's -t/-u ADDRESS:PORT does. */
export interface VirtualServiceKey {
  protocol: Protocol;
  /** IPv4 dotted quad or IPv6 text (no brackets), normalised. */
  address: string;
  /** 0 means "any port" and is only valid with persistence, as in ipvsadm. */
  port: number;
}

export interface Persistence {
  /** Seconds a client stays with the real server it was given (ipvsadm -p). */
  timeout: number;
  /** Client address mask (ipvsadm -M): dotted mask for IPv4, prefix length for IPv6. */
  netmask: string;
}

export interface RealServer {
  address: string;
  /** For direct routing the port is always the service's port, as ipvsadm forces it. */
  port: number;
  /** Only direct routing ("Route") exists today; ipvsadm -i / -m are refused. */
  forward: 'dr';
  /** 0..65535; 0 = quiescent: no new connections, established ones continue. */
  weight: number;
  /** ipvsadm -x: stop new connections above this many (0 = no limit). */
  upperThreshold: number;
  /** ipvsadm -y: take new connections again at or below this many (0 = 3/4 of upper). */
  lowerThreshold: number;
  /** The health check of this real server when it differs from its service's (see health.ts). */
  healthCheck?: HealthCheck;
  /**
   * Run time only, in the table the dataplane runs: health checks or the agent hold it Down
   * (weight 0), so its entries are "no destination" ones. Never in a configuration file.
   */
  down?: true;
}

export interface VirtualService extends VirtualServiceKey {
  scheduler: Scheduler;
  schedFlags: SchedFlag[];
  /** Absent = no persistence. */
  persistence?: Persistence;
  /** Pick a real server for a non-SYN TCP packet with no connection entry (sound with mh). */
  sloppy: boolean;
  /** Agent-reported weights (or weights derived from load indexes) replace the configured ones. */
  dynamicWeights?: boolean;
  realServers: RealServer[];
  /** Default health check of every real server of this service (see health.ts). */
  healthCheck?: HealthCheck;
  /** "Sorry" server: takes new connections only while no real server can (weight > 0). */
  fallback?: Fallback;
  /** keepalived quorum: the total weight of healthy real servers the service needs. */
  quorum?: Quorum;
}

export type { Fallback, HealthCheck, HealthCheckSpec, CheckType, Quorum } from './health_model';
import type { Fallback, HealthCheck, Quorum } from './health_model';

export interface Timeouts {
  tcp: number;
  tcpfin: number;
  udp: number;
}

/** director.dataplane: the fast path's frame source. */
export const DATAPLANE_BACKENDS = ['auto', 'af_xdp', 'af_packet'] as const;
export type DataplaneBackend = (typeof DATAPLANE_BACKENDS)[number];

export interface DirectorSettings {
  /** LAN interface the dataplane receives and transmits on. */
  interface: string;
  /** Dataplane worker threads (PACKET_FANOUT when > 1; with AF_XDP at most one per receive queue). */
  workers: number;
  /** How frames reach the workers (docs/dataplane.md): auto tries AF_XDP, then AF_PACKET. */
  dataplane: DataplaneBackend;
  /** Connection table capacity (entries); shown as ipvsadm's "size=". */
  connTableSize: number;
  /** Maglev lookup table size; must be prime. */
  mhTableSize: number;
  /** This director's name in sync trailers and heartbeats (default: the host name). */
  name?: string;
  /**
   * Ethernet redundancy (docs/links.md): the director's links in order of preference, the first
   * being `interface`. Absent: `interface` alone, no link failover.
   */
  links?: DirectorLink[];
  /** Stable carrier a better link needs before traffic moves back to it (set when links is). */
  holdDownMs?: number;
  /** Where pivsd keeps what must outlive it: the sequence mark of signed sync and heartbeat (default DEFAULT_STATE_DIRECTORY). */
  stateDirectory?: string;
  /** See ConnPolicy; absent: DEFAULT_CONN_POLICY's value. */
  expireNodestConn?: ExpireNodestConn;
  expireQuiescentTemplate?: boolean;
  icmpEchoPerSecond?: number;
  arpPerSecond?: number;
  ndPerSecond?: number;
  pressureThreshold?: number;
  pressureEmbryonicTimeout?: number;
  /**
   * Real servers' MACs fixed here (as `ip neigh ... nud permanent`): never resolved, and no frame
   * on the LAN can move them. Addresses and MACs normalised (lower case).
   */
  staticNeighbours?: { address: string; mac: string }[];
}

/**
 * IPVS's expire_nodest_conn, by protocol: an entry whose real server left the service or is held
 * Down by health checks or the agent expires on its next packet, which then schedules afresh.
 */
export type ExpireNodestConn = 'none' | 'udp' | 'all';

/** How the fast path treats entries whose real server is gone, and ICMP echo to VIPs. */
export interface ConnPolicy {
  expireNodestConn: ExpireNodestConn;
  /** IPVS's expire_quiescent_template: templates to a weight-0 real server expire on next use. */
  expireQuiescentTemplate: boolean;
  /** ICMP echo requests to VIPs answered per second; the rest are dropped and counted. */
  icmpEchoPerSecond: number;
  /**
   * ARP requests handed up per second, and as many replies apart (so a flood of requests cannot
   * keep the real servers' answers out); the rest are dropped and counted. VRRP has no budget.
   */
  arpPerSecond: number;
  /** IPv6 neighbour discovery handed up per second, advertisements apart; as arpPerSecond. */
  ndPerSecond: number;
  /**
   * IPVS's secure_tcp / drop_entry, as a fraction of connTableSize: from this many entries on,
   * embryonic ones (SYN seen, no ACK yet) live at most pressureEmbryonicTimeout seconds, and a
   * full table evicts them first to make room for new connections.
   */
  pressureThreshold: number;
  pressureEmbryonicTimeout: number;
}

export const DEFAULT_CONN_POLICY: ConnPolicy = {
  expireNodestConn: 'udp', expireQuiescentTemplate: false, icmpEchoPerSecond: 1000,
  arpPerSecond: 2000, ndPerSecond: 2000,
  pressureThreshold: 0.75, pressureEmbryonicTimeout: 5,
};

export function connPolicyOf(d: DirectorSettings): ConnPolicy {
  return {
    expireNodestConn: d.expireNodestConn ?? DEFAULT_CONN_POLICY.expireNodestConn,
    expireQuiescentTemplate: d.expireQuiescentTemplate ?? DEFAULT_CONN_POLICY.expireQuiescentTemplate,
    icmpEchoPerSecond: d.icmpEchoPerSecond ?? DEFAULT_CONN_POLICY.icmpEchoPerSecond,
    arpPerSecond: d.arpPerSecond ?? DEFAULT_CONN_POLICY.arpPerSecond,
    ndPerSecond: d.ndPerSecond ?? DEFAULT_CONN_POLICY.ndPerSecond,
    pressureThreshold: d.pressureThreshold ?? DEFAULT_CONN_POLICY.pressureThreshold,
    pressureEmbryonicTimeout: d.pressureEmbryonicTimeout ?? DEFAULT_CONN_POLICY.pressureEmbryonicTimeout,
  };
}

export interface DirectorLink {
  interface: string;
}

export const DEFAULT_LINK_HOLD_DOWN_MS = 5000;
/** systemd's StateDirectory=pivs. */
export const DEFAULT_STATE_DIRECTORY = '/var/lib/pivs';

/** Credentials the status server asks for (HAProxy-style stats auth); either kind is accepted. */
export interface StatusAuth {
  basic?: { user: string; password: string };
  bearer?: string;
}

export interface StatusSettings {
  /** "ADDRESS:PORT" ("[v6]:PORT" for IPv6) the HTTP status server listens on; false: no server. */
  listen: string | false;
  auth?: StatusAuth;
}

/** Where pivsd listens for pivs-agent load reports (docs/agent.md). */
export interface AgentSettings {
  /** Local address to listen on ("0.0.0.0" / "::" = every address). */
  listen: string;
  port: number;
  /** Shared HMAC-SHA256 key, the same string every agent is given... */
  key: string;
  /** ...unless a real server has a key of its own here, which is then the only one for it. */
  keys?: { address: string; key: string }[];
  /** A real server whose agent is silent this long is quiescent until reports resume. */
  timeoutMs: number;
}

export interface Config {
  director: DirectorSettings;
  timeouts: Timeouts;
  virtualServices: VirtualService[];
  /** Absent when the file has no `agent:` section: no load reports are received. */
  agent?: AgentSettings;
  /** Absent when the file has no `status:` section: DEFAULT_STATUS applies. */
  status?: StatusSettings;
  /** Absent when the file has no `vrrp:` section: every virtual service is forwarded (no election). */
  vrrp?: VrrpConfig;
  /** Absent when the file has no `sync:` section: no connection sync (see ha_model.ts). */
  sync?: SyncSettings;
  /** Absent when the file has no `heartbeat:` section: VRRP alone decides. */
  heartbeat?: HeartbeatSettings;
  /** Absent when the file has no `snmp:` section: no SNMP agent (see snmp_model.ts). */
  snmp?: SnmpSettings;
}

export type { SnmpSettings, SnmpUser, SnmpTrapTarget } from './snmp_model';
import type { SnmpSettings } from './snmp_model';

export type { SyncSettings, SyncAuth, HeartbeatSettings, HeartbeatLink, HeartbeatPeer } from './ha_model';
import type { HeartbeatSettings, SyncSettings } from './ha_model';

export type {
  VrrpConfig, VrrpInstanceSettings, VrrpSyncGroup, VrrpNotify, VrrpGarp, VrrpTrackInterface, VrrpTrackScript,
} from './vrrp_model';
import type { VrrpConfig } from './vrrp_model';

export const DEFAULT_TIMEOUTS: Timeouts = { tcp: 900, tcpfin: 120, udp: 300 };
export const DEFAULT_PERSISTENCE_TIMEOUT = 300;
export const DEFAULT_STATUS: StatusSettings = { listen: '127.0.0.1:8080' };
export const DEFAULT_AGENT_PORT = 8850;
export const DEFAULT_AGENT_TIMEOUT_MS = 3000;
