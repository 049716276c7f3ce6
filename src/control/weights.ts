// What the running table looks like once run-time knowledge is laid over the configured one:
// health checks and agents can take a real server out of new scheduling (weight 0, or out of
// the table), and agents can replace its configured weight. The configured model stays as the
// operator wrote it (pivsadm -S saves it); the dataplane gets the effective table.
import type { RealServer, VirtualService, VirtualServiceKey } from '../config/model';

/** Who took a real server out: each source's verdict is kept apart, any one of them suffices. */
export type OverrideSource = 'health' | 'agent';

/** quiescent: weight 0, established connections continue; removed: out of the table entirely. */
export type RealAvailability = 'up' | 'quiescent' | 'removed';

/** A real server of one service, or (service undefined) that address in every service. */
export interface RealTarget {
  service?: VirtualServiceKey;
  address: string;
  port?: number;
}

function serviceKey(k: VirtualServiceKey): string {
  return `${k.protocol}|${k.address}|${k.port}`;
}

function realKey(service: VirtualServiceKey | undefined, address: string, port: number | undefined): string {
  return `${service === undefined ? '*' : serviceKey(service)}|${address}|${port ?? '*'}`;
}

export class WeightOverrides {
  private readonly availability = new Map<string, Map<OverrideSource, RealAvailability>>();
  private readonly dynamicWeights = new Map<string, number>();
  /** Weights a health check set for one real server of one service (keepalived misc_dynamic). */
  private readonly realWeights = new Map<string, number>();

  /** Returns whether anything changed. */
  setAvailability(source: OverrideSource, target: RealTarget, availability: RealAvailability): boolean {
    const key = realKey(target.service, target.address, target.port);
    const bySource = this.availability.get(key) ?? new Map<OverrideSource, RealAvailability>();
    if ((bySource.get(source) ?? 'up') === availability) return false;
    if (availability === 'up') bySource.delete(source);
    else bySource.set(source, availability);
    if (bySource.size === 0) this.availability.delete(key);
    else this.availability.set(key, bySource);
    return true;
  }

  /** An agent-reported weight for every service's real server at that address; null: configured. */
  setDynamicWeight(address: string, weight: number | null): boolean {
    if ((this.dynamicWeights.get(address) ?? null) === weight) return false;
    if (weight === null) this.dynamicWeights.delete(address);
    else this.dynamicWeights.set(address, weight);
    return true;
  }

  /** A health-check weight for one real server of one service; null: back to the other weights. */
  setRealWeight(target: { service: VirtualServiceKey; address: string; port: number }, weight: number | null): boolean {
    const key = realKey(target.service, target.address, target.port);
    if ((this.realWeights.get(key) ?? null) === weight) return false;
    if (weight === null) this.realWeights.delete(key);
    else this.realWeights.set(key, weight);
    return true;
  }

  /** The worst verdict any source holds for this real server of this service. */
  availabilityOf(service: VirtualServiceKey, real: RealServer): RealAvailability {
    let worst: RealAvailability = 'up';
    for (const key of [
      realKey(service, real.address, real.port), realKey(service, real.address, undefined),
      realKey(undefined, real.address, real.port), realKey(undefined, real.address, undefined),
    ]) {
      for (const a of this.availability.get(key)?.values() ?? []) {
        if (a === 'removed' || (a === 'quiescent' && worst === 'up')) worst = a;
      }
    }
    return worst;
  }

  weightOf(service: VirtualServiceKey & { dynamicWeights?: boolean }, real: RealServer): number | null {
    const availability = this.availabilityOf(service, real);
    if (availability === 'removed') return null;
    if (availability === 'quiescent') return 0;
    // The per-service health weight is the more specific verdict, so it beats the agent's.
    return this.realWeights.get(realKey(service, real.address, real.port))
      // Agent weights only reach services that asked for them (dynamicWeights: true).
      ?? (service.dynamicWeights === true ? this.dynamicWeights.get(real.address) : undefined) ?? real.weight;
  }

  /** The table the dataplane runs: weights as overridden, removed real servers left out. */
  effective(services: readonly VirtualService[]): VirtualService[] {
    return services.map((service) => {
      const realServers = service.realServers.flatMap((real) => {
        const weight = this.weightOf(service, real);
        if (weight === null) return [];
        return this.availabilityOf(service, real) === 'quiescent' ? [{ ...real, weight, down: true as const }] : [{ ...real, weight }];
      });
      // ldirectord's fallback: in the table only while no real server can take a new connection.
      const fallback = service.fallback;
      if (fallback !== undefined && !realServers.some((r) => r.weight > 0)) {
        realServers.push({
          address: fallback.address, port: fallback.port, forward: 'dr', weight: 1, upperThreshold: 0, lowerThreshold: 0,
        });
      }
      return { ...service, realServers };
    });
  }
}
