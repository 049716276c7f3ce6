// The contract between the control plane and the fast path. src/dataplane/ is the only code that
// loads the addon; everything else talks to this interface (test/fakes/dataplane.ts fakes it).
import type { ConnPolicy, DataplaneBackend, Timeouts, VirtualService, VirtualServiceKey, Protocol } from '../config/model';
import { DROP_REASONS } from './contract';

export interface Counters {
  conns: number;
  inPackets: number;
  inBytes: number;
  /** Always 0 for direct routing (replies bypass the director); kept for ipvsadm's columns. */
  outPackets: number;
  outBytes: number;
}

export interface RealServerStats extends Counters {
  address: string;
  port: number;
  activeConns: number;
  inactiveConns: number;
  persistentConns: number;
  /** Above its upper threshold, so taking no new connections. */
  overloaded: boolean;
  /** The real server's MAC is known; until then it gets no new connections. */
  macResolved: boolean;
}

export interface VirtualServiceStats extends Counters, VirtualServiceKey {
  realServers: RealServerStats[];
}

/** TCP states named as ipvsadm -L -c prints them; UDP entries say "UDP", templates "NONE". */
export type ConnectionState =
  | 'NONE' | 'ESTABLISHED' | 'SYN_SENT' | 'SYN_RECV' | 'FIN_WAIT' | 'TIME_WAIT'
  | 'CLOSE' | 'CLOSE_WAIT' | 'LAST_ACK' | 'LISTEN' | 'SYNACK' | 'UDP';

/** See Dataplane.connectionPage(). */
export interface ConnectionPage {
  entries: ConnectionEntry[];
  next: number | null;
}

export interface ConnectionEntry {
  protocol: Protocol;
  clientAddress: string;
  clientPort: number;
  virtualAddress: string;
  virtualPort: number;
  realAddress: string;
  realPort: number;
  state: ConnectionState;
  /** Milliseconds until the entry expires. */
  expiresMs: number;
  /** Persistence template (client -> real server binding), not a flow. */
  template: boolean;
}

/**
 * Why the fast path dropped a frame it was responsible for, in counter order (native/contract.h).
 * `evicted` counts connection entries evicted under pressure, not frames.
 */
export { DROP_REASONS };
export type DropReason = (typeof DROP_REASONS)[number];
export type DropCounts = Record<DropReason, number>;
export function zeroDrops(): DropCounts {
  return Object.fromEntries(DROP_REASONS.map((r) => [r, 0])) as DropCounts;
}

export interface DataplaneCounters {
  rxPackets: number;
  txPackets: number;
  /** Frames that matched no virtual service (left to the kernel). */
  ignored: number;
  /** Frames dropped, every reason but `evicted` summed. */
  dropped: number;
  drops: DropCounts;
  connections: number;
  connTableSize: number;
  /**
   * Sync records from peers not installed: no such virtual service or real server here, or a full
   * table. Present once configureSync() has been called.
   */
  syncSkipped?: number;
}

export interface DataplaneOptions {
  /** null: no packet socket at all; only simulate() drives the fast path (unit tests, benches). */
  interface: string | null;
  workers: number;
  /** director.dataplane (default af_packet here; the config's default is auto). */
  backend?: DataplaneBackend;
  connTableSize: number;
  mhTableSize: number;
  /**
   * Where the interface's original offload settings are kept while pivs has them off, so that the
   * next start or stop after a kill -9 restores them (default /run/pivs; null: not kept).
   */
  stateDir?: string | null;
}

/** DataplaneOptions.stateDir when not given: where pivsd keeps its run-time state. */
export const DEFAULT_STATE_DIR = '/run/pivs';

/** What forwards: af_xdp or af_packet (null: no interface); how AF_XDP runs; why auto fell back. */
export interface RunningBackend {
  backend: 'af_xdp' | 'af_packet' | null;
  /** 'native zero-copy', 'native copy' or 'generic copy'; '' on AF_PACKET. */
  xdpMode: string;
  /** '' unless director.dataplane auto fell back to AF_PACKET: the reason, one sentence. */
  fallback: string;
}

export interface Dataplane {
  backend(): RunningBackend;
  /** The interface's own MAC ("aa:bb:cc:dd:ee:ff"), or 00:00:00:00:00:00 without an interface. */
  readonly mac: string;
  /**
   * Replace the whole virtual-service table at once. Counters, scheduler state and connections of
   * services and real servers whose keys remain are kept; a removed real server's connections
   * continue until they expire, as IPVS does.
   */
  apply(services: readonly VirtualService[]): void;
  setTimeouts(timeouts: Timeouts): void;
  /** IPVS's expire_nodest_conn / expire_quiescent_template and the ICMP echo budget. */
  setConnPolicy(policy: ConnPolicy): void;
  /** Tell the fast path a real server's MAC (null: unknown again). Applies to existing connections. */
  setNeighbour(address: string, mac: string | null): void;
  stats(): VirtualServiceStats[];
  /** The whole table (up to MAX_LISTED_CONNECTIONS entries), page after page: tests and small tables. */
  connections(): ConnectionEntry[];
  /**
   * One page of the table for a listing that must not hold the caller up (pivsadm -L -c): up to
   * `limit` entries from `cursor` on (start with 0; pass the page's `next` until it is null).
   * Each call looks at a bounded part of the table, so a page may hold fewer entries, even none,
   * before the end. An entry that lives throughout the listing is listed exactly once.
   */
  connectionPage(cursor: number, limit?: number): ConnectionPage;
  /** ipvsadm -Z: zero counters of one service or of all. */
  zero(service?: VirtualServiceKey): void;
  counters(): DataplaneCounters;
  /**
   * Run the fast path on one Ethernet frame as if received, without transmitting: returns the frame
   * that would be sent (MAC rewritten) or null (ignored, dropped, or a control frame).
   */
  simulate(frame: Buffer, nowMs?: number): Buffer | null;
  /** Transmit one whole Ethernet frame on the interface (ARP replies, ICMP echo replies). */
  sendFrame(frame: Buffer): void;
  /**
   * Frames the fast path hands up in batches: every ARP frame, ICMP/ICMPv6 addressed to a
   * virtual-service address, and ICMPv6 neighbour discovery. Never forwarded traffic.
   */
  onControlFrames(handler: (frames: Buffer[]) => void): void;
  close(): void;
  /**
   * Link failover (link/): move the RX/TX rings and workers to another interface. The new ones
   * start before the old ones stop, so forwarding continues; connections, tables, counters and
   * added MAC addresses stay. `mac` becomes the new interface's. Throws (and keeps the current
   * interface) when the new one cannot be opened.
   */
  setInterface(name: string): void;

  // --- High availability (vrrp/, sync/) ---
  /**
   * The virtual addresses this director forwards for now (those of the VRRP instances it is
   * master of). null = every virtual service is forwarded (no VRRP configured). Frames for other
   * virtual addresses are ignored, but synced connections for them are still installed.
   */
  setActiveAddresses(addresses: readonly string[] | null): void;
  /** Also receive unicast frames sent to this MAC (the VRRP virtual MAC; PACKET_MR_UNICAST). */
  addMacAddress(mac: string): void;
  removeMacAddress(mac: string): void;
  /** Sync settings; sync messages are queued only once this has been called. */
  configureSync(options: SyncOptions): void;
  /**
   * IPVS sync v1 messages (each a whole UDP payload) built by the fast path for the connections
   * this director forwards, handed up in batches.
   */
  onSyncMessages(handler: (messages: Buffer[]) => void): void;
  /**
   * Install the connections of one IPVS sync v1 message from a peer. Returns how many were
   * installed; a malformed message throws and installs nothing.
   */
  installSync(message: Buffer): number;
  /** The whole connection table (and templates) as sync v1 messages, for a peer's bulk resync. */
  exportSync(): Buffer[];

  // --- Load-aware scheduling (agent/) ---
  /** Load index reported by a real server's agent (null: no report, e.g. timed out). */
  setLoad(address: string, load: number | null): void;
}

export interface SyncOptions {
  /** IPVS syncid carried in every message; messages with another syncid are refused. */
  syncId: number;
  /** Largest message (UDP payload) in bytes; IPVS fills up to the MTU. */
  maxMessageSize: number;
  /** A partly filled message is sent at most this long after its first connection. */
  flushDelayMs: number;
  /** IPVS sync_threshold / sync_period: sync an established connection at packet N, then every M. */
  threshold: number;
  period: number;
}
