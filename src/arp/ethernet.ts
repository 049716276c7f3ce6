// Ethernet II header (with at most one 802.1Q tag) and MAC address text.
import { malformed } from './errors';

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_ARP = 0x0806;
export const ETHERTYPE_VLAN = 0x8100;
export const ETHERTYPE_IPV6 = 0x86dd;

export const BROADCAST_MAC = 'ff:ff:ff:ff:ff:ff';
export const ZERO_MAC = '00:00:00:00:00:00';
/** Frames shorter than this (without FCS) are runts; we pad rather than rely on the driver. */
export const MIN_FRAME_LENGTH = 60;

export interface EthernetHeader {
  destination: string;
  source: string;
  /** 802.1Q tag control information when the frame carried a tag; replies keep it. */
  vlanTci?: number;
  etherType: number;
}

export interface EthernetFrame extends EthernetHeader {
  payload: Buffer;
}

const MAC_RE = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;

export function isMac(text: string): boolean {
  return MAC_RE.test(text);
}

export function macToBytes(mac: string): Buffer {
  if (!isMac(mac)) throw new TypeError(`"${mac}" is not a MAC address (expected aa:bb:cc:dd:ee:ff).`);
  return Buffer.from(mac.replace(/:/g, ''), 'hex');
}

export function macFromBytes(buf: Buffer, offset = 0): string {
  const parts: string[] = [];
  for (let i = 0; i < 6; i++) parts.push(buf[offset + i].toString(16).padStart(2, '0'));
  return parts.join(':');
}

export function isMulticastMac(mac: string): boolean {
  return (parseInt(mac.slice(0, 2), 16) & 1) === 1;
}

export function encodeEthernet(header: EthernetHeader, payload: Buffer): Buffer {
  const tagged = header.vlanTci !== undefined;
  const headerLength = tagged ? 18 : 14;
  const frame = Buffer.alloc(Math.max(headerLength + payload.length, MIN_FRAME_LENGTH));
  macToBytes(header.destination).copy(frame, 0);
  macToBytes(header.source).copy(frame, 6);
  if (tagged) {
    frame.writeUInt16BE(ETHERTYPE_VLAN, 12);
    frame.writeUInt16BE(header.vlanTci! & 0xffff, 14);
  }
  frame.writeUInt16BE(header.etherType, headerLength - 2);
  payload.copy(frame, headerLength);
  return frame;
}

/** The payload keeps any trailing padding: the layer above knows its own length. */
export function decodeEthernet(frame: Buffer): EthernetFrame {
  if (frame.length < 14) malformed(`Ethernet frame of ${frame.length} bytes is shorter than its header.`);
  const destination = macFromBytes(frame, 0);
  const source = macFromBytes(frame, 6);
  let etherType = frame.readUInt16BE(12);
  if (etherType !== ETHERTYPE_VLAN) return { destination, source, etherType, payload: frame.subarray(14) };
  if (frame.length < 18) malformed('802.1Q-tagged frame is shorter than its header.');
  const vlanTci = frame.readUInt16BE(14);
  etherType = frame.readUInt16BE(16);
  return { destination, source, vlanTci, etherType, payload: frame.subarray(18) };
}
