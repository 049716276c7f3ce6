// A fixed daemon answer for the formatter, save and end-to-end tests, and the -Ln text ipvsadm's
// printf formats give for it (written out by hand, trailing blanks included).
import type { ListResult, RealServerState, Rates, VirtualServiceState } from '../../src/control/protocol';
import type { Counters } from '../../src/dataplane/types';
import { zeroDrops } from '../../src/dataplane/types';

const ZERO_STATS: Counters = { conns: 0, inPackets: 0, inBytes: 0, outPackets: 0, outBytes: 0 };
const ZERO_RATES: Rates = { cps: 0, inPps: 0, outPps: 0, inBps: 0, outBps: 0 };

export function real(address: string, port: number, extra: Partial<RealServerState> = {}): RealServerState {
  return {
    address, port, forward: 'dr', weight: 1, upperThreshold: 0, lowerThreshold: 0,
    stats: ZERO_STATS, rates: ZERO_RATES, activeConns: 0, inactiveConns: 0, persistentConns: 0,
    overloaded: false, macResolved: true, ...extra,
  };
}

export const HTTP: VirtualServiceState = {
  protocol: 'tcp', address: '198.18.0.100', port: 80, scheduler: 'rr', schedFlags: [], sloppy: false,
  stats: { conns: 52, inPackets: 1234, inBytes: 123456789, outPackets: 0, outBytes: 0 },
  rates: { cps: 5, inPps: 120, outPps: 0, inBps: 2500000000, outBps: 0 },
  // Deliberately out of order: ipvsadm sorts real servers by address.
  realServers: [
    real('198.18.0.12', 80, {
      weight: 2, activeConns: 3, inactiveConns: 7, persistentConns: 1, upperThreshold: 100, lowerThreshold: 50,
      stats: { conns: 12, inPackets: 434, inBytes: 123358024, outPackets: 0, outBytes: 0 },
      rates: { cps: 1, inPps: 20, outPps: 0, inBps: 1500000000, outBps: 0 },
    }),
    real('198.18.0.11', 80, {
      activeConns: 12, inactiveConns: 40,
      stats: { conns: 40, inPackets: 800, inBytes: 98765, outPackets: 0, outBytes: 0 },
      rates: { cps: 4, inPps: 100, outPps: 0, inBps: 1000000000, outBps: 0 },
    }),
  ],
};

export const HTTPS: VirtualServiceState = {
  protocol: 'tcp', address: '198.18.0.100', port: 443, scheduler: 'sh', schedFlags: ['sh-port'], sloppy: false,
  persistence: { timeout: 300, netmask: '255.255.255.0' },
  stats: ZERO_STATS, rates: ZERO_RATES,
  realServers: [real('198.18.0.11', 443, { weight: 0 })],
};

export const DNS: VirtualServiceState = {
  protocol: 'udp', address: '198.18.0.100', port: 53, scheduler: 'wlc', schedFlags: [], sloppy: false,
  stats: ZERO_STATS, rates: ZERO_RATES,
  realServers: [real('198.18.0.12', 53)],
};

export const V6: VirtualServiceState = {
  protocol: 'tcp', address: '2001:db8::100', port: 80, scheduler: 'mh', schedFlags: ['mh-fallback', 'mh-port'],
  sloppy: true, persistence: { timeout: 600, netmask: '64' },
  stats: ZERO_STATS, rates: ZERO_RATES,
  realServers: [real('2001:db8::11', 80)],
};

export function listOf(...services: VirtualServiceState[]): ListResult {
  return {
    ipvsVersion: '1.2.1', pivsVersion: '0.1.0', connTableSize: 4096,
    timeouts: { tcp: 900, tcpfin: 120, udp: 300 },
    virtualServices: services,
    drops: zeroDrops(),
  };
}

/** Unsorted on purpose: UDP and IPv6 first. */
export const LIST = listOf(V6, DNS, HTTPS, HTTP);

export const LIST_N_TEXT = [
  'IP Virtual Server version 1.2.1 (size=4096)',
  'Prot LocalAddress:Port Scheduler Flags',
  '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn',
  'TCP  198.18.0.100:80 rr',
  '  -> 198.18.0.11:80               Route   1      12         40        ',
  '  -> 198.18.0.12:80               Route   2      3          7         ',
  'TCP  198.18.0.100:443 sh (sh-port) persistent 300 mask 255.255.255.0',
  '  -> 198.18.0.11:443              Route   0      0          0         ',
  'UDP  198.18.0.100:53 wlc',
  '  -> 198.18.0.12:53               Route   1      0          0         ',
  'TCP  [2001:db8::100]:80 mh (mh-fallback,mh-port) persistent 600 mask 64',
  '  -> [2001:db8::11]:80            Route   1      0          0         ',
  '',
].join('\n');
