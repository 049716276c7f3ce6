// From the validated `sync:` section to SyncServiceOptions: the pieces that depend on the running
// host (the interface's address and MTU) are looked up here, once, when pivsd starts.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { Reservation } from '../common/sequence';
import type { SyncSettings } from '../config/model';
import type { Dataplane } from '../dataplane/types';
import type { SyncLimits } from './admission';
import type { SyncLogger, SyncServiceOptions } from './service';

/** IPv4 + UDP headers: IPVS fills a sync message up to MTU - 28. */
const IP_UDP_HEADERS = 28;

export interface HostLookup {
  networkInterfaces(): NodeJS.Dict<os.NetworkInterfaceInfo[]>;
  /** MTU of an interface, or null when unknown. */
  mtu(iface: string): number | null;
}

export const realHost: HostLookup = {
  networkInterfaces: () => os.networkInterfaces(),
  mtu: (iface) => {
    try {
      const n = Number(readFileSync(`/sys/class/net/${iface}/mtu`, 'utf8').trim());
      return Number.isInteger(n) && n > 0 ? n : null;
    } catch {
      return null;
    }
  },
};

export function syncServiceOptions(
  settings: SyncSettings,
  deps: { dataplane: Dataplane; name: string; limits?: SyncLimits; logger?: SyncLogger; host?: HostLookup; sequences?: Reservation },
): SyncServiceOptions {
  const host = deps.host ?? realHost;
  let localAddress = settings.localAddress;
  if (localAddress === null) {
    const first = (host.networkInterfaces()[settings.interface] ?? []).find((a) => a.family === 'IPv4');
    if (first === undefined) {
      throw new Error(`sync: interface ${settings.interface} has no IPv4 address; give it one or set sync.localAddress`);
    }
    localAddress = first.address;
  }
  const maxPayload = settings.maxMessageSize ?? (host.mtu(settings.interface) ?? 1500) - IP_UDP_HEADERS;
  return {
    dataplane: deps.dataplane,
    name: deps.name,
    localAddress,
    port: settings.port,
    transport: settings.transport,
    group: settings.group,
    peers: settings.peers.map((address) => ({ address })),
    syncId: settings.syncId,
    maxPayload,
    flushDelayMs: settings.flushDelayMs,
    threshold: settings.threshold,
    period: settings.period,
    resyncTimeoutMs: settings.resyncTimeoutMs,
    auth: settings.auth === null ? null : { key: Buffer.from(settings.auth.key, 'utf8'), keyId: settings.auth.keyId },
    limits: deps.limits,
    maxInstalledShare: settings.maxInstalledShare,
    logger: deps.logger,
    ...(deps.sequences === undefined ? {} : { sequences: deps.sequences }),
  };
}
