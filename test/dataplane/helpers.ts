// Shared set-up for dataplane tests: one virtual service template and a dataplane without an
// interface, driven through simulate().
import { after } from 'node:test';
import { openDataplane } from '../../src/dataplane';
import type { Dataplane } from '../../src/dataplane';
import type { RealServer, VirtualService } from '../../src/config/model';

export const VIP = '198.18.0.10';
export const CLIENT = '198.18.1.5';
export const RS1 = '198.18.0.21';
export const RS2 = '198.18.0.22';
export const MAC1 = '02:00:00:00:01:21';
export const MAC2 = '02:00:00:00:01:22';
export const DIRECTOR_MAC = '02:00:00:00:00:01';

export function real(address: string, weight = 1, port = 80): RealServer {
  return { address, port, forward: 'dr', weight, upperThreshold: 0, lowerThreshold: 0 };
}

export function service(over: Partial<VirtualService> = {}): VirtualService {
  return {
    protocol: 'tcp',
    address: VIP,
    port: 80,
    scheduler: 'rr',
    schedFlags: [],
    sloppy: false,
    realServers: [real(RS1), real(RS2)],
    ...over,
  };
}

export function openSimulated(services: VirtualService[], neighbours: Record<string, string> = { [RS1]: MAC1, [RS2]: MAC2 }): Dataplane {
  const dp = openDataplane({ interface: null, workers: 1, connTableSize: 4096, mhTableSize: 65537 });
  dp.apply(services);
  for (const [ip, mac] of Object.entries(neighbours)) dp.setNeighbour(ip, mac);
  return dp;
}

/** Destination MAC of a rewritten frame, as text. */
export function dstMac(frame: Buffer | null): string | null {
  if (!frame) return null;
  return [...frame.subarray(0, 6)].map((b) => b.toString(16).padStart(2, '0')).join(':');
}

/** A tracker whose dataplanes are closed by an after() hook of the calling file or describe. */
export function closedAfter(): (dp: Dataplane) => Dataplane {
  const open: Dataplane[] = [];
  after(() => open.forEach((dp) => dp.close()));
  return (dp) => {
    open.push(dp);
    return dp;
  };
}
