// Address text is normalised once, here, so that every comparison elsewhere (duplicate checks,
// service lookups from the CLI, dataplane keys) can be a plain string comparison.
import { isIP } from 'node:net';

export type Family = 4 | 6;

export interface ParsedAddress {
  family: Family;
  address: string;
}

/** Returns the canonical text (IPv6 per RFC 5952) or null when the text is not one address. */
export function parseAddress(text: string): ParsedAddress | null {
  // Scope ids name a kernel interface; the dataplane matches bare addresses only.
  if (text.includes('%')) return null;
  const family = isIP(text);
  if (family === 4) return { family: 4, address: text };
  if (family === 6) return { family: 6, address: formatIPv6(ipv6Groups(text)) };
  return null;
}

export function familyOf(address: string): Family | 0 {
  const f = isIP(address);
  return f === 4 || f === 6 ? f : 0;
}

/** Only called on text isIP() accepted, so the shape is known to be valid. */
function ipv6Groups(text: string): number[] {
  let s = text.toLowerCase();
  const lastColon = s.lastIndexOf(':');
  const dotted = s.slice(lastColon + 1);
  if (dotted.includes('.')) {
    const q = dotted.split('.').map(Number);
    s = `${s.slice(0, lastColon + 1)}${((q[0] << 8) | q[1]).toString(16)}:${((q[2] << 8) | q[3]).toString(16)}`;
  }
  const parse = (part: string): number[] => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  if (!s.includes('::')) return parse(s);
  const [head, rest] = s.split('::');
  const left = parse(head);
  const right = parse(rest);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

function formatIPv6(g: number[]): string {
  // RFC 5952 section 5: IPv4-mapped addresses keep the dotted tail users recognise.
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) {
    return `::ffff:${g[6] >> 8}.${g[6] & 255}.${g[7] >> 8}.${g[7] & 255}`;
  }
  let bestStart = -1;
  let bestLen = 1; // a single zero group is never compressed
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}
