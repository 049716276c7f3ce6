// One reading of every source, with stable row indexes attached. Both MIB mappings and the
// notification diff work from a snapshot, so a walk and a notification agree on row numbers.
import { serviceStatKey } from '../control/list';
import type { Counters, DropCounts } from '../dataplane/types';
import type { Rates } from '../control/protocol';
import { IndexAllocator } from './indexes';
import type {
  HealthState, LinkView, SnmpSources, SyncCountersView, VrrpGlobalStats, VrrpInstanceView,
} from './sources';

export interface ServiceRow {
  index: number;
  protocol: 'tcp' | 'udp';
  address: string;
  port: number;
  scheduler: string;
  persistence: number;
  stats: Counters;
  rates: Rates;
  realServerCount: number;
}

export interface RealRow {
  serviceIndex: number;
  index: number;
  address: string;
  port: number;
  weight: number;
  effectiveWeight: number;
  health: HealthState;
  activeConns: number;
  inactiveConns: number;
  persistentConns: number;
  stats: Counters;
  rates: Rates;
  agentLoad: number;
}

export interface LinkRow extends LinkView {
  index: number;
}

export interface Snapshot {
  version: string;
  connTableSize: number;
  services: ServiceRow[];
  reals: RealRow[];
  sync: SyncCountersView;
  links: LinkRow[];
  vrrp: VrrpInstanceView[];
  vrrpGlobal: VrrpGlobalStats;
  drops: DropCounts;
}

export const ZERO_SYNC: SyncCountersView = {
  sentMessages: 0, sentConnections: 0, receivedMessages: 0, receivedConnections: 0, errors: 0, peers: 0,
};

export class SnapshotTaker {
  private readonly serviceIndexes = new IndexAllocator();
  private readonly realIndexes = new IndexAllocator();
  private readonly linkIndexes = new IndexAllocator();

  constructor(private readonly sources: SnmpSources) {}

  take(): Snapshot {
    const { sources } = this;
    const list = sources.list();
    const services: ServiceRow[] = [];
    const reals: RealRow[] = [];
    for (const s of list.virtualServices) {
      const serviceIndex = this.serviceIndexes.indexOf(serviceStatKey(s));
      services.push({
        index: serviceIndex,
        protocol: s.protocol,
        address: s.address,
        port: s.port,
        scheduler: s.scheduler,
        persistence: s.persistence?.timeout ?? 0,
        stats: s.stats,
        rates: s.rates,
        realServerCount: s.realServers.length,
      });
      for (const r of s.realServers) {
        const extras = sources.realServerExtras?.(s, { address: r.address, port: r.port }) ?? {};
        reals.push({
          serviceIndex,
          index: this.realIndexes.indexOf(`${serviceStatKey(s)}>${r.address}|${r.port}`),
          address: r.address,
          port: r.port,
          // The list's weight is what the dataplane runs; configuredWeight is there when they differ.
          weight: r.configuredWeight ?? r.weight,
          effectiveWeight: extras.effectiveWeight ?? (r.removed === true ? 0 : r.weight),
          health: extras.health ?? r.health?.state ?? 'unknown',
          activeConns: r.activeConns,
          inactiveConns: r.inactiveConns,
          persistentConns: r.persistentConns,
          stats: r.stats,
          rates: r.rates,
          agentLoad: extras.agentLoad ?? r.agent?.loadIndex ?? 0,
        });
      }
    }
    services.sort((a, b) => a.index - b.index);
    reals.sort((a, b) => a.serviceIndex - b.serviceIndex || a.index - b.index);
    const links = (sources.links?.() ?? [])
      .map((l) => ({ ...l, index: this.linkIndexes.indexOf(l.name) }))
      .sort((a, b) => a.index - b.index);
    return {
      version: list.pivsVersion,
      connTableSize: list.connTableSize,
      services,
      reals,
      sync: sources.sync?.() ?? ZERO_SYNC,
      links,
      vrrp: sources.vrrp?.() ?? [],
      vrrpGlobal: sources.vrrpGlobal?.() ?? { checksumErrors: 0, versionErrors: 0, vrIdErrors: 0 },
      drops: list.drops,
    };
  }
}
