// The one typed model of pivs configuration. config/ produces it; every other module consumes it.
// Names follow DESIGN.md: virtualService, realServer, director.

export const SCHEDULERS = [
  'rr', 'wrr', 'lc', 'wlc', 'sed', 'nq', 'sh', 'dh', 'mh', 'fo', 'ovf', 'twos', 'lblc', 'lblcr',
] as const;
export type Scheduler = (typeof SCHEDULERS)[number];

/** ipvsadm -b scheduler flags. */
export const SCHED_FLAGS = ['sh-fallback', 'sh-port', 'mh-fallback', 'mh-port'] as const;
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
}

export interface VirtualService extends VirtualServiceKey {
  scheduler: Scheduler;
  schedFlags: SchedFlag[];
  /** Absent = no persistence. */
  persistence?: Persistence;
  /** Pick a real server for a non-SYN TCP packet with no connection entry (sound with mh). */
  sloppy: boolean;
  realServers: RealServer[];
}

export interface Timeouts {
  tcp: number;
  tcpfin: number;
  udp: number;
}

export interface DirectorSettings {
  /** LAN interface the dataplane receives and transmits on. */
  interface: string;
  /** Dataplane worker threads (PACKET_FANOUT when > 1). */
  workers: number;
  /** Connection table capacity (entries); shown as ipvsadm's "size=". */
  connTableSize: number;
  /** Maglev lookup table size; must be prime. */
  mhTableSize: number;
}

export interface Config {
  director: DirectorSettings;
  timeouts: Timeouts;
  virtualServices: VirtualService[];
}

export const DEFAULT_TIMEOUTS: Timeouts = { tcp: 900, tcpfin: 120, udp: 300 };
export const DEFAULT_PERSISTENCE_TIMEOUT = 300;
