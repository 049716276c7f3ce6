// The `list` result: the model joined with the dataplane's counters and the estimator's rates.
import { packageRoot } from '../common/package_root';
import type { Config, VirtualService, VirtualServiceKey } from '../config/model';
import type { Counters, DataplaneCounters, RealServerStats, VirtualServiceStats } from '../dataplane/types';
import type { ListResult, VirtualServiceState } from './protocol';
import type { RateEstimator } from './rates';
import { join } from 'node:path';

/** The IPVS version whose behaviour and output pivs follows (ipvsadm prints it in its header). */
export const IPVS_VERSION = '1.2.1';
export const PIVS_VERSION: string = packageVersion();

/**
 * Loaded at run time from the package root: importing package.json would make tsc emit a copy into dist/, which other modules would take
 * for the package root.
 */
function packageVersion(): string {
  try {
    return (require(join(packageRoot(), 'package.json')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export function serviceStatKey(k: VirtualServiceKey): string {
  return `${k.protocol}|${k.address}|${k.port}`;
}

export function realStatKey(k: VirtualServiceKey, address: string): string {
  return `${serviceStatKey(k)}>${address}`;
}

/** Flattens dataplane stats into the estimator's named samples. */
export function statSamples(stats: readonly VirtualServiceStats[]): Map<string, Counters> {
  const samples = new Map<string, Counters>();
  for (const s of stats) {
    samples.set(serviceStatKey(s), countersOf(s));
    for (const r of s.realServers) samples.set(realStatKey(s, r.address), countersOf(r));
  }
  return samples;
}

/**
 * `effective` is the table the dataplane runs: weights are listed as it runs them (ipvsadm shows
 * the kernel's), the configured one as configuredWeight when it differs.
 */
export function buildList(
  config: Config, stats: readonly VirtualServiceStats[], counters: Pick<DataplaneCounters, 'connTableSize' | 'drops'>,
  rates: RateEstimator,
  effective: readonly VirtualService[] = config.virtualServices,
): ListResult {
  const byKey = new Map(stats.map((s) => [serviceStatKey(s), s]));
  const runningByKey = new Map(effective.map((s) => [serviceStatKey(s), s.realServers]));
  const virtualServices: VirtualServiceState[] = config.virtualServices.map((service) => {
    const { realServers, ...settings } = service;
    const st = byKey.get(serviceStatKey(service));
    const realStats = new Map((st?.realServers ?? []).map((r) => [r.address, r]));
    const running = runningByKey.get(serviceStatKey(service)) ?? [];
    const fallbacks = running.filter((r) => !realServers.some((c) => c.address === r.address));
    return {
      ...structuredClone(settings),
      stats: st === undefined ? zeroCounters() : countersOf(st),
      rates: rates.rates(serviceStatKey(service)),
      realServers: [...realServers, ...fallbacks].map(({ healthCheck: _check, ...real }) => {
        const rs: RealServerStats | undefined = realStats.get(real.address);
        const runs = running.find((r) => r.address === real.address);
        const isFallback = fallbacks.some((r) => r.address === real.address);
        return {
          ...real,
          weight: runs?.weight ?? 0,
          ...(runs !== undefined && runs.weight === real.weight ? {} : { configuredWeight: real.weight }),
          ...(runs === undefined ? { removed: true } : {}),
          ...(isFallback ? { fallback: true } : {}),
          stats: rs === undefined ? zeroCounters() : countersOf(rs),
          rates: rates.rates(realStatKey(service, real.address)),
          activeConns: rs?.activeConns ?? 0,
          inactiveConns: rs?.inactiveConns ?? 0,
          persistentConns: rs?.persistentConns ?? 0,
          overloaded: rs?.overloaded ?? false,
          macResolved: rs?.macResolved ?? false,
        };
      }),
    };
  });
  return {
    ipvsVersion: IPVS_VERSION,
    pivsVersion: PIVS_VERSION,
    connTableSize: counters.connTableSize,
    timeouts: { ...config.timeouts },
    virtualServices,
    drops: { ...counters.drops },
  };
}

function countersOf(c: Counters): Counters {
  return { conns: c.conns, inPackets: c.inPackets, inBytes: c.inBytes, outPackets: c.outPackets, outBytes: c.outBytes };
}

function zeroCounters(): Counters {
  return { conns: 0, inPackets: 0, inBytes: 0, outPackets: 0, outBytes: 0 };
}
