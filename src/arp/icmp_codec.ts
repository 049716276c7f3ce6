// RFC 791 IPv4 header and RFC 792 ICMP echo / echo reply. Field names as the RFCs spell them.
import { internetChecksum } from './checksum';
import { malformed } from './errors';
import { ipv4FromBytes, ipv4ToBytes } from '../config/address';

export const IPPROTO_ICMP = 1;
export const ICMP_ECHO_REPLY = 0;
export const ICMP_ECHO = 8;
/** The TTL of every datagram we originate (Linux's default too). */
export const DEFAULT_TTL = 64;

export interface Ipv4Header {
  version: 4;
  ihl: number;
  typeOfService: number;
  totalLength: number;
  identification: number;
  /** The 3-bit field: 0b010 = Don't Fragment, 0b001 = More Fragments. */
  flags: number;
  fragmentOffset: number;
  timeToLive: number;
  protocol: number;
  headerChecksum: number;
  sourceAddress: string;
  destinationAddress: string;
  options: Buffer;
}

export interface Ipv4Packet extends Ipv4Header {
  /** Exactly totalLength - ihl*4 bytes: Ethernet padding is cut off. */
  payload: Buffer;
}

export type Ipv4Fields = Pick<
  Ipv4Header,
  'typeOfService' | 'identification' | 'flags' | 'fragmentOffset' | 'timeToLive' | 'protocol' | 'sourceAddress' | 'destinationAddress'
>;

/** A 20-byte header (no options) followed by the payload, with totalLength and checksum filled. */
export function encodeIpv4(fields: Ipv4Fields, payload: Buffer): Buffer {
  const buf = Buffer.alloc(20 + payload.length);
  buf[0] = 0x45;
  buf[1] = fields.typeOfService;
  buf.writeUInt16BE(buf.length, 2);
  buf.writeUInt16BE(fields.identification, 4);
  buf.writeUInt16BE(((fields.flags & 0x7) << 13) | (fields.fragmentOffset & 0x1fff), 6);
  buf[8] = fields.timeToLive;
  buf[9] = fields.protocol;
  ipv4ToBytes(fields.sourceAddress).copy(buf, 12);
  ipv4ToBytes(fields.destinationAddress).copy(buf, 16);
  buf.writeUInt16BE(internetChecksum(buf.subarray(0, 20)), 10);
  payload.copy(buf, 20);
  return buf;
}

export function decodeIpv4(buf: Buffer): Ipv4Packet {
  if (buf.length < 20) malformed(`IPv4 packet of ${buf.length} bytes is shorter than a header.`);
  const version = buf[0] >> 4;
  const ihl = buf[0] & 0x0f;
  if (version !== 4) malformed(`IP version ${version} in an IPv4 frame.`);
  if (ihl < 5 || ihl * 4 > buf.length) malformed(`IPv4 header length ${ihl * 4} is impossible.`);
  const totalLength = buf.readUInt16BE(2);
  if (totalLength < ihl * 4 || totalLength > buf.length) {
    malformed(`IPv4 total length ${totalLength} does not fit the ${buf.length} bytes received.`);
  }
  if (internetChecksum(buf.subarray(0, ihl * 4)) !== 0) malformed('IPv4 header checksum is wrong.');
  const flagsAndOffset = buf.readUInt16BE(6);
  return {
    version: 4,
    ihl,
    typeOfService: buf[1],
    totalLength,
    identification: buf.readUInt16BE(4),
    flags: flagsAndOffset >> 13,
    fragmentOffset: flagsAndOffset & 0x1fff,
    timeToLive: buf[8],
    protocol: buf[9],
    headerChecksum: buf.readUInt16BE(10),
    sourceAddress: ipv4FromBytes(buf, 12),
    destinationAddress: ipv4FromBytes(buf, 16),
    options: buf.subarray(20, ihl * 4),
    payload: buf.subarray(ihl * 4, totalLength),
  };
}

export function isFragment(packet: Ipv4Header): boolean {
  return (packet.flags & 0x1) !== 0 || packet.fragmentOffset !== 0;
}

export interface IcmpEcho {
  type: typeof ICMP_ECHO | typeof ICMP_ECHO_REPLY;
  code: number;
  identifier: number;
  sequenceNumber: number;
  data: Buffer;
}

export function encodeIcmpEcho(echo: IcmpEcho): Buffer {
  const buf = Buffer.alloc(8 + echo.data.length);
  buf[0] = echo.type;
  buf[1] = echo.code;
  buf.writeUInt16BE(echo.identifier, 4);
  buf.writeUInt16BE(echo.sequenceNumber, 6);
  echo.data.copy(buf, 8);
  buf.writeUInt16BE(internetChecksum(buf), 2);
  return buf;
}

/** null for ICMP messages that are not echo / echo reply; throws when the message is broken. */
export function decodeIcmpEcho(buf: Buffer): IcmpEcho | null {
  if (buf.length < 8) malformed(`ICMP message of ${buf.length} bytes is too short.`);
  if (internetChecksum(buf) !== 0) malformed('ICMP checksum is wrong.');
  const type = buf[0];
  if (type !== ICMP_ECHO && type !== ICMP_ECHO_REPLY) return null;
  return {
    type,
    code: buf[1],
    identifier: buf.readUInt16BE(4),
    sequenceNumber: buf.readUInt16BE(6),
    data: buf.subarray(8),
  };
}

/** The IPv4 datagram answering `request`'s echo: same identifier, sequence number and data. */
export function echoReplyPacket(request: Ipv4Packet, echo: IcmpEcho): Buffer {
  return encodeIpv4(
    {
      typeOfService: request.typeOfService,
      identification: 0,
      flags: 0,
      fragmentOffset: 0,
      timeToLive: DEFAULT_TTL,
      protocol: IPPROTO_ICMP,
      sourceAddress: request.destinationAddress,
      destinationAddress: request.sourceAddress,
    },
    encodeIcmpEcho({ type: ICMP_ECHO_REPLY, code: 0, identifier: echo.identifier, sequenceNumber: echo.sequenceNumber, data: echo.data }),
  );
}
