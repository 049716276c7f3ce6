// RFC 826 ARP for Ethernet hardware and IPv4 protocol addresses. Field names as in the RFC
// (ar$hrd, ar$pro, ar$hln, ar$pln, ar$op, ar$sha, ar$spa, ar$tha, ar$tpa).
import { malformed } from './errors';
import { BROADCAST_MAC, ETHERTYPE_ARP, ETHERTYPE_IPV4, ZERO_MAC, encodeEthernet, macFromBytes, macToBytes } from './ethernet';
import { ipv4FromBytes, ipv4ToBytes } from '../config/address';

export const ARP_HRD_ETHERNET = 1;
export const ARP_OP_REQUEST = 1;
export const ARP_OP_REPLY = 2;
export const ARP_PACKET_LENGTH = 28;

export interface ArpPacket {
  hrd: number;
  pro: number;
  hln: number;
  pln: number;
  op: number;
  sha: string;
  spa: string;
  tha: string;
  tpa: string;
}

export type ArpMessage = Pick<ArpPacket, 'op' | 'sha' | 'spa' | 'tha' | 'tpa'>;

export function encodeArp(message: ArpMessage): Buffer {
  const buf = Buffer.alloc(ARP_PACKET_LENGTH);
  buf.writeUInt16BE(ARP_HRD_ETHERNET, 0);
  buf.writeUInt16BE(ETHERTYPE_IPV4, 2);
  buf[4] = 6;
  buf[5] = 4;
  buf.writeUInt16BE(message.op, 6);
  macToBytes(message.sha).copy(buf, 8);
  ipv4ToBytes(message.spa).copy(buf, 14);
  macToBytes(message.tha).copy(buf, 18);
  ipv4ToBytes(message.tpa).copy(buf, 24);
  return buf;
}

/** Only Ethernet/IPv4 ARP exists on our links; anything else is malformed for us. */
export function decodeArp(payload: Buffer): ArpPacket {
  if (payload.length < ARP_PACKET_LENGTH) malformed(`ARP packet of ${payload.length} bytes is too short.`);
  const hrd = payload.readUInt16BE(0);
  const pro = payload.readUInt16BE(2);
  const hln = payload[4];
  const pln = payload[5];
  if (hrd !== ARP_HRD_ETHERNET || pro !== ETHERTYPE_IPV4 || hln !== 6 || pln !== 4) {
    malformed(`ARP for hardware ${hrd}/protocol 0x${pro.toString(16)} (${hln}/${pln}) is not Ethernet/IPv4.`);
  }
  const op = payload.readUInt16BE(6);
  if (op !== ARP_OP_REQUEST && op !== ARP_OP_REPLY) malformed(`ARP opcode ${op} is neither request nor reply.`);
  return {
    hrd, pro, hln, pln, op,
    sha: macFromBytes(payload, 8),
    spa: ipv4FromBytes(payload, 14),
    tha: macFromBytes(payload, 18),
    tpa: ipv4FromBytes(payload, 24),
  };
}

/** Broadcast "who has tpa" from sha/spa; spa 0.0.0.0 makes it an RFC 5227 probe. */
export function arpRequestFrame(sha: string, spa: string, tpa: string, destination = BROADCAST_MAC, vlanTci?: number): Buffer {
  return encodeEthernet(
    { destination, source: sha, vlanTci, etherType: ETHERTYPE_ARP },
    encodeArp({ op: ARP_OP_REQUEST, sha, spa, tha: ZERO_MAC, tpa }),
  );
}

/** The reply to `request`, unicast to the asker, saying `address` is at `mac`. */
export function arpReplyFrame(request: ArpPacket, mac: string, address: string, vlanTci?: number): Buffer {
  return encodeEthernet(
    { destination: request.sha, source: mac, vlanTci, etherType: ETHERTYPE_ARP },
    encodeArp({ op: ARP_OP_REPLY, sha: mac, spa: address, tha: request.sha, tpa: request.spa }),
  );
}

/** Gratuitous ARP (a broadcast request with spa = tpa), as sent on takeover to move a VIP. */
export function gratuitousArpFrame(mac: string, address: string, vlanTci?: number): Buffer {
  return encodeEthernet(
    { destination: BROADCAST_MAC, source: mac, vlanTci, etherType: ETHERTYPE_ARP },
    encodeArp({ op: ARP_OP_REQUEST, sha: mac, spa: address, tha: ZERO_MAC, tpa: address }),
  );
}
