// Which of the interface's own addresses to put in our ARP requests / neighbor solicitations.
import type { NetworkInterfaceInfo } from 'node:os';
import { ipv4ToBytes, ipv6ToBytes } from '../config/address';
import { UNSPECIFIED_ADDRESS } from './nd_codec';

export type InterfaceAddresses = readonly NetworkInterfaceInfo[];

function sameSubnet(a: Buffer, b: Buffer, mask: Buffer): boolean {
  for (let i = 0; i < mask.length; i++) if ((a[i] & mask[i]) !== (b[i] & mask[i])) return false;
  return true;
}

// Node 18.0-18.3 reported family as a number.
const isFamily = (info: NetworkInterfaceInfo, family: 4 | 6): boolean =>
  info.family === `IPv${family}` || (info.family as unknown) === family;

/**
 * IPv4: the interface's address on the target's subnet, else 0.0.0.0 (an RFC 5227 probe, which
 * hosts answer without caching anything about us).
 */
export function ipv4SourceFor(target: string, addresses: InterfaceAddresses): string {
  const t = ipv4ToBytes(target);
  for (const info of addresses) {
    if (!isFamily(info, 4)) continue;
    if (sameSubnet(t, ipv4ToBytes(info.address), ipv4ToBytes(info.netmask))) return info.address;
  }
  return '0.0.0.0';
}

/**
 * IPv6: the address on the target's prefix, else the link-local one (valid for on-link neighbor
 * discovery), else :: (then the solicitation must go without a source link-layer option).
 */
export function ipv6SourceFor(target: string, addresses: InterfaceAddresses): string {
  const t = ipv6ToBytes(target);
  let linkLocal: string | null = null;
  for (const info of addresses) {
    if (!isFamily(info, 6)) continue;
    const address = info.address.split('%')[0];
    const own = ipv6ToBytes(address);
    if (sameSubnet(t, own, ipv6ToBytes(info.netmask))) return address;
    if (own[0] === 0xfe && (own[1] & 0xc0) === 0x80) linkLocal ??= address;
  }
  return linkLocal ?? UNSPECIFIED_ADDRESS;
}
