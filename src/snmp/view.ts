// What both transports serve: the two modules' values from one snapshot, kept for a short while
// so a walk (hundreds of GetNext requests) reads the sources once a second, not once per request.
import { PIVS_MIB, VRRPV3_MIB } from './oids';
import { pivsValues } from './pivs_mib';
import { SnapshotTaker, type Snapshot } from './snapshot';
import type { SnmpSources } from './sources';
import type { Value } from './values';
import { REFRESH_RATE_MS, vrrpv3Values } from './vrrpv3_mib';

export const SERVED_ROOTS: readonly string[] = [VRRPV3_MIB, PIVS_MIB];

export interface ViewOptions {
  /** How long one snapshot is served (default REFRESH_RATE_MS, as vrrpv3StatisticsRefreshRate says). */
  cacheMs?: number;
  /** Monotonic ms (default performance.now): cache ages and up-times must not follow the wall clock. */
  now?: () => number;
  /** When sysUpTime was 0, for vrrpv3OperationsUpTime, on the same clock as upSinceMs (default: process start). */
  startMs?: number;
}

export class MibView {
  private readonly taker: SnapshotTaker;
  private readonly cacheMs: number;
  private readonly now: () => number;
  readonly startMs: number;
  private cached: { at: number; snapshot: Snapshot; values: Value[] } | null = null;

  constructor(sources: SnmpSources, options: ViewOptions = {}) {
    this.taker = new SnapshotTaker(sources);
    this.cacheMs = options.cacheMs ?? REFRESH_RATE_MS;
    this.now = options.now ?? (() => performance.now());
    this.startMs = options.startMs ?? performance.now() - process.uptime() * 1000;
  }

  /** A fresh snapshot (bypassing the cache), for the notification poller. */
  fresh(): Snapshot {
    return this.taker.take();
  }

  /** The served values; `changed` says whether they were re-read since the last call. */
  values(): { values: Value[]; changed: boolean } {
    const at = this.now();
    if (this.cached !== null && at - this.cached.at < this.cacheMs) return { values: this.cached.values, changed: false };
    const snapshot = this.taker.take();
    const values = [...vrrpv3Values(snapshot, this.startMs), ...pivsValues(snapshot)];
    this.cached = { at, snapshot, values };
    return { values, changed: true };
  }
}
