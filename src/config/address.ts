// IP address text and bytes, in one place: every other module compares addresses as the text
// parseAddress() returns, and codecs and the dataplane take the bytes from here.
import { isIPv4, isIPv6 } from 'node:net';

export type Family = 4 | 6;

export interface ParsedAddress {
  family: Family;
  /** Canonical text: dotted quad, or RFC 5952 IPv6. */
  address: string;
}

/** Returns the canonical text or null when the text is not one address. */
export function parseAddress(text: string): ParsedAddress | null {
  if (isIPv4(text)) return { family: 4, address: ipv4FromBytes(ipv4ToBytes(text)) };
  // Scope ids name a kernel interface; the dataplane matches bare addresses only.
  if (isIPv6(text) && !text.includes('%')) return { family: 6, address: ipv6FromBytes(ipv6ToBytes(text)) };
  return null;
}

/**
 * Why a (normalised) address cannot be a unicast host address a client reaches, or null: the
 * unspecified address, limited broadcast, multicast, loopback.
 */
export function notUnicastReason(address: string): string | null {
  if (isIPv4(address)) {
    const b = ipv4ToBytes(address);
    if (address === '0.0.0.0') return 'is the unspecified address';
    if (address === '255.255.255.255') return 'is the broadcast address';
    if (b[0] >= 224 && b[0] <= 239) return 'is a multicast address';
    if (b[0] === 127) return 'is a loopback address';
    return null;
  }
  const b = ipv6ToBytes(address);
  if (b.every((x) => x === 0)) return 'is the unspecified address';
  if (b[0] === 0xff) return 'is a multicast address';
  if (b.subarray(0, 15).every((x) => x === 0) && b[15] === 1) return 'is the loopback address';
  return null;
}

export function familyOf(address: string): Family | 0 {
  if (isIPv4(address)) return 4;
  return isIPv6(address) ? 6 : 0;
}

export function ipv4ToBytes(address: string): Buffer {
  if (!isIPv4(address)) throw new TypeError(`"${address}" is not an IPv4 address.`);
  return Buffer.from(address.split('.').map(Number));
}

export function ipv4FromBytes(buf: Buffer, offset = 0): string {
  return `${buf[offset]}.${buf[offset + 1]}.${buf[offset + 2]}.${buf[offset + 3]}`;
}

export function ipv6ToBytes(address: string): Buffer {
  if (!isIPv6(address) || address.includes('%')) {
    throw new TypeError(`"${address}" is not an IPv6 address.`);
  }
  let text = address.toLowerCase();
  const lastColon = text.lastIndexOf(':');
  if (text.indexOf('.', lastColon) !== -1) {
    // A dotted IPv4 tail (::ffff:192.0.2.1) stands for the last two groups.
    const v4 = ipv4ToBytes(text.slice(lastColon + 1));
    text = `${text.slice(0, lastColon + 1)}${v4.readUInt16BE(0).toString(16)}:${v4.readUInt16BE(2).toString(16)}`;
  }
  const parseGroups = (s: string): number[] => (s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)));
  const halves = text.split('::');
  const head = parseGroups(halves[0]);
  const rest = halves.length > 1 ? parseGroups(halves[1]) : [];
  const groups = [...head, ...new Array<number>(8 - head.length - rest.length).fill(0), ...rest];
  const out = Buffer.alloc(16);
  for (let i = 0; i < 8; i++) out.writeUInt16BE(groups[i], i * 2);
  return out;
}

/** RFC 5952 text: lower case, no leading zeros, the longest run (>= 2) of zero groups as "::". */
export function ipv6FromBytes(buf: Buffer, offset = 0): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push(buf.readUInt16BE(offset + i * 2));
  // RFC 5952 section 5: IPv4-mapped addresses keep the dotted tail users recognise.
  if (groups.slice(0, 5).every((x) => x === 0) && groups[5] === 0xffff) {
    return `::ffff:${ipv4FromBytes(buf, offset + 12)}`;
  }
  let bestStart = -1;
  let bestLen = 1; // a single zero group is never compressed
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** The 4 (IPv4) or 16 (IPv6) bytes of an address. */
export function addressBytes(address: string): Buffer {
  return isIPv4(address) ? ipv4ToBytes(address) : ipv6ToBytes(address);
}

/** parseAddress() for callers whose input was already validated: a bad address is a TypeError. */
export function canonicalAddress(text: string): ParsedAddress {
  const parsed = parseAddress(text);
  if (parsed === null) throw new TypeError(`"${text}" is not an IPv4 or IPv6 address.`);
  return parsed;
}

/**
 * Which real servers of a virtual service are one: the same address, however it is written, and
 * port. The config file, pivsadm's commands and the dataplane all refuse a second one by this.
 */
export function realServerKey(r: { address: string; port: number }): string {
  return `${parseAddress(r.address)?.address ?? r.address} ${r.port}`;
}
