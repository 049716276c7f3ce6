import type { NetworkInterfaceInfo } from 'node:os';
import pino from 'pino';
import { startArp, ArpService } from '../../src/arp';
import { FakeClock } from './fake_clock';
import { FakeDataplane } from './fake_dataplane';
import { DIRECTOR_MAC, OWN_IP, OWN_IP6 } from './fixtures';

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

export const OWN_ADDRESSES: NetworkInterfaceInfo[] = [
  { address: OWN_IP, netmask: '255.255.255.0', family: 'IPv4', mac: DIRECTOR_MAC, internal: false, cidr: `${OWN_IP}/24` },
  { address: OWN_IP6, netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6', mac: DIRECTOR_MAC, internal: false, cidr: `${OWN_IP6}/64`, scopeid: 0 },
];

/** A started ArpService over a fake dataplane and clock, with its log lines captured. */
export function harness(ownAddresses: NetworkInterfaceInfo[] = OWN_ADDRESSES) {
  const dataplane = new FakeDataplane(DIRECTOR_MAC);
  const clock = new FakeClock();
  const logs: LogLine[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => { logs.push(JSON.parse(line)); } });
  const service: ArpService = startArp({
    dataplane, interface: 'eth0', logger, clock,
    networkInterfaces: () => ({ eth0: ownAddresses, lo: [] }),
  });
  return { dataplane, clock, logs, service };
}
