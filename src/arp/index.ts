// arp/: answers ARP / ICMP echo / neighbor solicitations for virtual addresses and resolves
// real servers' MACs. Codecs are exported for vrrp/ (gratuitous ARP on takeover) and tests.
export { startArp } from './service';
export type { ArpAddresses } from './service';
export type { ArpService, ArpOptions, ArpCounters } from './service';
export type { Clock } from '../common/clock';
export type { ResolverTiming } from './resolver';
export { gratuitousArpFrame } from './arp_codec';
export { unsolicitedAdvertisementFrame } from './nd_codec';
