// Answers for virtual-service addresses, which no kernel interface of the director holds.
import { ARP_OP_REPLY, ARP_OP_REQUEST, arpReplyFrame } from './arp_codec';
import { ControlFrame } from './control_frame';
import { ETHERTYPE_IPV4, ETHERTYPE_IPV6, ZERO_MAC, encodeEthernet } from './ethernet';
import { ICMP_ECHO, echoReplyPacket } from './icmp_codec';
import {
  ALL_NODES_ADDRESS, ICMPV6_ECHO_REPLY, ICMPV6_ECHO_REQUEST, ND_NEIGHBOR_ADVERT, ND_NEIGHBOR_SOLICIT,
  UNSPECIFIED_ADDRESS, icmpv6Packet, multicastMac,
} from './nd_codec';

export interface ResponderContext {
  /** Our interface's MAC: every answer comes from it. */
  mac: string;
  /** Takes canonical address text, as the decoders produce. */
  isVirtual(address: string): boolean;
  /** The MAC that answers for a virtual address (VRRP's virtual MAC while master); default `mac`. */
  macFor?(address: string): string;
}

/** The frame to send in answer, or null when `frame` is not a question about a virtual address. */
export function answer(frame: ControlFrame, ctx: ResponderContext): Buffer | null {
  if (frame.kind === 'other' || frame.ethernet.source === ctx.mac) return null;
  const vlanTci = frame.ethernet.vlanTci;
  switch (frame.kind) {
    case 'arp': {
      const { arp } = frame;
      // spa = tpa is someone announcing the address (e.g. a peer director taking over), not asking.
      if (arp.op !== ARP_OP_REQUEST || !ctx.isVirtual(arp.tpa) || arp.spa === arp.tpa) return null;
      if (arp.sha === ZERO_MAC || arp.sha === ctx.mac) return null;
      return arpReplyFrame(arp, ctx.macFor?.(arp.tpa) ?? ctx.mac, arp.tpa, vlanTci);
    }
    case 'icmp': {
      const { ip, echo } = frame;
      if (echo.type !== ICMP_ECHO || echo.code !== 0 || !ctx.isVirtual(ip.destinationAddress)) return null;
      return encodeEthernet(
        { destination: frame.ethernet.source, source: ctx.macFor?.(ip.destinationAddress) ?? ctx.mac, vlanTci, etherType: ETHERTYPE_IPV4 },
        echoReplyPacket(ip, echo),
      );
    }
    case 'icmpv6': {
      const { ip, message } = frame;
      if (message.type === ICMPV6_ECHO_REQUEST) {
        if (message.code !== 0 || !ctx.isVirtual(ip.destinationAddress)) return null;
        const packet = icmpv6Packet(ip.destinationAddress, ip.sourceAddress, {
          type: ICMPV6_ECHO_REPLY, code: 0, identifier: message.identifier, sequenceNumber: message.sequenceNumber, data: message.data,
        }, ip.trafficClass);
        return encodeEthernet({ destination: frame.ethernet.source, source: ctx.mac, vlanTci, etherType: ETHERTYPE_IPV6 }, packet);
      }
      if (message.type !== ND_NEIGHBOR_SOLICIT || !ctx.isVirtual(message.targetAddress)) return null;
      // RFC 4861 7.2.4: a solicitation from :: (duplicate address detection) is answered to all-nodes.
      const fromUnspecified = ip.sourceAddress === UNSPECIFIED_ADDRESS;
      const destinationAddress = fromUnspecified ? ALL_NODES_ADDRESS : ip.sourceAddress;
      const destinationMac = fromUnspecified
        ? multicastMac(ALL_NODES_ADDRESS)
        : message.sourceLinkLayerAddress ?? frame.ethernet.source;
      const packet = icmpv6Packet(message.targetAddress, destinationAddress, {
        type: ND_NEIGHBOR_ADVERT, code: 0,
        routerFlag: false, solicitedFlag: !fromUnspecified, overrideFlag: true,
        targetAddress: message.targetAddress, targetLinkLayerAddress: ctx.mac,
      });
      return encodeEthernet({ destination: destinationMac, source: ctx.mac, vlanTci, etherType: ETHERTYPE_IPV6 }, packet);
    }
  }
}

/**
 * The (address, MAC) binding an answer to one of our own requests claims, for the resolver; null
 * for anything else. Only an ARP reply or a solicited neighbour advertisement sent to our MAC can
 * be an answer: gratuitous ARP, requests and unsolicited advertisements are what anyone on the
 * LAN can send to move a real server's traffic, so they teach nothing.
 */
export function bindingOf(frame: ControlFrame, ownMac: string): { address: string; mac: string } | null {
  if (frame.kind === 'other' || frame.ethernet.source === ownMac || frame.ethernet.destination !== ownMac) return null;
  if (frame.kind === 'arp') {
    const { op, spa, sha, tha } = frame.arp;
    if (op !== ARP_OP_REPLY || tha !== ownMac || spa === '0.0.0.0' || sha === ZERO_MAC || sha === ownMac) return null;
    return { address: spa, mac: sha };
  }
  if (frame.kind !== 'icmpv6') return null;
  const { message } = frame;
  if (message.type === ND_NEIGHBOR_ADVERT && message.solicitedFlag) {
    // Without the option the advertiser is the frame's sender (RFC 4861 allows omitting it on unicast).
    return { address: message.targetAddress, mac: message.targetLinkLayerAddress ?? frame.ethernet.source };
  }
  return null;
}

/**
 * The (address, MAC) binding any other frame claims for its sender: ARP requests, gratuitous ARP,
 * replies meant for others, solicitations with a source link-layer address, unsolicited
 * advertisements. Anyone can send these, so the resolver takes one only as a reason to ask.
 */
export function hintOf(frame: ControlFrame, ownMac: string): { address: string; mac: string } | null {
  if (frame.kind === 'other' || frame.ethernet.source === ownMac) return null;
  if (frame.kind === 'arp') {
    const { spa, sha } = frame.arp;
    if (spa === '0.0.0.0' || sha === ZERO_MAC || sha === ownMac) return null;
    return { address: spa, mac: sha };
  }
  if (frame.kind !== 'icmpv6') return null;
  const { ip, message } = frame;
  if (message.type === ND_NEIGHBOR_SOLICIT && message.sourceLinkLayerAddress !== undefined) {
    return { address: ip.sourceAddress, mac: message.sourceLinkLayerAddress };
  }
  if (message.type === ND_NEIGHBOR_ADVERT && message.targetLinkLayerAddress !== undefined) {
    return { address: message.targetAddress, mac: message.targetLinkLayerAddress };
  }
  return null;
}
