// openDataplane(): the typed face of the C++ fast path. Arguments are checked and converted here
// (TypeError/RangeError with one sentence, nothing changed on error) so the addon can trust them.
import type { Timeouts, VirtualService, VirtualServiceKey } from '../config/model';
import type {
  ConnectionEntry,
  ConnectionState,
  Dataplane,
  DataplaneCounters,
  DataplaneOptions,
  RealServerStats,
  VirtualServiceStats, SyncOptions,
} from './types';
import {
  addressToBytes,
  bytesToAddress,
  macToNumber,
  numberToMac,
  protocolName,
  toNativeKey,
  toNativeServices,
} from './convert';
import { loadNative } from './native';
import type { NativeCounters, NativeDataplane } from './native';

export type * from './types';

/** connections() walks the table up to this many entries per call. */
export const MAX_LISTED_CONNECTIONS = 1 << 20;
const MAX_CONN_TABLE = 1 << 28;
const MAX_WORKERS = 64;

function checkOptions(o: DataplaneOptions): void {
  if (typeof o !== 'object' || o === null) throw new TypeError('Dataplane options must be an object.');
  if (o.interface !== null && (typeof o.interface !== 'string' || o.interface === '' || o.interface.length > 15)) {
    throw new TypeError('The dataplane interface must be an interface name (1-15 characters) or null.');
  }
  if (!Number.isInteger(o.workers) || o.workers < 1 || o.workers > MAX_WORKERS) {
    throw new RangeError(`Dataplane workers must be an integer between 1 and ${MAX_WORKERS}.`);
  }
  if (!Number.isInteger(o.connTableSize) || o.connTableSize < 16 || o.connTableSize > MAX_CONN_TABLE) {
    throw new RangeError(`The connection table size must be an integer between 16 and ${MAX_CONN_TABLE}.`);
  }
  if (!Number.isInteger(o.mhTableSize) || o.mhTableSize < 2 || o.mhTableSize > 0xffffff || !isPrime(o.mhTableSize)) {
    throw new RangeError('The Maglev table size must be a prime number (65537 is the default).');
  }
}

function isPrime(n: number): boolean {
  if (n < 2) return false;
  for (let d = 2; d * d <= n; d++) if (n % d === 0) return false;
  return true;
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

function seconds(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0x7fffffff / 1000) {
    throw new RangeError(`The ${what} timeout must be a whole number of seconds (0 keeps the current value).`);
  }
  return value;
}

class NativeBackedDataplane implements Dataplane {
  readonly mac: string;
  private closed = false;
  private readonly controlHandlers: Array<(frames: Buffer[]) => void> = [];

  constructor(private readonly native: NativeDataplane) {
    this.mac = numberToMac(native.mac);
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
    return this.native.connections(MAX_LISTED_CONNECTIONS).map((c) => {
      const protocol = protocolName(c.proto);
      const state = (protocol === 'udp' && !c.template ? 'UDP' : c.state) as ConnectionState;
      return {
        protocol,
        clientAddress: bytesToAddress(c.family, c.caddr),
        clientPort: c.cport,
        virtualAddress: bytesToAddress(c.family, c.vaddr),
        virtualPort: c.vport,
        realAddress: bytesToAddress(c.family, c.raddr),
        realPort: c.rport,
        state,
        expiresMs: c.expiresMs,
        template: c.template,
      };
    });
  }

  zero(service?: VirtualServiceKey): void {
    this.native.zero(service === undefined ? null : toNativeKey(service));
  }

  counters(): DataplaneCounters {
    return this.native.counters();
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

  // Filled in by the high-availability and agent work (see types.ts); until then they say so.
  setActiveAddresses(_addresses: readonly string[] | null): void {
    throw new Error('setActiveAddresses() is not implemented yet.');
  }

  addMacAddress(_mac: string): void {
    throw new Error('addMacAddress() is not implemented yet.');
  }

  removeMacAddress(_mac: string): void {
    throw new Error('removeMacAddress() is not implemented yet.');
  }

  configureSync(_options: SyncOptions): void {
    throw new Error('configureSync() is not implemented yet.');
  }

  onSyncMessages(_handler: (messages: Buffer[]) => void): void {
    throw new Error('onSyncMessages() is not implemented yet.');
  }

  installSync(_message: Buffer): number {
    throw new Error('installSync() is not implemented yet.');
  }

  exportSync(): Buffer[] {
    throw new Error('exportSync() is not implemented yet.');
  }

  setLoad(_address: string, _load: number | null): void {
    throw new Error('setLoad() is not implemented yet.');
  }

  private checkOpen(): void {
    if (this.closed) throw new Error('The dataplane is closed; open a new one.');
  }
}

/**
 * Opens the fast path. With an interface it starts the ring workers at once (needs CAP_NET_RAW
 * and turns GRO/LRO/GSO/TSO off on that interface); with interface null only simulate() drives it.
 */
export function openDataplane(options: DataplaneOptions): Dataplane {
  checkOptions(options);
  const { Dataplane: NativeCtor } = loadNative();
  return new NativeBackedDataplane(
    new NativeCtor(options.interface, options.workers, options.connTableSize, options.mhTableSize),
  );
}
