// GET /metrics: the status document as Prometheus series. A private registry whose metrics fill
// themselves in collect() from the document built for this scrape: nothing runs between scrapes.
import { Counter, Gauge, Registry } from 'prom-client';
import { DROP_REASONS, type Counters } from '../dataplane/types';
import { ADVERT_DROP_REASONS } from '../vrrp/validate';
import type {
  AgentStatus, HeartbeatStatus, RealServerDocument, StatusDocument, SyncStatus, VirtualServiceDocument,
} from './model';

type Labels = Record<string, string>;
type Sample = [Labels, number];

interface MetricSpec {
  name: string;
  help: string;
  type: 'counter' | 'gauge';
  labelNames: readonly string[];
  samples(doc: StatusDocument): Sample[];
}

const SERVICE_LABELS = ['protocol', 'address', 'port'] as const;
const REAL_LABELS = [...SERVICE_LABELS, 'real'] as const;

function serviceLabels(s: VirtualServiceDocument): Labels {
  return { protocol: s.protocol, address: s.address, port: String(s.port) };
}

function perService(value: (s: VirtualServiceDocument) => number) {
  return (doc: StatusDocument): Sample[] => doc.virtualServices.map((s) => [serviceLabels(s), value(s)]);
}

function perReal(value: (r: RealServerDocument) => number | null) {
  return (doc: StatusDocument): Sample[] => doc.virtualServices.flatMap((s) => s.realServers.flatMap((r): Sample[] => {
    const v = value(r);
    return v === null ? [] : [[{ ...serviceLabels(s), real: r.address }, v]];
  }));
}

const COUNTER_FIELDS: [keyof Counters, string, string][] = [
  ['conns', 'connections_total', 'Connections scheduled'],
  ['inPackets', 'packets_in_total', 'Packets received from clients'],
  ['inBytes', 'bytes_in_total', 'Bytes received from clients'],
  ['outPackets', 'packets_out_total', 'Packets sent to clients (always 0 with direct routing)'],
  ['outBytes', 'bytes_out_total', 'Bytes sent to clients (always 0 with direct routing)'],
];

const RATE_FIELDS: ['cps' | 'inPps' | 'inBps', string, string][] = [
  ['cps', 'connections_per_second', 'Connections per second (IPVS estimator, 2 s samples)'],
  ['inPps', 'packets_in_per_second', 'Packets per second from clients (IPVS estimator)'],
  ['inBps', 'bytes_in_per_second', 'Bytes per second from clients (IPVS estimator)'],
];

const VRRP_STATES = ['initialize', 'backup', 'master', 'fault'] as const;

export const METRICS: readonly MetricSpec[] = [
  {
    name: 'pivs_director_info', type: 'gauge', labelNames: ['name', 'version'],
    help: 'Always 1; labels name the director and its pivs version',
    samples: (d) => [[{ name: d.director.name, version: d.director.pivsVersion }, 1]],
  },
  {
    name: 'pivs_director_uptime_seconds', type: 'gauge', labelNames: [],
    help: 'Seconds since pivsd started', samples: (d) => [[{}, d.director.uptimeSeconds]],
  },
  ...dataplaneMetrics(),
  ...COUNTER_FIELDS.map(([field, suffix, help]): MetricSpec => ({
    name: `pivs_virtual_service_${suffix}`, type: 'counter', labelNames: SERVICE_LABELS,
    help: `${help} by the virtual service`, samples: perService((s) => s.stats[field]),
  })),
  ...RATE_FIELDS.map(([field, suffix, help]): MetricSpec => ({
    name: `pivs_virtual_service_${suffix}`, type: 'gauge', labelNames: SERVICE_LABELS,
    help: `${help} of the virtual service`, samples: perService((s) => s.rates[field]),
  })),
  {
    name: 'pivs_virtual_service_forwarding', type: 'gauge', labelNames: SERVICE_LABELS,
    help: '1 when this director forwards for the virtual service now (VRRP master or no VRRP), else 0',
    samples: perService((s) => (s.forwarding ? 1 : 0)),
  },
  ...COUNTER_FIELDS.map(([field, suffix, help]): MetricSpec => ({
    name: `pivs_real_server_${suffix}`, type: 'counter', labelNames: REAL_LABELS,
    help: `${help} for the real server`, samples: perReal((r) => r.stats[field]),
  })),
  ...RATE_FIELDS.map(([field, suffix, help]): MetricSpec => ({
    name: `pivs_real_server_${suffix}`, type: 'gauge', labelNames: REAL_LABELS,
    help: `${help} for the real server`, samples: perReal((r) => r.rates[field]),
  })),
  realGauge('active_connections', 'Active (established TCP) connections', (r) => r.activeConns),
  realGauge('inactive_connections', 'Inactive connections (TCP not established, UDP)', (r) => r.inactiveConns),
  realGauge('persistent_connections', 'Persistence templates', (r) => r.persistentConns),
  realGauge('weight', 'Weight in force (after health checks and agents); absent when removed from the table',
    (r) => r.weight.effective),
  realGauge('configured_weight', 'Weight as configured', (r) => r.weight.configured),
  realGauge('health_up', '1 when the health checker says up, 0 when down or not yet known; absent without a checker',
    (r) => (r.health === null ? null : r.health.state === 'up' ? 1 : 0)),
  realGauge('agent_load', 'Load index reported by the real server\'s agent; absent without a report',
    (r) => r.agent?.loadIndex ?? null),
  realGauge('fallback', '1 for the service\'s fallback server', (r) => (r.fallback ? 1 : 0)),
  realGauge('overloaded', '1 when above its upper connection threshold', (r) => (r.overloaded ? 1 : 0)),
  {
    name: 'pivs_vrrp_state', type: 'gauge', labelNames: ['instance'],
    help: '1 when this director is master of the VRRP instance, else 0',
    samples: (d) => d.vrrp.map((v) => [{ instance: v.name }, v.state === 'master' ? 1 : 0]),
  },
  {
    name: 'pivs_vrrp_instance_state', type: 'gauge', labelNames: ['instance', 'state'],
    help: '1 for the state the VRRP instance is in, 0 for the others',
    samples: (d) => d.vrrp.flatMap((v) => VRRP_STATES.map((st): Sample => [{ instance: v.name, state: st }, v.state === st ? 1 : 0])),
  },
  {
    name: 'pivs_vrrp_priority', type: 'gauge', labelNames: ['instance'],
    help: 'Priority in force of the VRRP instance (after tracking)',
    samples: (d) => d.vrrp.map((v) => [{ instance: v.name }, v.effectivePriority]),
  },
  {
    name: 'pivs_vrrp_adverts_dropped_total', type: 'counter', labelNames: ['instance', 'reason'],
    help: 'VRRP adverts the instance refused, by reason',
    samples: (d) => d.vrrp.flatMap((v) => ADVERT_DROP_REASONS.map((r): Sample => [{ instance: v.name, reason: r }, v.advertsDropped[r]])),
  },
  {
    name: 'pivs_peer_stopping', type: 'gauge', labelNames: ['peer'],
    help: '1 while the peer\'s heartbeat says it is stopping (a clean release), else 0',
    samples: (d) => d.peers.map((p) => [{ peer: p.name }, p.stopping ? 1 : 0]),
  },
  {
    name: 'pivs_peer_up', type: 'gauge', labelNames: ['peer'],
    help: '1 while the peer director is heard on some link, else 0',
    samples: (d) => d.peers.map((p) => [{ peer: p.name }, p.alive ? 1 : 0]),
  },
  {
    name: 'pivs_peer_fault', type: 'gauge', labelNames: ['peer'],
    help: '1 while the peer reports every link down (it has stepped down), else 0',
    samples: (d) => d.peers.map((p) => [{ peer: p.name }, p.fault ? 1 : 0]),
  },
  {
    name: 'pivs_peer_path_up', type: 'gauge', labelNames: ['peer', 'link', 'address'],
    help: '1 while the peer is heard on that link, else 0',
    samples: (d) => d.peers.flatMap((p) => p.paths.map((path): Sample => [
      { peer: p.name, link: path.link, address: path.address }, path.alive ? 1 : 0])),
  },
  {
    name: 'pivs_peer_last_heartbeat_age_seconds', type: 'gauge', labelNames: ['peer'],
    help: 'Seconds since the last heartbeat from the peer on any link; absent when never heard',
    samples: (d) => d.peers.flatMap((p): Sample[] => (p.lastHeartbeatAgeSeconds === null ? []
      : [[{ peer: p.name }, p.lastHeartbeatAgeSeconds]])),
  },
  {
    name: 'pivs_link_up', type: 'gauge', labelNames: ['link', 'interface'],
    help: '1 when the link has carrier', samples: (d) => d.links.map((l) => [{ link: l.name, interface: l.interface }, l.up ? 1 : 0]),
  },
  {
    name: 'pivs_link_active', type: 'gauge', labelNames: ['link', 'interface'],
    help: '1 for the link traffic goes out on now',
    samples: (d) => d.links.map((l) => [{ link: l.name, interface: l.interface }, l.active ? 1 : 0]),
  },
  {
    name: 'pivs_sync_enabled', type: 'gauge', labelNames: [], help: '1 when connection sync runs, else 0',
    samples: (d) => [[{}, d.sync === null ? 0 : 1]],
  },
  syncCounter('messages_sent_total', 'Sync datagrams sent (one per destination)', 'sent'),
  syncCounter('messages_received_total', 'Sync datagrams received from peers', 'received'),
  syncCounter('connections_installed_total', 'Connections installed from peers\' messages', 'installed'),
  syncCounter('messages_refused_total', 'Sync datagrams refused (malformed, other syncid, unknown peer)', 'refused'),
  syncCounter('messages_forged_total', 'Sync datagrams without a valid HMAC', 'forged'),
  syncCounter('messages_replayed_total', 'Sync datagrams whose sequence number was seen already or is too old', 'replayed'),
  syncCounter('resyncs_total', 'Bulk resyncs served to peers', 'resyncs'),
  {
    name: 'pivs_sync_records_refused_total', type: 'counter', labelNames: ['reason'],
    help: 'Records left out of sync datagrams that were otherwise installed, by reason (overTimeout, overCap)',
    samples: ({ sync }) => (sync === null ? [] : RECORD_REASONS.map((reason): Sample => [{ reason }, sync.recordsRefused[reason]])),
  },
  heartbeatCounter('messages_sent_total', 'Heartbeat datagrams sent (one per link and peer)', 'sent'),
  heartbeatCounter('messages_received_total', 'Heartbeat datagrams received', 'received'),
  heartbeatCounter('messages_forged_total', 'Heartbeat datagrams without a valid HMAC', 'forged'),
  heartbeatCounter('messages_replayed_total', 'Heartbeat datagrams whose sequence number was seen already or is too old', 'replayed'),
  heartbeatCounter('messages_refused_total', 'Heartbeat datagrams refused (malformed, or not from a peer on its link and address)', 'refused'),
  {
    name: 'pivs_agent_reports_refused_total', type: 'counter', labelNames: ['reason'],
    help: 'pivs-agent reports dropped, by reason (forged, replayed, spoofed)',
    samples: ({ agent }) => (agent === null ? [] : AGENT_REASONS.map((reason): Sample => [{ reason }, agent.refused[reason]])),
  },
];

function realGauge(suffix: string, help: string, value: (r: RealServerDocument) => number | null): MetricSpec {
  return { name: `pivs_real_server_${suffix}`, type: 'gauge', labelNames: REAL_LABELS, help, samples: perReal(value) };
}

const RECORD_REASONS = ['overTimeout', 'overCap'] as const satisfies readonly (keyof SyncStatus['recordsRefused'])[];
const AGENT_REASONS = ['forged', 'replayed', 'spoofed'] as const satisfies readonly (keyof AgentStatus['refused'])[];

function heartbeatCounter(suffix: string, help: string, field: keyof HeartbeatStatus): MetricSpec {
  return {
    name: `pivs_heartbeat_${suffix}`, type: 'counter', labelNames: [], help: `${help} (0 while heartbeat is off)`,
    samples: (d) => (d.heartbeat === null ? [] : [[{}, d.heartbeat[field]]]),
  };
}

function syncCounter(suffix: string, help: string, field: Exclude<keyof SyncStatus, 'recordsRefused'>): MetricSpec {
  return {
    name: `pivs_sync_${suffix}`, type: 'counter', labelNames: [], help: `${help} (0 while sync is off)`,
    samples: (d) => (d.sync === null ? [] : [[{}, d.sync[field]]]),
  };
}

function dataplaneMetrics(): MetricSpec[] {
  const fields: ['rxPackets' | 'txPackets' | 'ignored', string, string][] = [
    ['rxPackets', 'rx_packets_total', 'Frames the dataplane received'],
    ['txPackets', 'tx_packets_total', 'Frames the dataplane transmitted'],
    ['ignored', 'ignored_packets_total', 'Frames that matched no virtual service'],
  ];
  return [
    ...fields.map(([field, suffix, help]): MetricSpec => ({
      name: `pivs_dataplane_${suffix}`, type: 'counter', labelNames: [], help,
      samples: (d) => (d.dataplane === null ? [] : [[{}, d.dataplane[field]]]),
    })),
    {
      name: 'pivs_dataplane_dropped_packets_total', type: 'counter', labelNames: ['reason'],
      help: 'Frames the dataplane dropped, by reason (docs/status.md; reason="evicted" counts connection entries)',
      samples: (d) => {
        const drops = d.dataplane?.drops;
        return drops === undefined ? [] : DROP_REASONS.map((reason) => [{ reason }, drops[reason]]);
      },
    },
    {
      name: 'pivs_dataplane_backend', type: 'gauge', labelNames: ['backend', 'mode'],
      help: 'Which backend forwards (director.dataplane): 1 for the one running',
      samples: (d) => (d.dataplane?.backend == null ? [] : [[{ backend: d.dataplane.backend, mode: d.dataplane.xdpMode }, 1]]),
    },
    {
      name: 'pivs_dataplane_connections', type: 'gauge', labelNames: [], help: 'Entries in the connection table',
      samples: (d) => (d.dataplane === null ? [] : [[{}, d.dataplane.connections]]),
    },
    {
      name: 'pivs_dataplane_connection_table_size', type: 'gauge', labelNames: [], help: 'Capacity of the connection table',
      samples: (d) => [[{}, d.director.connTableSize]],
    },
  ];
}

/** A registry serving `document()`'s figures; call it once per scrape through metricsText(). */
export class StatusMetrics {
  readonly registry = new Registry();
  private current: StatusDocument | null = null;

  constructor() {
    const metrics = this;
    for (const spec of METRICS) {
      const config = { name: spec.name, help: spec.help, labelNames: [...spec.labelNames], registers: [this.registry] };
      if (spec.type === 'counter') {
        new Counter({ ...config, collect(this: Counter) {
          this.reset();
          for (const [labels, value] of metrics.samplesOf(spec)) this.inc(labels, value);
        } });
      } else {
        new Gauge({ ...config, collect(this: Gauge) {
          this.reset();
          for (const [labels, value] of metrics.samplesOf(spec)) this.set(labels, value);
        } });
      }
    }
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  async text(doc: StatusDocument): Promise<string> {
    this.current = doc;
    return this.registry.metrics();
  }

  private samplesOf(spec: MetricSpec): Sample[] {
    return this.current === null ? [] : spec.samples(this.current);
  }
}
