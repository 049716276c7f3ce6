// The running director: the current model plus the runtime it drives. Every change goes through
// commit(), which hands the whole new table to the dataplane and the new address sets to ARP,
// and only then makes the new model current.
import { isDeepStrictEqual } from 'node:util';
import type { ArpAddresses } from '../arp';
import type { Logger } from 'pino';
import { connPolicyOf, type Config, type Timeouts, type VirtualService, type VirtualServiceKey } from '../config/model';
import type { ConnectionEntry, Dataplane } from '../dataplane/types';
import { buildList, serviceStatKey, statSamples } from './list';
import type { Command, ErrorBody, ListResult } from './protocol';
import { RateEstimator, SAMPLE_INTERVAL_MS } from './rates';
import { applyCommands, type ZeroTarget } from './state';
import { uncoveredVirtualAddress } from '../config/vrrp';
import { WeightOverrides, type OverrideSource, type RealAvailability, type RealTarget } from './weights';

/** What control/ needs of the ARP service (src/arp's ArpService satisfies it). */
export interface AddressListener {
  setAddresses(a: ArpAddresses): void;
}

export interface DirectorOptions {
  config: Config;
  dataplane: Dataplane;
  arp: AddressListener;
  logger: Logger;
}

/** Sections a reload does not apply: the services built from them run until pivsd restarts. */
export const STARTUP_SECTIONS = ['director', 'agent', 'status', 'vrrp', 'sync', 'heartbeat', 'snmp'] as const satisfies readonly (keyof Config)[];

export class Director {
  private current: Config;
  private readonly dataplane: Dataplane;
  private readonly arp: AddressListener;
  private readonly logger: Logger;
  private readonly estimator = new RateEstimator();
  private readonly overrides = new WeightOverrides();
  private applied: VirtualService[] | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly listAnnotators: ((list: ListResult) => void)[] = [];

  constructor(options: DirectorOptions) {
    this.dataplane = options.dataplane;
    this.arp = options.arp;
    this.logger = options.logger;
    this.current = structuredClone(options.config);
    this.push(this.current, null);
  }

  /** A copy: callers can't change the model behind the director's back. */
  get config(): Config {
    return structuredClone(this.current);
  }

  /** Applies commands all-or-nothing; returns the error of the first refused one, or null. */
  execute(commands: readonly Command[], batch: boolean): ErrorBody | null {
    const result = applyCommands(this.current, commands, batch);
    if (!result.ok) return result.error;
    const error = this.commit(result.config);
    if (error !== null) return error;
    for (const target of result.zero) this.zero(target);
    return null;
  }

  /**
   * Swaps in a reloaded configuration. The sections read only at start (STARTUP_SECTIONS) keep
   * their running values, so what pivsadm checks against (VRRP's addresses, say) is what runs; one
   * warning line names those the file changed.
   */
  replace(config: Config): ErrorBody | null {
    const next: Config = structuredClone(config);
    const changed: string[] = [];
    for (const section of STARTUP_SECTIONS) {
      if (!isDeepStrictEqual(config[section], this.current[section])) changed.push(section);
      if (this.current[section] === undefined) delete next[section];
      else Object.assign(next, { [section]: structuredClone(this.current[section]) });
    }
    for (const service of next.virtualServices) {
      const uncovered = uncoveredVirtualAddress(next.vrrp, service.address);
      if (uncovered !== null && changed.includes('vrrp')) {
        return { code: 'Invalid', message: `${uncovered} (the running one: vrrp changes take effect when pivsd restarts)` };
      }
    }
    const error = this.commit(next);
    if (error === null && changed.length > 0) {
      this.logger.warn({ sections: changed },
        `the file changes ${changed.join(', ')}, read only at start: ${changed.length === 1 ? 'it takes' : 'they take'} effect when pivsd restarts`);
    }
    return error;
  }

  /** A health checker's or an agent's verdict on a real server; the table follows at once. */
  setAvailability(source: OverrideSource, target: RealTarget, availability: RealAvailability): void {
    if (this.overrides.setAvailability(source, target, availability)) this.pushTable(this.current);
  }

  /** An agent-reported weight replacing the configured one (null: back to the configured one). */
  setDynamicWeight(address: string, weight: number | null): void {
    if (this.overrides.setDynamicWeight(address, weight)) this.pushTable(this.current);
  }

  /** A health check's weight for one real server of one service (null: the configured one). */
  setHealthWeight(target: { service: VirtualServiceKey; address: string; port: number }, weight: number | null): void {
    if (this.overrides.setRealWeight(target, weight)) this.pushTable(this.current);
  }

  /** The table as the dataplane runs it (weights after health and agent overrides). */
  effectiveServices(): VirtualService[] {
    return this.overrides.effective(this.current.virtualServices);
  }

  list(): ListResult {
    const result = buildList(this.current, this.dataplane.stats(), this.dataplane.counters(), this.estimator,
      this.effectiveServices());
    for (const annotate of this.listAnnotators) annotate(result);
    return result;
  }

  /** Lets a run-time module (agent/) add its own per-real-server fields to every list result. */
  addListAnnotator(annotate: (list: ListResult) => void): void {
    this.listAnnotators.push(annotate);
  }

  connections(): ConnectionEntry[] {
    return this.dataplane.connections();
  }

  /** The connection table a page at a time, each page read from the dataplane when asked for. */
  *connectionPages(): Generator<ConnectionEntry[], void, undefined> {
    let cursor: number | null = 0;
    while (cursor !== null) {
      const page = this.dataplane.connectionPage(cursor);
      cursor = page.next;
      yield page.entries;
    }
  }

  timeouts(): Timeouts {
    return { ...this.current.timeouts };
  }

  /** One estimator tick; the timer calls it every 2 s, tests call it directly. */
  sampleRates(): void {
    this.estimator.sample(statSamples(this.dataplane.stats()));
  }

  startRates(): void {
    if (this.timer !== null) return;
    this.timer = setInterval(() => this.sampleRates(), SAMPLE_INTERVAL_MS);
    this.timer.unref();
  }

  close(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  private commit(next: Config): ErrorBody | null {
    try {
      this.push(next, this.current);
    } catch (e) {
      // The dataplane refused the table as a whole; the old one stays in force.
      const message = e instanceof Error ? e.message : String(e);
      this.logger.error({ err: e }, 'dataplane refused the new table');
      return { code: 'Internal', message: `the dataplane refused the change: ${message}` };
    }
    this.current = next;
    return null;
  }

  private push(next: Config, previous: Config | null): void {
    this.pushTable(next);
    if (previous === null || !isDeepStrictEqual(next.timeouts, previous.timeouts)) {
      this.dataplane.setTimeouts(next.timeouts);
    }
    const policy = connPolicyOf(next.director);
    if (previous === null || !isDeepStrictEqual(policy, connPolicyOf(previous.director))) {
      this.dataplane.setConnPolicy(policy);
    }
    const addresses = addressSets(next);
    if (previous === null || !isDeepStrictEqual(addresses, addressSets(previous))) this.arp.setAddresses(addresses);
  }

  /** Hands the effective table to the dataplane when it differs from the one it runs. */
  private pushTable(config: Config): void {
    const table = this.overrides.effective(config.virtualServices);
    if (this.applied !== null && isDeepStrictEqual(table, this.applied)) return;
    this.dataplane.apply(table);
    this.applied = table;
  }

  private zero(target: ZeroTarget): void {
    this.dataplane.zero(target);
    if (target === undefined) this.estimator.reset();
    else this.estimator.reset(serviceStatKey(target));
  }
}

export function addressSets(config: Config): ArpAddresses {
  const virtualAddresses = [...new Set(config.virtualServices.map((s) => s.address))];
  // A fallback server is forwarded to like a real server, so its MAC must be resolved too.
  const realAddresses = [...new Set(config.virtualServices.flatMap((s) =>
    [...s.realServers.map((r) => r.address), ...(s.fallback === undefined ? [] : [s.fallback.address])]))];
  const statics = config.director.staticNeighbours ?? [];
  return { virtualAddresses, realAddresses, ...(statics.length > 0 ? { staticNeighbours: statics } : {}) };
}
