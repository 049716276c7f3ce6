// Sorts a frame handed up by the dataplane into the few kinds arp/ acts on.
import { ArpPacket, decodeArp } from './arp_codec';
import { ETHERTYPE_ARP, ETHERTYPE_IPV4, ETHERTYPE_IPV6, EthernetFrame, decodeEthernet } from './ethernet';
import { IPPROTO_ICMP, IcmpEcho, Ipv4Packet, decodeIcmpEcho, decodeIpv4, isFragment } from './icmp_codec';
import { IPPROTO_ICMPV6, Icmpv6Message, Ipv6Packet, decodeIcmpv6, decodeIpv6 } from './nd_codec';

export type ControlFrame =
  | { kind: 'arp'; ethernet: EthernetFrame; arp: ArpPacket }
  | { kind: 'icmp'; ethernet: EthernetFrame; ip: Ipv4Packet; echo: IcmpEcho }
  | { kind: 'icmpv6'; ethernet: EthernetFrame; ip: Ipv6Packet; message: Icmpv6Message }
  /** Well-formed but nothing arp/ handles (other protocols, ICMP types, fragments, extension headers). */
  | { kind: 'other'; reason: string };

/** Throws MalformedPacketError for broken frames. */
export function decodeControlFrame(frame: Buffer): ControlFrame {
  const ethernet = decodeEthernet(frame);
  switch (ethernet.etherType) {
    case ETHERTYPE_ARP:
      return { kind: 'arp', ethernet, arp: decodeArp(ethernet.payload) };
    case ETHERTYPE_IPV4: {
      const ip = decodeIpv4(ethernet.payload);
      if (ip.protocol !== IPPROTO_ICMP) return { kind: 'other', reason: `IPv4 protocol ${ip.protocol}` };
      if (isFragment(ip)) return { kind: 'other', reason: 'IPv4 fragment' };
      const echo = decodeIcmpEcho(ip.payload);
      if (!echo) return { kind: 'other', reason: `ICMP type ${ip.payload[0]}` };
      return { kind: 'icmp', ethernet, ip, echo };
    }
    case ETHERTYPE_IPV6: {
      const ip = decodeIpv6(ethernet.payload);
      if (ip.nextHeader !== IPPROTO_ICMPV6) return { kind: 'other', reason: `IPv6 next header ${ip.nextHeader}` };
      const message = decodeIcmpv6(ip);
      if (!message) return { kind: 'other', reason: `ICMPv6 type ${ip.payload[0]}` };
      return { kind: 'icmpv6', ethernet, ip, message };
    }
    default:
      return { kind: 'other', reason: `EtherType 0x${ethernet.etherType.toString(16).padStart(4, '0')}` };
  }
}
