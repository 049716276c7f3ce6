// Sources with known figures, changeable by the test, for the SNMP tests.
import type { ListResult, RealServerState, VirtualServiceState } from '../../src/control/protocol';
import type {
  LinkView, RealServerExtras, SnmpSources, SyncCountersView, VrrpInstanceView,
} from '../../src/snmp/sources';
import { zeroDrops } from '../../src/dataplane/types';

const rates = (n: number) => ({ cps: n, inPps: n * 10, outPps: 0, inBps: n * 1000, outBps: 0 });

function real(address: string, weight: number, n: number): RealServerState {
  return {
    address, port: 80, forward: 'dr', weight, upperThreshold: 0, lowerThreshold: 0,
    stats: { conns: 100 * n, inPackets: 1000 * n, inBytes: 5_000_000_000 * n, outPackets: 0, outBytes: 0 },
    rates: rates(n), activeConns: 3 * n, inactiveConns: n, persistentConns: 0, overloaded: false, macResolved: true,
  };
}

export function fakeList(): ListResult {
  const web: VirtualServiceState = {
    protocol: 'tcp', address: '198.18.0.10', port: 80, scheduler: 'wlc', schedFlags: [], sloppy: false,
    stats: { conns: 300, inPackets: 3000, inBytes: 15_000_000_000, outPackets: 0, outBytes: 0 },
    rates: rates(7), realServers: [real('198.18.1.1', 1, 1), real('198.18.1.2', 3, 2)],
  };
  const dns: VirtualServiceState = {
    protocol: 'udp', address: '2001:db8::53', port: 53, scheduler: 'rr', schedFlags: [], sloppy: false,
    persistence: { timeout: 360, netmask: '128' },
    stats: { conns: 9, inPackets: 9, inBytes: 900, outPackets: 0, outBytes: 0 },
    rates: rates(0), realServers: [],
  };
  return {
    ipvsVersion: '1.2.1', pivsVersion: '9.8.7', connTableSize: 4096, drops: { ...zeroDrops(), malformed: 3, tooBig: 1 },
    timeouts: { tcp: 900, tcpfin: 120, udp: 300 }, virtualServices: [web, dns],
  };
}

export function fakeVrrp(): VrrpInstanceView {
  return {
    name: 'VI_1', ifIndex: 2, virtualRouterId: 51, family: 'ipv4', state: 'backup', priority: 150,
    masterAddress: '198.18.0.2', primaryAddress: '198.18.0.3', advertIntCs: 100, preempt: true, acceptMode: false,
    virtualAddresses: ['198.18.0.10', '198.18.0.11'], upSinceMs: null, newMasterReason: 'notMaster',
    stats: {
      masterTransitions: 4, rcvdAdvertisements: 1234, advIntervalErrors: 1, ipTtlErrors: 2, rcvdPriZeroPackets: 3,
      sentPriZeroPackets: 5, rcvdInvalidTypePackets: 6, addressListErrors: 7, packetLengthErrors: 8,
    },
  };
}

/** Mutable sources: tests change the fields, the agent reads them at request time. */
export class FakeSources implements SnmpSources {
  listResult = fakeList();
  vrrpInstances: VrrpInstanceView[] = [fakeVrrp()];
  syncCounters: SyncCountersView = {
    sentMessages: 11, sentConnections: 22, receivedMessages: 33, receivedConnections: 44, errors: 5, peers: 1,
  };
  linkViews: LinkView[] = [
    { name: 'lan-a', interface: 'eth0', up: true, active: true, failovers: 0 },
    { name: 'lan-b', interface: 'eth1', up: true, active: false, failovers: 0 },
  ];
  health = new Map<string, RealServerExtras>([
    ['198.18.1.1', { health: 'up', effectiveWeight: 1, agentLoad: 250 }],
    ['198.18.1.2', { health: 'unknown', effectiveWeight: 0 }],
  ]);

  list(): ListResult {
    return structuredClone(this.listResult);
  }
  realServerExtras(_s: unknown, real: { address: string }): RealServerExtras {
    return this.health.get(real.address) ?? {};
  }
  vrrp(): VrrpInstanceView[] {
    return structuredClone(this.vrrpInstances);
  }
  vrrpGlobal() {
    return { checksumErrors: 1, versionErrors: 2, vrIdErrors: 3 };
  }
  sync(): SyncCountersView {
    return { ...this.syncCounters };
  }
  links(): LinkView[] {
    return structuredClone(this.linkViews);
  }
}
