// VRRP advertisements for IPv4: RFC 3768 (version 2) and RFC 5798 (version 3), with the IPv4 and
// Ethernet headers they travel in. Pure: Buffers in, Buffers out. Field names as the RFCs spell them.
import { isUtf8 } from 'node:buffer';
import { internetChecksum } from '../arp/checksum';
import { malformed } from '../arp/errors';
import { ETHERTYPE_IPV4, decodeEthernet, encodeEthernet } from '../arp/ethernet';
import { decodeIpv4, encodeIpv4 } from '../arp/icmp_codec';
import { ipv4FromBytes, ipv4ToBytes } from '../config/address';

export const IPPROTO_VRRP = 112;
export const VRRP_MULTICAST_ADDRESS = '224.0.0.18';
export const VRRP_MULTICAST_MAC = '01:00:5e:00:00:12';
export const VRRP_TTL = 255;
export const VRRP_TYPE_ADVERTISEMENT = 1;
export const AUTH_NONE = 0;
export const AUTH_SIMPLE = 1;
/** keepalived's (and Cisco's) IP precedence "internetwork control" for VRRP. */
export const VRRP_TOS = 0xc0;
const AUTH_DATA_LENGTH = 8;

export type VrrpVersion = 2 | 3;

export interface VrrpAdvertisement {
  version: VrrpVersion;
  vrid: number;
  priority: number;
  /** The IPvX addresses the sender backs up (its "virtual addresses"). */
  addresses: string[];
  /**
   * Version 2: Adver Int in seconds. Version 3: Max Adver Int in centiseconds. Kept in the unit
   * the wire uses; use intervalCentiseconds() to compare.
   */
  adverInt: number;
  /** Version 2 only. */
  authType?: number;
  /** Version 2, auth type 1: the password (at most 8 bytes, NUL-padded on the wire). */
  authData?: string;
}

export interface VrrpPacket extends VrrpAdvertisement {
  checksum: number;
  /** True when the checksum the sender put in matches the message. */
  checksumOk: boolean;
  sourceAddress: string;
  destinationAddress: string;
  timeToLive: number;
  /** Ethernet source: the sender's virtual MAC for RFC senders, its own MAC for keepalived. */
  sourceMac: string;
}

export function intervalCentiseconds(ad: Pick<VrrpAdvertisement, 'version' | 'adverInt'>): number {
  return ad.version === 2 ? ad.adverInt * 100 : ad.adverInt;
}

/** 00:00:5e:00:01:{VRID} (RFC 5798 7.3, IPv4). */
export function virtualMac(vrid: number): string {
  return `00:00:5e:00:01:${vrid.toString(16).padStart(2, '0')}`;
}

/** The VRRP message alone (no IP header). Version 3 needs the IP addresses for its checksum. */
export function encodeVrrp(ad: VrrpAdvertisement, sourceAddress: string, destinationAddress: string): Buffer {
  if (!Number.isInteger(ad.vrid) || ad.vrid < 1 || ad.vrid > 255) throw new TypeError(`VRID ${ad.vrid} is not 1 to 255.`);
  if (!Number.isInteger(ad.priority) || ad.priority < 0 || ad.priority > 255) throw new TypeError(`priority ${ad.priority} is not 0 to 255.`);
  if (ad.addresses.length > 255) throw new TypeError('a VRRP advertisement carries at most 255 addresses.');
  const trailer = ad.version === 2 ? AUTH_DATA_LENGTH : 0;
  const buf = Buffer.alloc(8 + 4 * ad.addresses.length + trailer);
  buf[0] = (ad.version << 4) | VRRP_TYPE_ADVERTISEMENT;
  buf[1] = ad.vrid;
  buf[2] = ad.priority;
  buf[3] = ad.addresses.length;
  if (ad.version === 2) {
    if (!Number.isInteger(ad.adverInt) || ad.adverInt < 1 || ad.adverInt > 255) throw new TypeError(`Adver Int ${ad.adverInt} is not 1 to 255 seconds.`);
    buf[4] = ad.authType ?? AUTH_NONE;
    buf[5] = ad.adverInt;
  } else {
    if (!Number.isInteger(ad.adverInt) || ad.adverInt < 1 || ad.adverInt > 0xfff) throw new TypeError(`Max Adver Int ${ad.adverInt} is not 1 to 4095 centiseconds.`);
    buf.writeUInt16BE(ad.adverInt & 0xfff, 4);
  }
  ad.addresses.forEach((a, i) => ipv4ToBytes(a).copy(buf, 8 + 4 * i));
  if (ad.version === 2 && ad.authType === AUTH_SIMPLE) {
    const pass = Buffer.from(ad.authData ?? '', 'utf8');
    if (pass.length > AUTH_DATA_LENGTH) throw new TypeError('a VRRP password is at most 8 bytes.');
    pass.copy(buf, buf.length - AUTH_DATA_LENGTH);
  }
  buf.writeUInt16BE(vrrpChecksum(buf, ad.version, sourceAddress, destinationAddress), 6);
  return buf;
}

/** Over the message with its checksum field as it stands (0 to compute, the sent one to verify). */
function vrrpChecksum(message: Buffer, version: VrrpVersion, sourceAddress: string, destinationAddress: string): number {
  if (version === 2) return internetChecksum(message);
  // RFC 5798 5.2.8: version 3 covers an IPv4 pseudo-header as UDP does.
  const pseudo = Buffer.alloc(12);
  ipv4ToBytes(sourceAddress).copy(pseudo, 0);
  ipv4ToBytes(destinationAddress).copy(pseudo, 4);
  pseudo[9] = IPPROTO_VRRP;
  pseudo.writeUInt16BE(message.length, 10);
  return internetChecksum(pseudo, message);
}

export interface AdvertFrameOptions {
  sourceMac: string;
  sourceAddress: string;
  /** 224.0.0.18 or a unicast peer. */
  destinationAddress: string;
  /** Needed for unicast peers; multicast derives it. */
  destinationMac?: string;
  identification?: number;
}

/** A whole Ethernet frame carrying one advertisement. */
export function advertFrame(ad: VrrpAdvertisement, o: AdvertFrameOptions): Buffer {
  const message = encodeVrrp(ad, o.sourceAddress, o.destinationAddress);
  const packet = encodeIpv4({
    typeOfService: VRRP_TOS, identification: o.identification ?? 0, flags: 0, fragmentOffset: 0,
    timeToLive: VRRP_TTL, protocol: IPPROTO_VRRP, sourceAddress: o.sourceAddress, destinationAddress: o.destinationAddress,
  }, message);
  const destination = o.destinationMac ?? multicastMacOf(o.destinationAddress);
  return encodeEthernet({ destination, source: o.sourceMac, etherType: ETHERTYPE_IPV4 }, packet);
}

function multicastMacOf(address: string): string {
  const b = ipv4ToBytes(address);
  if ((b[0] & 0xf0) !== 0xe0) throw new TypeError(`${address} is not multicast; give the peer's MAC.`);
  return `01:00:5e:${(b[1] & 0x7f).toString(16).padStart(2, '0')}:${b[2].toString(16).padStart(2, '0')}:${b[3].toString(16).padStart(2, '0')}`;
}

/** Decodes the VRRP message inside an IPv4 packet whose header fields are given. */
export function decodeVrrp(message: Buffer, sourceAddress: string, destinationAddress: string): VrrpAdvertisement & { checksum: number; checksumOk: boolean } {
  if (message.length < 8) malformed(`VRRP message of ${message.length} bytes is too short.`);
  const version = message[0] >> 4;
  const type = message[0] & 0x0f;
  if (version !== 2 && version !== 3) malformed(`VRRP version ${version} is neither 2 nor 3.`);
  if (type !== VRRP_TYPE_ADVERTISEMENT) malformed(`VRRP type ${type} is not an advertisement.`);
  // RFC 5798 5.2.3: no virtual router has id 0, so no instance could take (or answer) such an advert.
  if (message[1] === 0) malformed('VRRP virtual router id 0 is not 1 to 255.');
  const count = message[3];
  const length = 8 + 4 * count + (version === 2 ? AUTH_DATA_LENGTH : 0);
  if (message.length < length) malformed(`VRRP message of ${message.length} bytes is shorter than its ${count} addresses need.`);
  const body = message.subarray(0, length);
  const addresses: string[] = [];
  for (let i = 0; i < count; i++) addresses.push(ipv4FromBytes(body, 8 + 4 * i));
  const checksumOk = vrrpChecksum(body, version, sourceAddress, destinationAddress) === 0;
  const ad: VrrpAdvertisement & { checksum: number; checksumOk: boolean } = {
    version, vrid: body[1], priority: body[2], addresses,
    adverInt: version === 2 ? body[5] : body.readUInt16BE(4) & 0xfff,
    checksum: body.readUInt16BE(6), checksumOk,
  };
  if (version === 2) {
    ad.authType = body[4];
    if (ad.authType === AUTH_SIMPLE) {
      const pass = body.subarray(length - AUTH_DATA_LENGTH);
      // Read leniently, invalid bytes become U+FFFD: another password, and up to 24 bytes long.
      if (!isUtf8(pass)) malformed('VRRP authentication data is not a UTF-8 password.');
      ad.authData = pass.toString('utf8').replace(/\0+$/, '');
    }
  }
  return ad;
}

/** null when the frame is not IPv4 protocol 112; throws MalformedPacketError when it is but broken. */
export function decodeAdvertFrame(frame: Buffer): VrrpPacket | null {
  const ethernet = decodeEthernet(frame);
  if (ethernet.etherType !== ETHERTYPE_IPV4) return null;
  const ip = decodeIpv4(ethernet.payload);
  if (ip.protocol !== IPPROTO_VRRP) return null;
  if ((ip.flags & 1) !== 0 || ip.fragmentOffset !== 0) malformed('VRRP in a fragmented IPv4 packet.');
  const ad = decodeVrrp(ip.payload, ip.sourceAddress, ip.destinationAddress);
  return {
    ...ad, sourceAddress: ip.sourceAddress, destinationAddress: ip.destinationAddress,
    timeToLive: ip.timeToLive, sourceMac: ethernet.source,
  };
}
