// openDataplane(): the typed face of the C++ fast path. Arguments are checked and converted here
// (TypeError/RangeError with one sentence, nothing changed on error) so the addon can trust them.
import { connTableSizeProblem, mhTableSizeProblem } from '../common/limits';
import { INTERFACE_NAME_RULE, isInterfaceName } from '../common/names';
import { DATAPLANE_BACKENDS, type ConnPolicy, type Timeouts, type VirtualService, type VirtualServiceKey } from '../config/model';
import type {
  ConnectionEntry,
  ConnectionPage,
  ConnectionState,
  Dataplane,
  DataplaneCounters,
  DataplaneOptions,
  RealServerStats,
  RunningBackend,
  VirtualServiceStats, SyncOptions,
} from './types';
import { DEFAULT_STATE_DIR } from './types';
import {
  toNativeLoad,
  addressToBytes,
  bytesToAddress,
  macToNumber,
  numberToMac,
  protocolName,
  toNativeKey,
  toNativeServices,
  toNativePolicy,
  unicastMacToNumber,
} from './convert';
import { CONNECTION_RECORD as REC, CONNECTION_RECORD_SIZE } from './contract';
import { loadNative, xdpObjectPath } from './native';
import type { NativeConnectionPage, NativeCounters, NativeDataplane } from './native';

export type * from './types';

/** connections() lists at most this many entries. */
export const MAX_LISTED_CONNECTIONS = 1 << 20;
/** connectionPage()'s default and largest page. */
export const CONNECTION_PAGE = 1024;
const MAX_CONNECTION_PAGE = 65536;
const MAX_WORKERS = 64;

function checkOptions(o: DataplaneOptions): void {
  if (typeof o !== 'object' || o === null) throw new TypeError('Dataplane options must be an object.');
  if (o.interface !== null && !isInterfaceName(o.interface)) {
    throw new TypeError(`The dataplane interface must be null or an interface name (${INTERFACE_NAME_RULE}).`);
  }
  if (o.backend !== undefined && !(DATAPLANE_BACKENDS as readonly string[]).includes(o.backend)) {
    throw new TypeError(`The dataplane backend must be one of ${DATAPLANE_BACKENDS.join(', ')}.`);
  }
  if (!Number.isInteger(o.workers) || o.workers < 1 || o.workers > MAX_WORKERS) {
    throw new RangeError(`Dataplane workers must be an integer between 1 and ${MAX_WORKERS}.`);
  }
  const connTableProblem = connTableSizeProblem(o.connTableSize);
  if (connTableProblem !== undefined) throw new RangeError(`connTableSize: ${connTableProblem}.`);
  if (o.stateDir !== undefined && o.stateDir !== null && (typeof o.stateDir !== 'string' || !o.stateDir.startsWith('/'))) {
    throw new TypeError('The dataplane state directory must be an absolute path or null.');
  }
  const mhTableProblem = mhTableSizeProblem(o.mhTableSize);
  if (mhTableProblem !== undefined) throw new RangeError(`mhTableSize: ${mhTableProblem}.`);
}

function counters(c: NativeCounters) {
  return {
    conns: c.conns,
    inPackets: c.inpkts,
    inBytes: c.inbytes,
    outPackets: c.outpkts,
    outBytes: c.outbytes,
  };
}

function connectionEntries(page: NativeConnectionPage): ConnectionEntry[] {
  const r = page.records;
  const out: ConnectionEntry[] = [];
  for (let i = 0, o = 0; i < page.count; i++, o += CONNECTION_RECORD_SIZE) {
    const protocol = protocolName(r[o + REC.proto]);
    const family = r[o + REC.family];
    const template = r[o + REC.isTemplate] === 1;
    out.push({
      protocol,
      clientAddress: bytesToAddress(family, r, o + REC.caddr),
      clientPort: r.readUInt16LE(o + REC.cport),
      virtualAddress: bytesToAddress(family, r, o + REC.vaddr),
      virtualPort: r.readUInt16LE(o + REC.vport),
      realAddress: bytesToAddress(family, r, o + REC.raddr),
      realPort: r.readUInt16LE(o + REC.rport),
      state: (protocol === 'udp' && !template ? 'UDP' : page.states[r[o + REC.state]]) as ConnectionState,
      expiresMs: r.readDoubleLE(o + REC.expiresMs),
      template,
    });
  }
  return out;
}

function seconds(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0x7fffffff / 1000) {
    throw new RangeError(`The ${what} timeout must be a whole number of seconds (0 keeps the current value).`);
  }
  return value;
}

class NativeBackedDataplane implements Dataplane {
  /** Changes only with setInterface(). */
  mac: string;
  private closed = false;
  private readonly controlHandlers: Array<(frames: Buffer[]) => void> = [];
  private readonly syncHandlers: Array<(messages: Buffer[]) => void> = [];
  private syncConfigured = false;

  constructor(private readonly native: NativeDataplane, private readonly workers = 1) {
    this.mac = numberToMac(native.mac);
  }

  backend(): RunningBackend {
    return this.native.backend();
  }

  setInterface(name: string): void {
    this.checkOpen();
    if (!isInterfaceName(name)) {
      throw new TypeError(`setInterface() takes an interface name (${INTERFACE_NAME_RULE}).`);
    }
    this.native.setInterface(name, this.workers);
    this.mac = numberToMac(this.native.mac);
    // The old threads end within their 100 ms poll; their sockets close a little after.
    setTimeout(() => { if (!this.closed) this.native.releaseRetired(); }, 250).unref();
  }

  apply(services: readonly VirtualService[]): void {
    this.native.apply(toNativeServices(services));
  }

  setTimeouts(timeouts: Timeouts): void {
    if (typeof timeouts !== 'object' || timeouts === null) throw new TypeError('setTimeouts() takes { tcp, tcpfin, udp }.');
    this.native.setTimeouts(
      seconds(timeouts.tcp, 'tcp'),
      seconds(timeouts.tcpfin, 'tcpfin'),
      seconds(timeouts.udp, 'udp'),
    );
  }

  setConnPolicy(policy: ConnPolicy): void {
    this.native.setConnPolicy(toNativePolicy(policy, this.native.counters().connTableSize));
  }

  setNeighbour(address: string, mac: string | null): void {
    const { family, addr } = addressToBytes(address, 'The neighbour address');
    this.native.setNeighbour(family, addr, mac === null ? 0 : macToNumber(mac));
  }

  stats(): VirtualServiceStats[] {
    return this.native.stats().map((s) => ({
      protocol: protocolName(s.proto),
      address: bytesToAddress(s.family, s.addr),
      port: s.port,
      ...counters(s),
      realServers: s.reals.map((r): RealServerStats => ({
        address: bytesToAddress(r.family, r.addr),
        port: r.port,
        ...counters(r),
        activeConns: r.activeConns,
        inactiveConns: r.inactConns,
        persistentConns: r.persistConns,
        overloaded: r.overloaded,
        macResolved: r.macResolved,
      })),
    }));
  }

  connections(): ConnectionEntry[] {
    const all: ConnectionEntry[] = [];
    let cursor: number | null = 0;
    while (cursor !== null && all.length < MAX_LISTED_CONNECTIONS) {
      const page = this.connectionPage(cursor, Math.min(MAX_CONNECTION_PAGE, MAX_LISTED_CONNECTIONS - all.length));
      for (const e of page.entries) all.push(e);
      cursor = page.next;
    }
    return all;
  }

  connectionPage(cursor: number, limit = CONNECTION_PAGE): ConnectionPage {
    if (!Number.isSafeInteger(cursor) || cursor < 0) {
      throw new RangeError('connectionPage() takes a cursor from a previous page (0 to start).');
    }
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_CONNECTION_PAGE) {
      throw new RangeError(`A connection page holds 1 to ${MAX_CONNECTION_PAGE} entries.`);
    }
    const page = this.native.connections(cursor, limit);
    return { entries: connectionEntries(page), next: page.next < 0 ? null : page.next };
  }

  zero(service?: VirtualServiceKey): void {
    this.native.zero(service === undefined ? null : toNativeKey(service));
  }

  counters(): DataplaneCounters {
    const { syncSkipped, syncDropped: _dropped, expiryChecks: _checks, ...base } = this.native.counters();
    return this.syncConfigured ? { ...base, syncSkipped } : base;
  }

  simulate(frame: Buffer, nowMs?: number): Buffer | null {
    this.checkOpen();
    if (!Buffer.isBuffer(frame)) throw new TypeError('simulate() takes the frame as a Buffer.');
    if (nowMs !== undefined && (typeof nowMs !== 'number' || !Number.isFinite(nowMs) || nowMs < 0)) {
      throw new RangeError('simulate() nowMs must be a non-negative number of milliseconds.');
    }
    return this.native.simulate(frame, nowMs === undefined ? -1 : Math.floor(nowMs));
  }

  sendFrame(frame: Buffer): void {
    this.checkOpen();
    if (!Buffer.isBuffer(frame) || frame.length < 14 || frame.length > 65535) {
      throw new TypeError('sendFrame() takes one whole Ethernet frame as a Buffer (14 to 65535 bytes).');
    }
    this.native.sendFrame(frame);
  }

  onControlFrames(handler: (frames: Buffer[]) => void): void {
    this.checkOpen();
    if (typeof handler !== 'function') throw new TypeError('onControlFrames() takes a function.');
    // One native subscription fans out to every module that listens (arp/, vrrp/).
    if (this.controlHandlers.length === 0) {
      this.native.onControlFrames((frames: Buffer[]) => {
        for (const h of this.controlHandlers) h(frames);
      });
    }
    this.controlHandlers.push(handler);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.native.close();
  }

  setActiveAddresses(addresses: readonly string[] | null): void {
    this.checkOpen();
    if (addresses === null) {
      this.native.setActiveAddresses(null);
      return;
    }
    if (!Array.isArray(addresses)) {
      throw new TypeError('setActiveAddresses() takes an array of IP address strings, or null for all.');
    }
    this.native.setActiveAddresses(addresses.map((a) => addressToBytes(a, 'The active virtual address')));
  }

  addMacAddress(mac: string): void {
    this.checkOpen();
    this.native.addMacAddress(unicastMacToNumber(mac));
  }

  removeMacAddress(mac: string): void {
    this.checkOpen();
    this.native.removeMacAddress(unicastMacToNumber(mac));
  }

  configureSync(options: SyncOptions): void {
    this.checkOpen();
    const o = checkSyncOptions(options);
    this.native.configureSync(o.syncId, o.maxMessageSize, o.flushDelayMs, o.threshold, o.period);
    this.syncConfigured = true;
  }

  onSyncMessages(handler: (messages: Buffer[]) => void): void {
    this.checkOpen();
    if (typeof handler !== 'function') throw new TypeError('onSyncMessages() takes a function.');
    // One native subscription fans out to every module that listens.
    if (this.syncHandlers.length === 0) {
      this.native.onSyncMessages((messages: Buffer[]) => this.deliverSync(messages));
    }
    this.syncHandlers.push(handler);
  }

  installSync(message: Buffer): number {
    this.checkOpen();
    if (!Buffer.isBuffer(message)) throw new TypeError('installSync() takes one sync message as a Buffer.');
    return this.native.installSync(message);
  }

  exportSync(): Buffer[] {
    this.checkOpen();
    return this.native.exportSync();
  }

  /** See flushSync() below. */
  flushSyncNow(): void {
    this.checkOpen();
    const messages = this.native.flushSync();
    if (messages.length > 0) this.deliverSync(messages);
  }

  private deliverSync(messages: Buffer[]): void {
    for (const h of this.syncHandlers) h(messages);
  }

  setLoad(address: string, load: number | null): void {
    this.checkOpen();
    const { family, addr } = addressToBytes(address, 'The load report address');
    this.native.setLoad(family, addr, toNativeLoad(load));
  }

  private checkOpen(): void {
    if (this.closed) throw new Error('The dataplane is closed; open a new one.');
  }
}

const SYNC_LIMITS = {
  syncId: [0, 255],
  // 8-byte header + one 72-byte IPv6 record at least; at most a whole UDP/IPv4 payload.
  maxMessageSize: [80, 65507],
  flushDelayMs: [0, 60_000],
  threshold: [0, 65535],
  period: [0, 65535],
} as const;

function checkSyncOptions(o: SyncOptions): SyncOptions {
  if (typeof o !== 'object' || o === null) throw new TypeError('configureSync() takes an options object.');
  for (const [name, [min, max]] of Object.entries(SYNC_LIMITS)) {
    const v = (o as unknown as Record<string, unknown>)[name];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      throw new RangeError(`Sync option ${name} must be an integer between ${min} and ${max}.`);
    }
  }
  if (o.period > 0 && o.threshold >= o.period) {
    throw new RangeError('The sync threshold must be below the sync period, as IPVS requires (e.g. 3 and 50).');
  }
  return o;
}

/**
 * Seals the partly filled sync message now and hands every waiting message to the onSyncMessages
 * handlers synchronously, instead of after the flush delay (tests, and a clean shutdown).
 */
export function flushSync(dataplane: Dataplane): void {
  if (!(dataplane instanceof NativeBackedDataplane)) {
    throw new TypeError('flushSync() takes a dataplane made by openDataplane().');
  }
  dataplane.flushSyncNow();
}

/**
 * Opens the fast path. With an interface it starts the ring workers at once (needs CAP_NET_RAW
 * and turns GRO/LRO/GSO/TSO off on that interface); with interface null only simulate() drives it.
 */
export function openDataplane(options: DataplaneOptions): Dataplane {
  checkOptions(options);
  const { Dataplane: NativeCtor } = loadNative();
  return new NativeBackedDataplane(
    new NativeCtor(options.interface, options.workers, options.connTableSize, options.mhTableSize,
      options.stateDir === undefined ? DEFAULT_STATE_DIR : options.stateDir,
      { backend: options.backend ?? 'af_packet', xdpObject: xdpObjectPath() }),
    options.workers,
  );
}
