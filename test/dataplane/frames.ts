// A small Ethernet frame builder for dataplane tests: every byte laid out by hand (RFC 791, 793,
// 768, 8200, 826), checksums computed, so a test can compare the addon's output byte for byte.
import { isIPv4 } from 'node:net';
import { addressToBytes } from '../../src/dataplane/convert';

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;

export function macBytes(mac: string): Buffer {
  return Buffer.from(mac.split(':').map((h) => parseInt(h, 16)));
}

function ipBytes(address: string): Buffer {
  const { family, addr } = addressToBytes(address, 'test address');
  return family === 4 ? addr.subarray(0, 4) : addr;
}

function sum16(buf: Buffer, acc = 0): number {
  for (let i = 0; i + 1 < buf.length; i += 2) acc += buf.readUInt16BE(i);
  if (buf.length & 1) acc += buf[buf.length - 1] << 8;
  return acc;
}

function fold(acc: number): number {
  while (acc > 0xffff) acc = (acc & 0xffff) + Math.floor(acc / 0x10000);
  return ~acc & 0xffff;
}

function pseudoHeader(src: Buffer, dst: Buffer, proto: number, len: number): Buffer {
  if (src.length === 4) {
    const p = Buffer.alloc(12);
    src.copy(p, 0);
    dst.copy(p, 4);
    p[9] = proto;
    p.writeUInt16BE(len, 10);
    return p;
  }
  const p = Buffer.alloc(40);
  src.copy(p, 0);
  dst.copy(p, 16);
  p.writeUInt32BE(len, 32);
  p[39] = proto;
  return p;
}

export interface FrameSpec {
  srcMac?: string;
  dstMac?: string;
  src: string;
  dst: string;
  sport?: number;
  dport?: number;
  flags?: number;
  payload?: Buffer;
  vlan?: number;
}

export function ipPacket(spec: FrameSpec, proto: number, l4: Buffer): { type: number; packet: Buffer } {
  const src = ipBytes(spec.src);
  const dst = ipBytes(spec.dst);
  if (isIPv4(spec.src)) {
    const h = Buffer.alloc(20);
    h[0] = 0x45;
    h.writeUInt16BE(20 + l4.length, 2);
    h.writeUInt16BE(0x1234, 4);
    h.writeUInt16BE(0x4000, 6); // DF
    h[8] = 64;
    h[9] = proto;
    src.copy(h, 12);
    dst.copy(h, 16);
    h.writeUInt16BE(fold(sum16(h)), 10);
    return { type: 0x0800, packet: Buffer.concat([h, l4]) };
  }
  const h = Buffer.alloc(40);
  h.writeUInt32BE(0x60000000, 0);
  h.writeUInt16BE(l4.length, 4);
  h[6] = proto;
  h[7] = 64;
  src.copy(h, 8);
  dst.copy(h, 24);
  return { type: 0x86dd, packet: Buffer.concat([h, l4]) };
}

export function ethernet(spec: { srcMac?: string; dstMac?: string; vlan?: number }, type: number, body: Buffer): Buffer {
  const parts = [macBytes(spec.dstMac ?? '02:00:00:00:00:01'), macBytes(spec.srcMac ?? '02:00:00:00:00:99')];
  if (spec.vlan !== undefined) {
    const tag = Buffer.alloc(4);
    tag.writeUInt16BE(0x8100, 0);
    tag.writeUInt16BE(spec.vlan, 2);
    parts.push(tag);
  }
  const t = Buffer.alloc(2);
  t.writeUInt16BE(type, 0);
  return Buffer.concat([...parts, t, body]);
}

export function tcpFrame(spec: FrameSpec): Buffer {
  const payload = spec.payload ?? Buffer.alloc(0);
  const t = Buffer.alloc(20);
  t.writeUInt16BE(spec.sport ?? 40000, 0);
  t.writeUInt16BE(spec.dport ?? 80, 2);
  t.writeUInt32BE(1000, 4);
  t.writeUInt32BE((spec.flags ?? TCP_SYN) & TCP_ACK ? 2000 : 0, 8);
  t[12] = 5 << 4;
  t[13] = spec.flags ?? TCP_SYN;
  t.writeUInt16BE(64240, 14);
  const seg = Buffer.concat([t, payload]);
  const ph = pseudoHeader(ipBytes(spec.src), ipBytes(spec.dst), 6, seg.length);
  seg.writeUInt16BE(fold(sum16(seg, sum16(ph))), 16);
  const { type, packet } = ipPacket(spec, 6, seg);
  return ethernet(spec, type, packet);
}

export function udpFrame(spec: FrameSpec): Buffer {
  const payload = spec.payload ?? Buffer.from('ping');
  const u = Buffer.alloc(8);
  u.writeUInt16BE(spec.sport ?? 40000, 0);
  u.writeUInt16BE(spec.dport ?? 53, 2);
  u.writeUInt16BE(8 + payload.length, 4);
  const seg = Buffer.concat([u, payload]);
  const ph = pseudoHeader(ipBytes(spec.src), ipBytes(spec.dst), 17, seg.length);
  seg.writeUInt16BE(fold(sum16(seg, sum16(ph))) || 0xffff, 6);
  const { type, packet } = ipPacket(spec, 17, seg);
  return ethernet(spec, type, packet);
}

/** ICMP echo request (v4) or ICMPv6 of the given type (128 echo, 135 neighbour solicitation...). */
export function icmpFrame(spec: FrameSpec & { icmpType?: number }): Buffer {
  const v4 = isIPv4(spec.src);
  const m = Buffer.alloc(8);
  m[0] = spec.icmpType ?? (v4 ? 8 : 128);
  m.writeUInt16BE(0x4242, 4);
  if (v4) m.writeUInt16BE(fold(sum16(m)), 2);
  else m.writeUInt16BE(fold(sum16(m, sum16(pseudoHeader(ipBytes(spec.src), ipBytes(spec.dst), 58, 8)))), 2);
  const { type, packet } = ipPacket(spec, v4 ? 1 : 58, m);
  return ethernet(spec, type, packet);
}

/** ARP request "who has target, tell sender" (RFC 826), broadcast. */
export function arpRequest(senderMac: string, senderIp: string, targetIp: string): Buffer {
  const a = Buffer.alloc(28);
  a.writeUInt16BE(1, 0);
  a.writeUInt16BE(0x0800, 2);
  a[4] = 6;
  a[5] = 4;
  a.writeUInt16BE(1, 6);
  macBytes(senderMac).copy(a, 8);
  ipBytes(senderIp).copy(a, 14);
  ipBytes(targetIp).copy(a, 24);
  return ethernet({ srcMac: senderMac, dstMac: 'ff:ff:ff:ff:ff:ff' }, 0x0806, a);
}

/** The frame with its two MAC addresses replaced: what direct routing must send. */
export function withMacs(frame: Buffer, dstMac: string, srcMac: string): Buffer {
  const out = Buffer.from(frame);
  macBytes(dstMac).copy(out, 0);
  macBytes(srcMac).copy(out, 6);
  return out;
}

/** The IP packet inside an untagged Ethernet frame. */
export function ipOf(frame: Buffer): Buffer {
  return frame.subarray(14);
}

/**
 * An ICMP error (IPv4 type/code, or ICMPv6 type/code) from `src` to `dst` quoting `quoted` (an IP
 * packet, cut to what a router quotes: 28 bytes for IPv4 as RFC 792, more for ICMPv6).
 */
export function icmpErrorFrame(spec: { src: string; dst: string; dstMac?: string; type: number; code: number; quoted: Buffer; mtu?: number }): Buffer {
  const v4 = isIPv4(spec.src);
  const quote = spec.quoted.subarray(0, v4 ? 28 : Math.min(spec.quoted.length, 1232));
  const m = Buffer.concat([Buffer.alloc(8), quote]);
  m[0] = spec.type;
  m[1] = spec.code;
  if (spec.mtu !== undefined) {
    if (v4) m.writeUInt16BE(spec.mtu, 6);
    else m.writeUInt32BE(spec.mtu, 4);
  }
  const ph = v4 ? 0 : sum16(pseudoHeader(ipBytes(spec.src), ipBytes(spec.dst), 58, m.length));
  m.writeUInt16BE(fold(sum16(m, ph)), 2);
  const { type, packet } = ipPacket({ src: spec.src, dst: spec.dst }, v4 ? 1 : 58, m);
  return ethernet({ dstMac: spec.dstMac }, type, packet);
}

/**
 * A UDP datagram of `payloadLength` bytes cut into fragments carrying at most `chunk` bytes of it
 * each (a multiple of 8): IPv4 with MF/offset, IPv6 with a fragment header. First fragment first.
 */
export function udpFragments(spec: FrameSpec & { id: number; payloadLength: number; chunk: number }): Buffer[] {
  const whole = udpFrame({ ...spec, payload: Buffer.alloc(spec.payloadLength, 0x61) });
  const v4 = isIPv4(spec.src);
  const ipHeader = v4 ? 20 : 40;
  const datagram = whole.subarray(14 + ipHeader);
  const out: Buffer[] = [];
  for (let off = 0; off < datagram.length; off += spec.chunk) {
    const part = datagram.subarray(off, off + spec.chunk);
    const more = off + spec.chunk < datagram.length;
    if (v4) {
      const h = Buffer.from(whole.subarray(14, 34));
      h.writeUInt16BE(20 + part.length, 2);
      h.writeUInt16BE(spec.id & 0xffff, 4);
      h.writeUInt16BE((more ? 0x2000 : 0) | (off / 8), 6);
      h.writeUInt16BE(0, 10);
      h.writeUInt16BE(fold(sum16(h)), 10);
      out.push(ethernet(spec, 0x0800, Buffer.concat([h, part])));
    } else {
      const h = Buffer.from(whole.subarray(14, 54));
      h.writeUInt16BE(8 + part.length, 4);
      h[6] = 44;
      const f = Buffer.alloc(8);
      f[0] = 17;
      f.writeUInt16BE(off | (more ? 1 : 0), 2);
      f.writeUInt32BE(spec.id, 4);
      out.push(ethernet(spec, 0x86dd, Buffer.concat([h, f, part])));
    }
  }
  return out;
}
