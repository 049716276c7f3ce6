// RFC 8200 IPv6 header, RFC 4443 ICMPv6 echo and RFC 4861 neighbor solicitation/advertisement
// with link-layer address options. Field names as the RFCs spell them.
import { internetChecksum } from './checksum';
import { malformed } from './errors';
import { ETHERTYPE_IPV6, encodeEthernet, macFromBytes, macToBytes } from './ethernet';
import { ipv6FromBytes, ipv6ToBytes } from '../config/address';

export const IPPROTO_ICMPV6 = 58;
export const ICMPV6_ECHO_REQUEST = 128;
export const ICMPV6_ECHO_REPLY = 129;
export const ND_NEIGHBOR_SOLICIT = 135;
export const ND_NEIGHBOR_ADVERT = 136;
export const ND_OPT_SOURCE_LINKADDR = 1;
export const ND_OPT_TARGET_LINKADDR = 2;
/** ND messages must arrive with hop limit 255, proving they were not forwarded (RFC 4861 7.1). */
export const ND_HOP_LIMIT = 255;
export const DEFAULT_HOP_LIMIT = 64;
export const UNSPECIFIED_ADDRESS = '::';
export const ALL_NODES_ADDRESS = 'ff02::1';

export interface Ipv6Header {
  version: 6;
  trafficClass: number;
  flowLabel: number;
  payloadLength: number;
  nextHeader: number;
  hopLimit: number;
  sourceAddress: string;
  destinationAddress: string;
}

export interface Ipv6Packet extends Ipv6Header {
  /** Exactly payloadLength bytes: Ethernet padding is cut off. */
  payload: Buffer;
}

export type Ipv6Fields = Pick<Ipv6Header, 'trafficClass' | 'flowLabel' | 'nextHeader' | 'hopLimit' | 'sourceAddress' | 'destinationAddress'>;

export function encodeIpv6(fields: Ipv6Fields, payload: Buffer): Buffer {
  const buf = Buffer.alloc(40 + payload.length);
  buf.writeUInt32BE(((6 << 28) | ((fields.trafficClass & 0xff) << 20) | (fields.flowLabel & 0xfffff)) >>> 0, 0);
  buf.writeUInt16BE(payload.length, 4);
  buf[6] = fields.nextHeader;
  buf[7] = fields.hopLimit;
  ipv6ToBytes(fields.sourceAddress).copy(buf, 8);
  ipv6ToBytes(fields.destinationAddress).copy(buf, 24);
  payload.copy(buf, 40);
  return buf;
}

export function decodeIpv6(buf: Buffer): Ipv6Packet {
  if (buf.length < 40) malformed(`IPv6 packet of ${buf.length} bytes is shorter than a header.`);
  const first = buf.readUInt32BE(0);
  const version = first >>> 28;
  if (version !== 6) malformed(`IP version ${version} in an IPv6 frame.`);
  const payloadLength = buf.readUInt16BE(4);
  if (40 + payloadLength > buf.length) malformed(`IPv6 payload length ${payloadLength} exceeds the bytes received.`);
  return {
    version: 6,
    trafficClass: (first >>> 20) & 0xff,
    flowLabel: first & 0xfffff,
    payloadLength,
    nextHeader: buf[6],
    hopLimit: buf[7],
    sourceAddress: ipv6FromBytes(buf, 8),
    destinationAddress: ipv6FromBytes(buf, 24),
    payload: buf.subarray(40, 40 + payloadLength),
  };
}

/** ICMPv6 checksum over the RFC 8200 8.1 pseudo-header and the message (checksum field zeroed). */
export function icmpv6Checksum(sourceAddress: string, destinationAddress: string, message: Buffer): number {
  const pseudo = Buffer.alloc(40);
  ipv6ToBytes(sourceAddress).copy(pseudo, 0);
  ipv6ToBytes(destinationAddress).copy(pseudo, 16);
  pseudo.writeUInt32BE(message.length, 32);
  pseudo[39] = IPPROTO_ICMPV6;
  return internetChecksum(pseudo, message);
}

export interface Icmpv6Echo {
  type: typeof ICMPV6_ECHO_REQUEST | typeof ICMPV6_ECHO_REPLY;
  code: number;
  identifier: number;
  sequenceNumber: number;
  data: Buffer;
}

export interface NeighborSolicitation {
  type: typeof ND_NEIGHBOR_SOLICIT;
  code: number;
  targetAddress: string;
  sourceLinkLayerAddress?: string;
}

export interface NeighborAdvertisement {
  type: typeof ND_NEIGHBOR_ADVERT;
  code: number;
  routerFlag: boolean;
  solicitedFlag: boolean;
  overrideFlag: boolean;
  targetAddress: string;
  targetLinkLayerAddress?: string;
}

export type Icmpv6Message = Icmpv6Echo | NeighborSolicitation | NeighborAdvertisement;

function linkLayerOption(type: number, mac: string): Buffer {
  const opt = Buffer.alloc(8);
  opt[0] = type;
  opt[1] = 1;
  macToBytes(mac).copy(opt, 2);
  return opt;
}

function encodeBody(message: Icmpv6Message): Buffer {
  switch (message.type) {
    case ICMPV6_ECHO_REQUEST:
    case ICMPV6_ECHO_REPLY: {
      const buf = Buffer.alloc(8 + message.data.length);
      buf.writeUInt16BE(message.identifier, 4);
      buf.writeUInt16BE(message.sequenceNumber, 6);
      message.data.copy(buf, 8);
      return finishHeader(buf, message);
    }
    case ND_NEIGHBOR_SOLICIT: {
      const opt = message.sourceLinkLayerAddress ? linkLayerOption(ND_OPT_SOURCE_LINKADDR, message.sourceLinkLayerAddress) : Buffer.alloc(0);
      const buf = Buffer.alloc(24 + opt.length);
      ipv6ToBytes(message.targetAddress).copy(buf, 8);
      opt.copy(buf, 24);
      return finishHeader(buf, message);
    }
    case ND_NEIGHBOR_ADVERT: {
      const opt = message.targetLinkLayerAddress ? linkLayerOption(ND_OPT_TARGET_LINKADDR, message.targetLinkLayerAddress) : Buffer.alloc(0);
      const buf = Buffer.alloc(24 + opt.length);
      buf[4] = (message.routerFlag ? 0x80 : 0) | (message.solicitedFlag ? 0x40 : 0) | (message.overrideFlag ? 0x20 : 0);
      ipv6ToBytes(message.targetAddress).copy(buf, 8);
      opt.copy(buf, 24);
      return finishHeader(buf, message);
    }
  }
}

function finishHeader(buf: Buffer, message: Icmpv6Message): Buffer {
  buf[0] = message.type;
  buf[1] = message.code;
  return buf;
}

/** The ICMPv6 message bytes with the checksum for these IPv6 addresses. */
export function encodeIcmpv6(sourceAddress: string, destinationAddress: string, message: Icmpv6Message): Buffer {
  const buf = encodeBody(message);
  buf.writeUInt16BE(icmpv6Checksum(sourceAddress, destinationAddress, buf), 2);
  return buf;
}

/** A whole IPv6 packet carrying `message`; ND messages always go with hop limit 255. */
export function icmpv6Packet(sourceAddress: string, destinationAddress: string, message: Icmpv6Message, trafficClass = 0): Buffer {
  const isNd = message.type === ND_NEIGHBOR_SOLICIT || message.type === ND_NEIGHBOR_ADVERT;
  return encodeIpv6(
    { trafficClass, flowLabel: 0, nextHeader: IPPROTO_ICMPV6, hopLimit: isNd ? ND_HOP_LIMIT : DEFAULT_HOP_LIMIT, sourceAddress, destinationAddress },
    encodeIcmpv6(sourceAddress, destinationAddress, message),
  );
}

/** Link-layer address options by type; an option of length 0 or running past the end is malformed. */
function parseOptions(buf: Buffer): Map<number, string> {
  const found = new Map<number, string>();
  for (let off = 0; off < buf.length; ) {
    if (off + 2 > buf.length) malformed('Truncated neighbor discovery option.');
    const length = buf[off + 1] * 8;
    if (length === 0) malformed('Neighbor discovery option with length 0.');
    if (off + length > buf.length) malformed('Neighbor discovery option runs past the end of the message.');
    const type = buf[off];
    if ((type === ND_OPT_SOURCE_LINKADDR || type === ND_OPT_TARGET_LINKADDR) && length >= 8 && !found.has(type)) {
      found.set(type, macFromBytes(buf, off + 2));
    }
    off += length;
  }
  return found;
}

/**
 * Decode the ICMPv6 message in `packet` (nextHeader must be 58): null for types we do not handle,
 * throws when the message is broken or breaks RFC 4861 7.1.1 / 7.1.2 validity rules.
 */
export function decodeIcmpv6(packet: Ipv6Packet): Icmpv6Message | null {
  const buf = packet.payload;
  if (buf.length < 8) malformed(`ICMPv6 message of ${buf.length} bytes is too short.`);
  if (icmpv6Checksum(packet.sourceAddress, packet.destinationAddress, buf) !== 0) malformed('ICMPv6 checksum is wrong.');
  const type = buf[0];
  const code = buf[1];
  switch (type) {
    case ICMPV6_ECHO_REQUEST:
    case ICMPV6_ECHO_REPLY:
      return { type, code, identifier: buf.readUInt16BE(4), sequenceNumber: buf.readUInt16BE(6), data: buf.subarray(8) };
    case ND_NEIGHBOR_SOLICIT:
    case ND_NEIGHBOR_ADVERT: {
      if (packet.hopLimit !== ND_HOP_LIMIT) malformed(`Neighbor discovery with hop limit ${packet.hopLimit}, not 255.`);
      if (code !== 0) malformed(`Neighbor discovery with code ${code}.`);
      if (buf.length < 24) malformed(`Neighbor discovery message of ${buf.length} bytes is too short.`);
      const targetAddress = ipv6FromBytes(buf, 8);
      if (buf[8] === 0xff) malformed('Neighbor discovery target is a multicast address.');
      const options = parseOptions(buf.subarray(24));
      if (type === ND_NEIGHBOR_SOLICIT) {
        const sourceLinkLayerAddress = options.get(ND_OPT_SOURCE_LINKADDR);
        if (packet.sourceAddress === UNSPECIFIED_ADDRESS) {
          if (sourceLinkLayerAddress) malformed('Neighbor solicitation from :: carries a source link-layer address.');
          if (!isSolicitedNodeAddress(packet.destinationAddress)) malformed('Neighbor solicitation from :: not sent to a solicited-node address.');
        }
        return { type, code, targetAddress, ...(sourceLinkLayerAddress ? { sourceLinkLayerAddress } : {}) };
      }
      const flags = buf[4];
      const solicitedFlag = (flags & 0x40) !== 0;
      if (solicitedFlag && ipv6ToBytes(packet.destinationAddress)[0] === 0xff) malformed('Solicited neighbor advertisement sent to a multicast address.');
      const targetLinkLayerAddress = options.get(ND_OPT_TARGET_LINKADDR);
      return {
        type, code,
        routerFlag: (flags & 0x80) !== 0,
        solicitedFlag,
        overrideFlag: (flags & 0x20) !== 0,
        targetAddress,
        ...(targetLinkLayerAddress ? { targetLinkLayerAddress } : {}),
      };
    }
    default:
      return null;
  }
}

// By bytes, not text: "ff::1" (00ff::1) is unicast and "ff02::1:ff0" is no solicited-node address.
const SOLICITED_NODE_PREFIX = ipv6ToBytes('ff02::1:ff00:0').subarray(0, 13);

function isSolicitedNodeAddress(address: string): boolean {
  return ipv6ToBytes(address).subarray(0, 13).equals(SOLICITED_NODE_PREFIX);
}

/** RFC 4291 2.7.1: ff02::1:ff00:0/104 plus the low 24 bits of the address. */
export function solicitedNodeAddress(address: string): string {
  const bytes = ipv6ToBytes(address);
  const out = ipv6ToBytes('ff02::1:ff00:0');
  bytes.copy(out, 13, 13, 16);
  return ipv6FromBytes(out);
}

/** RFC 2464 7: 33:33 plus the low 32 bits of the IPv6 multicast address. */
export function multicastMac(address: string): string {
  const bytes = ipv6ToBytes(address);
  return macFromBytes(Buffer.concat([Buffer.from([0x33, 0x33]), bytes.subarray(12, 16)]));
}

/**
 * Unsolicited advertisement to all-nodes (RFC 4861 7.2.6) with override set: the IPv6 counterpart
 * of gratuitous ARP, sent when a director takes over a v6 virtual address.
 */
export function unsolicitedAdvertisementFrame(mac: string, address: string, vlanTci?: number): Buffer {
  return encodeEthernet(
    { destination: multicastMac(ALL_NODES_ADDRESS), source: mac, vlanTci, etherType: ETHERTYPE_IPV6 },
    icmpv6Packet(address, ALL_NODES_ADDRESS, {
      type: ND_NEIGHBOR_ADVERT, code: 0, routerFlag: false, solicitedFlag: false, overrideFlag: true,
      targetAddress: address, targetLinkLayerAddress: mac,
    }),
  );
}
