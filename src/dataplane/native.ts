// The raw addon as JS sees it. This is the only file that loads build/Release/pivs_native.node;
// everything else goes through index.ts, which validates arguments first (C++ trusts them).
// Every type here names exactly the properties native/contract.h lists for it (checked below).
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { packageRoot } from '../common/package_root';
import { CONTRACT, PROPERTIES } from './contract';
import type { ScheduleSimulation, SimulatedFlow, SimulatedRealServer } from './sched_sim';
import type { DataplaneCounters, RunningBackend } from './types';

/** Addresses cross as 16-byte Buffers (IPv4 in the first 4 bytes) plus family 4 | 6. */
export interface NativeAddress {
  family: number;
  addr: Buffer;
}

export interface NativeRealSpec {
  family: number;
  addr: Buffer;
  port: number;
  weight: number;
  uThreshold: number;
  lThreshold: number;
  /** Health checks or the agent hold it Down (its weight is then 0). */
  down: boolean;
}

export interface NativeServiceSpec {
  /** IP protocol number: 6 tcp, 17 udp. */
  proto: number;
  family: number;
  addr: Buffer;
  port: number;
  /** SCHEDULER_IDS of contract.ts. */
  sched: number;
  /** SCHED_FLAG_BITS of contract.ts, or-ed. */
  schedFlags: number;
  /** Seconds; 0 = no persistence. */
  persistTimeout: number;
  /** Client mask for persistence templates, 16 bytes. */
  netmask: Buffer;
  sloppy: boolean;
  reals: NativeRealSpec[];
}

export interface NativeCounters {
  conns: number;
  inpkts: number;
  inbytes: number;
  outpkts: number;
  outbytes: number;
}

export interface NativeRealStats extends NativeCounters {
  family: number;
  addr: Buffer;
  port: number;
  activeConns: number;
  inactConns: number;
  persistConns: number;
  overloaded: boolean;
  macResolved: boolean;
}

export interface NativeServiceStats extends NativeCounters {
  proto: number;
  family: number;
  addr: Buffer;
  port: number;
  reals: NativeRealStats[];
}

/** native/dataplane.h's Policy. */
export interface NativePolicy {
  /** ConnPolicy bits. */
  bits: number;
  echoPerSecond: number;
  arpPerSecond: number;
  ndPerSecond: number;
  /** The pressure threshold, in entries. */
  pressureEntries: number;
  pressureTimeoutS: number;
}

export interface NativeServiceKey {
  proto: number;
  family: number;
  addr: Buffer;
  port: number;
}

/** What the addon counts: the contract's counters, sync ones always present, plus sync drops. */
/** expiryChecks: slots looked at by expiry so far (the timer wheel's copies and any walk); tests and bench/. */
export type NativeDataplaneCounters = Required<DataplaneCounters> & { syncDropped: number; expiryChecks: number };

/**
 * One page of the connection listing: `count` records laid out as CONNECTION_RECORD of
 * contract.ts; next is -1 once the whole table has been walked; states[n] is the name of state n.
 */
export interface NativeConnectionPage {
  records: Buffer;
  count: number;
  next: number;
  states: string[];
}

export interface NativeDataplane {
  /** The interface's MAC as a 48-bit number (0 without an interface). */
  readonly mac: number;
  apply(services: NativeServiceSpec[]): void;
  /** Seconds; 0 leaves a value as it is. */
  setTimeouts(tcp: number, tcpfin: number, udp: number): void;
  setConnPolicy(policy: NativePolicy): void;
  /** mac 0 = unknown. */
  setNeighbour(family: number, addr: Buffer, mac: number): void;
  /** load < 0 = no report. */
  setLoad(family: number, addr: Buffer, load: number): void;
  stats(): NativeServiceStats[];
  /** Up to `limit` entries from slot `cursor` on (0 = the start), a bounded number of slots looked at. */
  connections(cursor: number, limit: number): NativeConnectionPage;
  zero(key: NativeServiceKey | null): void;
  counters(): NativeDataplaneCounters;
  /** nowMs < 0: the monotonic clock. */
  simulate(frame: Buffer, nowMs: number): Buffer | null;
  sendFrame(frame: Buffer): void;
  onControlFrames(handler: (frames: Buffer[]) => void): void;
  close(): void;
  /** null: every virtual address is active. */
  setActiveAddresses(addresses: NativeAddress[] | null): void;
  /** 48-bit unicast MAC. */
  addMacAddress(mac: number): void;
  removeMacAddress(mac: number): void;
  configureSync(syncId: number, maxMessageSize: number, flushDelayMs: number, threshold: number, period: number): void;
  onSyncMessages(handler: (messages: Buffer[]) => void): void;
  /** Seals the partly filled message and returns every message not yet handed up. */
  flushSync(): Buffer[];
  /** Throws a TypeError (nothing installed) on a malformed message. */
  installSync(message: Buffer): number;
  exportSync(): Buffer[];
  /** Rings and workers move to this interface; see Dataplane.setInterface. */
  setInterface(iface: string, workers: number): void;
  /** Closes the worker set the last setInterface() replaced (its threads end within 100 ms). */
  releaseRetired(): void;
  backend(): RunningBackend;
}

/** The kernel's record of the process at the other end of a unix socket. */
export interface PeerCredentials {
  pid: number;
  uid: number;
  gid: number;
  /** Supplementary groups. */
  groups: number[];
}

export interface NativeAddon {
  Dataplane: new (
    iface: string | null,
    workers: number,
    connTableSize: number,
    mhTableSize: number,
    stateDir: string | null,
    backend: NativeBackendOptions,
  ) => NativeDataplane;
  /** See sched_sim.ts for its argument and result. */
  simulateSchedule(spec: unknown): Int32Array;
  /** One datagram to $NOTIFY_SOCKET (path or @abstract); throws an Error with one sentence. See sd_notify.ts. */
  sdNotify(socket: string, message: string): void;
  /** Who connected to a unix stream socket (SO_PEERCRED, SO_PEERGROUPS); throws an Error with one sentence. */
  peerCredentials(fd: number): PeerCredentials;
  /** The lists of native/contract.h this build of the addon was made from: CONTRACT's shape. */
  contract: unknown;
}

/** How the workers get frames (director.dataplane) and where the XDP program is. */
export interface NativeBackendOptions {
  backend: string;
  xdpObject: string;
}

/** The type of each object whose properties native/contract.h lists (PIVS_PROPERTY_LISTS). */
interface ContractTypes {
  addon_exports: NativeAddon;
  dataplane_members: NativeDataplane;
  address: NativeAddress;
  service_key: NativeServiceKey;
  real_spec: NativeRealSpec;
  service_spec: NativeServiceSpec;
  counters: NativeCounters;
  real_stats: NativeRealStats;
  service_stats: NativeServiceStats;
  policy: NativePolicy;
  connection_page: NativeConnectionPage;
  dataplane_counters: NativeDataplaneCounters;
  schedule_spec: ScheduleSimulation;
  schedule_real: SimulatedRealServer;
  schedule_flow: SimulatedFlow;
  peer_credentials: PeerCredentials;
  backend_options: NativeBackendOptions;
  running_backend: RunningBackend;
}

type Lists = typeof PROPERTIES;
type Both = keyof ContractTypes & keyof Lists;
type Extra<L extends Both> = Exclude<keyof ContractTypes[L] & string, Lists[L][number]>;
type Missing<L extends Both> = Exclude<Lists[L][number], keyof ContractTypes[L]>;
/** true, or the sentence saying how the type of list L and the list differ. */
type Agrees<L> = L extends Both
  ? [Extra<L>] extends [never]
    ? [Missing<L>] extends [never] ? true : `native/contract.h lists ${Missing<L>} for ${L}, which its type lacks`
    : `the type of ${L} has ${Extra<L>}, which native/contract.h does not list`
  : L extends keyof Lists
    ? `native/contract.h lists ${L}, which ContractTypes in native.ts lacks`
    : `ContractTypes in native.ts has ${L & string}, which native/contract.h does not list`;
type Failures = Exclude<Agrees<keyof ContractTypes | keyof Lists>, true>;
type Holds<T extends true> = T;
/** Does not compile, and says why, while a type above and native/contract.h disagree. */
export type ContractHolds = Holds<[Failures] extends [never] ? true : Failures>;

let addon: NativeAddon | undefined;

// Test harnesses find the package root here, next to the addon they load.
export { packageRoot };

/** The compiled XDP program the AF_XDP backend loads (built with the addon, binding.gyp). */
export function xdpObjectPath(): string {
  return path.join(packageRoot(), 'build', 'Release', 'pivs_xdp.o');
}

export function loadNative(): NativeAddon {
  if (addon === undefined) {
    const loaded = require(path.join(packageRoot(), 'build', 'Release', 'pivs_native.node')) as NativeAddon;
    const differing = contractDifference(loaded.contract);
    if (differing !== null) {
      throw new Error(`The addon was built from another native/contract.h than src/dataplane/contract.ts `
        + `(its ${differing} differ): rebuild both (npm run build:native && npm run build).`);
    }
    addon = loaded;
  }
  return addon;
}

/** The first part of CONTRACT that the addon's contract export holds otherwise, or null. */
export function contractDifference(native: unknown): string | null {
  const theirs = (typeof native === 'object' && native !== null ? native : {}) as Record<string, unknown>;
  const parts = new Set([...Object.keys(CONTRACT), ...Object.keys(theirs)]);
  for (const part of parts) {
    if (!isDeepStrictEqual(theirs[part], (CONTRACT as Record<string, unknown>)[part])) return part;
  }
  return null;
}
