// Address text <-> wire bytes. Kept here rather than in a dependency because the codecs need
// the 16 raw bytes of IPv6 addresses, which node:net does not expose.
import { isIPv4, isIPv6 } from 'node:net';

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
  let text = address;
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
  let bestStart = -1;
  let bestLen = 1;
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

export type Family = 4 | 6;

/** One spelling per address, so "2001:DB8::0:1" and "2001:db8::1" are the same key. */
export function canonicalAddress(address: string): { family: Family; key: string } {
  if (isIPv4(address)) return { family: 4, key: ipv4FromBytes(ipv4ToBytes(address)) };
  if (isIPv6(address) && !address.includes('%')) return { family: 6, key: ipv6FromBytes(ipv6ToBytes(address)) };
  throw new TypeError(`"${address}" is not an IPv4 or IPv6 address.`);
}
