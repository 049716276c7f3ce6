// The running daemon's modules as SnmpSources. Each adapter turns a module's own status into the
// MIBs' terms; a module that is not running leaves its provider out (an empty table, zeros).
import { readFileSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import type { Director } from '../control/director';
import type { SyncCounters } from '../sync/service';
import type { VrrpInstanceStatus } from '../vrrp';
import type {
  NewMasterReason, SnmpSources, SyncCountersView, VrrpGlobalStats, VrrpInstanceView, VrrpState,
} from './sources';

export interface DaemonModules {
  vrrp?: () => VrrpInstanceStatus[];
  sync?: () => SyncCounters;
  /** Peers currently alive (heartbeat), for pivsSyncPeers. */
  alivePeers?: () => number;
}

/** `now`: the monotonic clock that up-times are measured on, as MibView's startMs is. */
export function daemonSnmpSources(director: Director, modules: DaemonModules, now: () => number = () => performance.now()): SnmpSources {
  const sources: SnmpSources = { list: () => director.list() };
  if (modules.vrrp !== undefined) {
    const read = modules.vrrp;
    const tracker = new VrrpTracker(now);
    sources.vrrp = () => tracker.views(read());
    sources.vrrpGlobal = () => vrrpGlobal(read());
  }
  if (modules.sync !== undefined) {
    const read = modules.sync;
    const peers = modules.alivePeers;
    sources.sync = () => syncView(read(), peers?.() ?? 0);
  }
  return sources;
}

export function syncView(c: SyncCounters, peers: number): SyncCountersView {
  return {
    sentMessages: c.sent,
    // The sync transport counts datagrams, not the entries inside the ones it sends.
    sentConnections: 0,
    receivedMessages: c.received,
    receivedConnections: c.installed,
    errors: c.refused + c.forged + c.replayed,
    peers,
  };
}

const STATE: Record<VrrpInstanceStatus['state'], VrrpState> = {
  INIT: 'initialize', FAULT: 'initialize', BACKUP: 'backup', MASTER: 'master',
};

/** Remembers what VrrpInstanceStatus does not say: when each instance came up and why it became master. */
export class VrrpTracker {
  private readonly seen = new Map<string, { state: VrrpState; upSinceMs: number | null; reason: NewMasterReason; lastMasterPriority: number | null }>();

  constructor(private readonly now: () => number) {}

  views(statuses: VrrpInstanceStatus[]): VrrpInstanceView[] {
    return statuses.map((s) => {
      const state = STATE[s.state];
      const before = this.seen.get(s.name);
      let upSinceMs = before?.upSinceMs ?? null;
      if (state === 'initialize') upSinceMs = null;
      else if (upSinceMs === null) upSinceMs = this.now();
      let reason: NewMasterReason = before?.reason ?? 'notMaster';
      if (state !== 'master') reason = 'notMaster';
      else if (before?.state !== 'master') {
        // RFC 6527: priority = took over as the higher-priority (or owner) router from the start;
        // preempted = took over from a lower-priority master; masterNoResponse = the master went silent.
        if (before === undefined || before.state === 'initialize') reason = 'priority';
        else if (before.lastMasterPriority !== null && before.lastMasterPriority < s.effectivePriority) reason = 'preempted';
        else reason = 'masterNoResponse';
      }
      this.seen.set(s.name, { state, upSinceMs, reason, lastMasterPriority: state === 'backup' ? s.masterPriority : null });
      const family = s.virtualAddresses.some((a) => isIPv6(a)) && !s.virtualAddresses.some((a) => !isIPv6(a)) ? 'ipv6' : 'ipv4';
      return {
        name: s.name,
        ifIndex: ifIndexOf(s.interface),
        virtualRouterId: s.virtualRouterId,
        family,
        state,
        priority: s.effectivePriority,
        masterAddress: s.masterAddress,
        primaryAddress: state === 'master' ? s.masterAddress : null,
        advertIntCs: Math.round(s.advertInt * 100),
        preempt: s.preempt,
        acceptMode: false,
        virtualAddresses: [...s.virtualAddresses],
        upSinceMs,
        newMasterReason: reason,
        stats: {
          masterTransitions: s.counters.becameMaster,
          rcvdAdvertisements: s.counters.advertsReceived,
          advIntervalErrors: s.counters.advertsDropped.interval,
          ipTtlErrors: s.counters.advertsDropped.ttl,
          rcvdPriZeroPackets: 0,
          sentPriZeroPackets: 0,
          rcvdInvalidTypePackets: 0,
          addressListErrors: 0,
          packetLengthErrors: 0,
        },
      };
    });
  }
}

export function vrrpGlobal(statuses: VrrpInstanceStatus[]): VrrpGlobalStats {
  let checksumErrors = 0;
  let versionErrors = 0;
  for (const s of statuses) {
    checksumErrors += s.counters.advertsDropped.checksum;
    versionErrors += s.counters.advertsDropped.version;
  }
  return { checksumErrors, versionErrors, vrIdErrors: 0 };
}

/** The kernel's ifIndex of an interface (0 when it is gone). */
function ifIndexOf(name: string): number {
  try {
    return Number(readFileSync(`/sys/class/net/${name}/ifindex`, 'utf8').trim()) || 0;
  } catch {
    return 0;
  }
}
