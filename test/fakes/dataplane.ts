// In-memory Dataplane for tests: records every call and reports stats consistent with the last
// applied table. Counters are set by the test (setCounters) to drive rates and listings.
import type { ConnPolicy, Timeouts, VirtualService, VirtualServiceKey } from '../../src/config/model';
import { zeroDrops } from '../../src/dataplane/types';
import type {
  ConnectionEntry, ConnectionPage, Counters, Dataplane, DataplaneCounters, DataplaneOptions, RealServerStats,
  RunningBackend, SyncOptions, VirtualServiceStats,
} from '../../src/dataplane/types';

const ZERO: Counters = { conns: 0, inPackets: 0, inBytes: 0, outPackets: 0, outBytes: 0 };

function keyOf(k: VirtualServiceKey): string {
  return `${k.protocol}|${k.address}|${k.port}`;
}

export class FakeDataplane implements Dataplane {
  mac = '02:00:00:00:00:01';
  /** Every interface passed to setInterface(), in order; the MAC becomes 02:00:00:00:01:<n>. */
  readonly interfaces: string[] = [];
  /** Every table passed to apply(), deep-copied, in call order. */
  readonly applied: VirtualService[][] = [];
  readonly timeoutsSet: Timeouts[] = [];
  readonly policiesSet: ConnPolicy[] = [];
  readonly neighbours = new Map<string, string | null>();
  readonly zeroCalls: (VirtualServiceKey | undefined)[] = [];
  readonly sentFrames: Buffer[] = [];
  closed = false;
  conns: ConnectionEntry[] = [];
  /** Every connectionPage() call's cursor, in order. */
  readonly pageCursors: number[] = [];
  private table: VirtualService[] = [];
  private readonly counts = new Map<string, Counters>();
  private readonly controlHandlers: Array<(frames: Buffer[]) => void> = [];
  private readonly syncHandlers: Array<(messages: Buffer[]) => void> = [];
  /** null = every virtual service forwarded. */
  activeAddresses: string[] | null = null;
  readonly macAddresses = new Set<string>();
  syncOptions: SyncOptions | null = null;
  /** Messages passed to installSync(), in order; exportSync() returns exported. */
  readonly installed: Buffer[] = [];
  exported: Buffer[] = [];
  readonly loads = new Map<string, number | null>();

  constructor(readonly options: DataplaneOptions = {
    interface: null, workers: 1, connTableSize: 4096, mhTableSize: 65537,
  }) {}

  backend(): RunningBackend {
    return { backend: null, xdpMode: '', fallback: '' };
  }

  setInterface(name: string): void {
    this.interfaces.push(name);
    this.mac = `02:00:00:00:01:${this.interfaces.length.toString(16).padStart(2, '0')}`;
  }

  apply(services: readonly VirtualService[]): void {
    this.table = structuredClone([...services]);
    this.applied.push(structuredClone([...services]));
  }

  setTimeouts(timeouts: Timeouts): void {
    this.timeoutsSet.push({ ...timeouts });
  }

  setConnPolicy(policy: ConnPolicy): void {
    this.policiesSet.push({ ...policy });
  }

  setNeighbour(address: string, mac: string | null): void {
    this.neighbours.set(address, mac);
  }

  /** Sets the counters of a service (real omitted) or of one of its real servers. */
  setCounters(key: VirtualServiceKey, counters: Partial<Counters>, realAddress?: string): void {
    const k = realAddress === undefined ? keyOf(key) : `${keyOf(key)}>${realAddress}`;
    this.counts.set(k, { ...ZERO, ...this.counts.get(k), ...counters });
  }

  stats(): VirtualServiceStats[] {
    return this.table.map((s) => {
      const realServers: RealServerStats[] = s.realServers.map((r) => ({
        ...ZERO,
        ...this.counts.get(`${keyOf(s)}>${r.address}`),
        address: r.address,
        port: r.port,
        activeConns: 0,
        inactiveConns: 0,
        persistentConns: 0,
        overloaded: false,
        macResolved: typeof this.neighbours.get(r.address) === 'string',
      }));
      return {
        ...ZERO, ...this.counts.get(keyOf(s)), protocol: s.protocol, address: s.address, port: s.port, realServers,
      };
    });
  }

  connections(): ConnectionEntry[] {
    return this.conns.map((c) => ({ ...c }));
  }

  /** Pages over `conns`, the cursor an index into it. */
  connectionPage(cursor: number, limit = 1024): ConnectionPage {
    this.pageCursors.push(cursor);
    const entries = this.conns.slice(cursor, cursor + limit).map((c) => ({ ...c }));
    const next = cursor + limit;
    return { entries, next: next < this.conns.length ? next : null };
  }

  zero(service?: VirtualServiceKey): void {
    this.zeroCalls.push(service === undefined ? undefined : { ...service });
    for (const k of [...this.counts.keys()]) {
      if (service === undefined || k === keyOf(service) || k.startsWith(`${keyOf(service)}>`)) {
        this.counts.set(k, { ...ZERO });
      }
    }
  }

  counters(): DataplaneCounters {
    return {
      rxPackets: 0, txPackets: 0, ignored: 0, dropped: 0,
      drops: zeroDrops(),
      connections: this.conns.length, connTableSize: this.options.connTableSize,
    };
  }

  simulate(): Buffer | null {
    return null;
  }

  sendFrame(frame: Buffer): void {
    this.sentFrames.push(Buffer.from(frame));
  }

  onControlFrames(handler: (frames: Buffer[]) => void): void {
    this.controlHandlers.push(handler);
  }

  /** Delivers frames as if the fast path had handed them up. */
  emitControlFrames(frames: Buffer[]): void {
    for (const h of this.controlHandlers) h(frames);
  }

  close(): void {
    this.closed = true;
  }

  setActiveAddresses(addresses: readonly string[] | null): void {
    this.activeAddresses = addresses === null ? null : [...addresses];
  }

  addMacAddress(mac: string): void {
    this.macAddresses.add(mac);
  }

  removeMacAddress(mac: string): void {
    this.macAddresses.delete(mac);
  }

  configureSync(options: SyncOptions): void {
    this.syncOptions = { ...options };
  }

  onSyncMessages(handler: (messages: Buffer[]) => void): void {
    this.syncHandlers.push(handler);
  }

  /** Delivers sync messages as if the fast path had built them. */
  emitSyncMessages(messages: Buffer[]): void {
    for (const h of this.syncHandlers) h(messages);
  }

  installSync(message: Buffer): number {
    this.installed.push(Buffer.from(message));
    return 1;
  }

  exportSync(): Buffer[] {
    return this.exported.map((b) => Buffer.from(b));
  }

  setLoad(address: string, load: number | null): void {
    this.loads.set(address, load);
  }
}
