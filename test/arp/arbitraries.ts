// fast-check arbitraries of the typed messages of arp/'s codecs, within the ranges their encoders
// accept, and the checksum fix-ups that let mutated bytes past a checksum to the checks behind it.
// Shared by the arp/ and vrrp/ property tests.
import fc from 'fast-check';
import { ARP_OP_REPLY, ARP_OP_REQUEST, type ArpMessage } from '../../src/arp/arp_codec';
import { internetChecksum } from '../../src/arp/checksum';
import { ETHERTYPE_VLAN, type EthernetHeader } from '../../src/arp/ethernet';
import { ICMP_ECHO, ICMP_ECHO_REPLY, type IcmpEcho, type Ipv4Fields, type Ipv4Packet } from '../../src/arp/icmp_codec';
import {
  ICMPV6_ECHO_REPLY, ICMPV6_ECHO_REQUEST, ND_NEIGHBOR_ADVERT, ND_NEIGHBOR_SOLICIT, UNSPECIFIED_ADDRESS,
  icmpv6Checksum, icmpv6Packet, solicitedNodeAddress, type Icmpv6Message, type Ipv6Fields, type Ipv6Packet,
} from '../../src/arp/nd_codec';
import { ipv6FromBytes, ipv6ToBytes } from '../../src/config/address';
import { anyBytes, group, ipv4, ipv6, ipv6Of, mac } from './hostile';

const byte = fc.integer({ min: 0, max: 255 });
const u16 = fc.integer({ min: 0, max: 0xffff });

// An untagged header with EtherType 802.1Q would be a tag on the wire: decode reads it as one,
// so it is the tagged header (vlanTci set) that stands for such frames.
export const ethernetHeader = (etherType: fc.Arbitrary<number> = u16): fc.Arbitrary<EthernetHeader> => fc.record({
  destination: mac,
  source: mac,
  vlanTci: u16,
  etherType,
}, { requiredKeys: ['destination', 'source', 'etherType'], noNullPrototype: true })
  .filter((h) => h.vlanTci !== undefined || h.etherType !== ETHERTYPE_VLAN);

export const arpMessage: fc.Arbitrary<ArpMessage> = fc.record({
  op: fc.constantFrom(ARP_OP_REQUEST, ARP_OP_REPLY),
  sha: mac,
  spa: ipv4,
  tha: mac,
  tpa: ipv4,
}, { noNullPrototype: true });

export const ipv4Fields: fc.Arbitrary<Ipv4Fields> = fc.record({
  typeOfService: byte,
  identification: u16,
  flags: fc.integer({ min: 0, max: 7 }),
  fragmentOffset: fc.integer({ min: 0, max: 0x1fff }),
  timeToLive: byte,
  protocol: byte,
  sourceAddress: ipv4,
  destinationAddress: ipv4,
}, { noNullPrototype: true });

export const icmpEcho: fc.Arbitrary<IcmpEcho> = fc.record({
  type: fc.constantFrom(ICMP_ECHO, ICMP_ECHO_REPLY),
  code: byte,
  identifier: u16,
  sequenceNumber: u16,
  data: anyBytes(1472),
}, { noNullPrototype: true });

export const ipv4FieldsOf = (p: Ipv4Packet): Ipv4Fields => ({
  typeOfService: p.typeOfService, identification: p.identification, flags: p.flags, fragmentOffset: p.fragmentOffset,
  timeToLive: p.timeToLive, protocol: p.protocol, sourceAddress: p.sourceAddress, destinationAddress: p.destinationAddress,
});

export const ipv6Fields: fc.Arbitrary<Ipv6Fields> = fc.record({
  trafficClass: byte,
  flowLabel: fc.integer({ min: 0, max: 0xfffff }),
  nextHeader: byte,
  hopLimit: byte,
  sourceAddress: ipv6,
  destinationAddress: ipv6,
}, { noNullPrototype: true });

export const ipv6FieldsOf = ({ trafficClass, flowLabel, nextHeader, hopLimit, sourceAddress, destinationAddress }: Ipv6Packet): Ipv6Fields =>
  ({ trafficClass, flowLabel, nextHeader, hopLimit, sourceAddress, destinationAddress });

// The oracles read bytes, not text: "is multicast" is ff00::/8, "solicited-node" ff02::1:ff00:0/104.
export const isMulticast6 = (a: string) => ipv6ToBytes(a)[0] === 0xff;
const SOLICITED_PREFIX = ipv6ToBytes('ff02::1:ff00:0').subarray(0, 13);
export const isSolicitedNode = (a: string) => ipv6ToBytes(a).subarray(0, 13).equals(SOLICITED_PREFIX);

/** Link-scope multicast groups around the solicited-node range, where a sloppy check goes wrong. */
const nearSolicitedNode = fc.tuple(group, group, group).map(([a, b, c]) => ipv6Of([0xff02, 0, 0, 0, 0, a, b, c]));
export const unicast6 = ipv6.filter((a) => !isMulticast6(a));

const echo6: fc.Arbitrary<Icmpv6Message> = fc.record({
  type: fc.constantFrom(ICMPV6_ECHO_REQUEST, ICMPV6_ECHO_REPLY),
  code: byte,
  identifier: u16,
  sequenceNumber: u16,
  data: anyBytes(1400),
}, { noNullPrototype: true });
const solicitation: fc.Arbitrary<Icmpv6Message> = fc.record({
  type: fc.constant(ND_NEIGHBOR_SOLICIT),
  code: fc.constant(0),
  targetAddress: unicast6,
  sourceLinkLayerAddress: mac,
}, { requiredKeys: ['type', 'code', 'targetAddress'], noNullPrototype: true });
const advertisement: fc.Arbitrary<Icmpv6Message> = fc.record({
  type: fc.constant(ND_NEIGHBOR_ADVERT),
  code: fc.constant(0),
  routerFlag: fc.boolean(),
  solicitedFlag: fc.boolean(),
  overrideFlag: fc.boolean(),
  targetAddress: unicast6,
  targetLinkLayerAddress: mac,
}, { requiredKeys: ['type', 'code', 'routerFlag', 'solicitedFlag', 'overrideFlag', 'targetAddress'], noNullPrototype: true });

/** RFC 4861 7.1.1 and 7.1.2, the rules that depend on the IPv6 addresses. */
export function validFor(src: string, dst: string, m: Icmpv6Message): boolean {
  if (m.type === ND_NEIGHBOR_SOLICIT && src === UNSPECIFIED_ADDRESS) return m.sourceLinkLayerAddress === undefined && isSolicitedNode(dst);
  if (m.type === ND_NEIGHBOR_ADVERT && m.solicitedFlag) return !isMulticast6(dst);
  return true;
}

/** An ICMPv6 message with the IPv6 addresses and traffic class it is sent with. */
export interface Icmpv6Sent { src: string; dst: string; trafficClass: number; message: Icmpv6Message }

export const icmpv6Sent: fc.Arbitrary<Icmpv6Sent> = fc.record({
  src: fc.oneof(ipv6, fc.constant(UNSPECIFIED_ADDRESS)),
  dst: fc.oneof(ipv6, unicast6.map(solicitedNodeAddress), nearSolicitedNode, fc.constant('ff02::1')),
  trafficClass: byte,
  message: fc.oneof(echo6, solicitation, advertisement),
}, { noNullPrototype: true }).filter((s) => validFor(s.src, s.dst, s.message));

export const icmpv6PacketOf = (s: Icmpv6Sent) => icmpv6Packet(s.src, s.dst, s.message, s.trafficClass);

/** `b` with the IPv4 header checksum recomputed, when b has a whole header to compute it over. */
export function withIpv4Checksum(b: Buffer, at = 0): Buffer {
  const ihl = (b[at] ?? 0) & 0x0f;
  if (ihl < 5 || b.length < at + ihl * 4) return b;
  const out = Buffer.from(b);
  out.writeUInt16BE(0, at + 10);
  out.writeUInt16BE(internetChecksum(out.subarray(at, at + ihl * 4)), at + 10);
  return out;
}

/** `b` with the checksum at `offset` recomputed over all of b (ICMP echo, VRRPv2). */
export function withChecksumAt(b: Buffer, offset: number): Buffer {
  if (b.length < offset + 2) return b;
  const out = Buffer.from(b);
  out.writeUInt16BE(0, offset);
  out.writeUInt16BE(internetChecksum(out), offset);
  return out;
}

/** `b` (an IPv6 packet from byte `at`) with the ICMPv6 checksum recomputed over what it says is its payload. */
export function withIcmpv6Checksum(b: Buffer, at = 0): Buffer {
  if (b.length < at + 44) return b;
  const out = Buffer.from(b);
  const message = out.subarray(at + 40, at + 40 + Math.min(out.readUInt16BE(at + 4), out.length - at - 40));
  if (message.length < 4) return b;
  message.writeUInt16BE(0, 2);
  message.writeUInt16BE(icmpv6Checksum(ipv6FromBytes(out, at + 8), ipv6FromBytes(out, at + 24), message), 2);
  return out;
}
