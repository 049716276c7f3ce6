// Builds the status document from its sources. Pure: everything it knows comes from `sources`.
import type { RealServerState, VirtualServiceState } from '../control/protocol';
import type {
  PeerDocument, PeerStatus, RealServerDocument, StatusDocument, StatusSources, VirtualServiceDocument, VrrpInstanceStatus,
} from './model';
import { STATES } from './sources';

export interface BuildOptions {
  /**
   * Shows each health check by its kind only ("script", "http"...), not its description: a
   * script's command line (and its arguments) is not for unauthenticated readers.
   */
  redactChecks?: boolean;
}

export function buildStatus(sources: StatusSources, options: BuildOptions = {}): StatusDocument {
  const now = sources.now();
  const list = sources.list();
  const vrrp = sources.vrrp?.() ?? [];
  return {
    schemaVersion: 1,
    generatedAt: new Date(now).toISOString(),
    director: {
      name: sources.name,
      pivsVersion: list.pivsVersion,
      ipvsVersion: list.ipvsVersion,
      startedAt: new Date(sources.startedAtMs).toISOString(),
      uptimeSeconds: Math.max(0, Math.round(sources.uptimeMs() / 100) / 10),
      connTableSize: list.connTableSize,
    },
    dataplane: sources.dataplane?.() ?? null,
    vrrp,
    peers: (sources.peers?.() ?? []).map((p) => peerDocument(p, now)),
    links: sources.links?.() ?? [],
    sync: sources.sync?.() ?? null,
    heartbeat: sources.heartbeat?.() ?? null,
    agent: sources.agent?.() ?? null,
    virtualServices: list.virtualServices.map((s) => serviceDocument(s, vrrp, options.redactChecks === true)),
  };
}

function peerDocument(p: PeerStatus, now: number): PeerDocument {
  const seen = p.paths.map((path) => path.lastSeenMs).filter((ms): ms is number => ms !== null);
  const last = seen.length === 0 ? null : Math.max(...seen);
  return {
    name: p.name,
    alive: p.alive,
    fault: p.fault,
    stopping: p.stopping,
    claims: p.claims.map((c) => ({ virtualRouterId: c.virtualRouterId, state: STATES[c.state], priority: c.priority })),
    lastHeartbeat: iso(last),
    lastHeartbeatAgeSeconds: last === null ? null : Math.max(0, Math.round(now - last) / 1000),
    paths: p.paths.map((path) => ({
      link: path.link, address: path.address, alive: path.alive, lastHeartbeat: iso(path.lastSeenMs), peerHears: path.peerHears,
    })),
  };
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

function serviceDocument(s: VirtualServiceState, vrrp: VrrpInstanceStatus[], redact: boolean): VirtualServiceDocument {
  const instance = vrrp.find((v) => v.virtualAddresses.includes(s.address)) ?? null;
  const realServers = s.realServers.map((r) => realDocument(r, redact));
  return {
    protocol: s.protocol,
    address: s.address,
    port: s.port,
    scheduler: s.scheduler,
    schedFlags: [...s.schedFlags],
    persistence: s.persistence === undefined ? null : { ...s.persistence },
    sloppy: s.sloppy,
    vrrpInstance: instance?.name ?? null,
    master: instance?.master ?? null,
    // Without VRRP every virtual service is forwarded; with it, only the master's addresses are.
    forwarding: vrrp.length === 0 ? true : instance?.state === 'master',
    activeConns: sum(realServers.map((r) => r.activeConns)),
    inactiveConns: sum(realServers.map((r) => r.inactiveConns)),
    stats: { ...s.stats },
    rates: { ...s.rates },
    realServers,
  };
}

/** The list gives the weight the dataplane runs, and configuredWeight only when it differs. */
function realDocument(r: RealServerState, redact: boolean): RealServerDocument {
  const shown = (description: string): string => (redact ? checkKind(description) : description);
  return {
    address: r.address,
    port: r.port,
    forward: r.forward,
    weight: { configured: r.configuredWeight ?? r.weight, effective: r.removed === true ? null : r.weight },
    upperThreshold: r.upperThreshold,
    lowerThreshold: r.lowerThreshold,
    fallback: r.fallback === true,
    health: r.health === undefined ? null : {
      state: r.health.state,
      lastResult: r.health.lastResult === null ? null
        : { ...r.health.lastResult, checker: shown(r.health.lastResult.checker) },
      lastChange: r.health.lastChange,
      checks: r.health.checks.map(shown),
    },
    agent: r.agent === undefined ? null
      : { loadIndex: r.agent.loadIndex, lastReport: r.agent.lastReport, alive: r.agent.alive },
    activeConns: r.activeConns,
    inactiveConns: r.inactiveConns,
    persistentConns: r.persistentConns,
    overloaded: r.overloaded,
    macResolved: r.macResolved,
    stats: { ...r.stats },
    rates: { ...r.rates },
  };
}

/** A check's description starts with its kind (src/health/*.ts): "script ...", "http GET ...". */
function checkKind(description: string): string {
  return description.split(' ', 1)[0];
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
