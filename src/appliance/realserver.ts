// A real server's direct-routing settings: the virtual addresses on lo (so the server accepts
// packets addressed to them) without answering ARP for them (arp_ignore=1) or using them as ARP
// source addresses (arp_announce=2). Plans are pure; main.ts runs them.
import { parseDocument } from 'yaml';
import { parseAddress } from '../config/address';

export interface Step {
  /** argv to run, or a sysctl to write. */
  argv?: string[];
  sysctl?: { key: string; value: string };
  /** A step that may fail without failing the whole (e.g. removing an address that is gone). */
  mayFail?: boolean;
}

const SYSCTLS: [string, string][] = [
  ['net.ipv4.conf.all.arp_ignore', '1'],
  ['net.ipv4.conf.all.arp_announce', '2'],
  ['net.ipv4.conf.lo.arp_ignore', '1'],
  ['net.ipv4.conf.lo.arp_announce', '2'],
];

/** realserver.yaml (written by the appliance from pivs.yaml): `virtualAddresses: [...]`. */
export function parseRealServerFile(text: string): string[] {
  const raw = parseDocument(text).toJS() as { virtualAddresses?: unknown } | null;
  const list = raw?.virtualAddresses;
  if (!Array.isArray(list) || list.length === 0) {
    throw new Error('realserver.yaml: virtualAddresses: must list at least one virtual address');
  }
  return list.map((v, i) => {
    const parsed = typeof v === 'string' ? parseAddress(v) : null;
    if (parsed === null) throw new Error(`realserver.yaml: virtualAddresses[${i}]: "${String(v)}" is not an IPv4 or IPv6 address`);
    return parsed.family === 4 ? `${parsed.address}/32` : `${parsed.address}/128`;
  });
}

export function upSteps(vips: readonly string[]): Step[] {
  // Sysctls first: the addresses must never be announced, not even for a moment.
  const steps: Step[] = SYSCTLS.map(([key, value]) => ({ sysctl: { key, value } }));
  for (const vip of vips) {
    const v6 = vip.includes(':');
    // "replace" makes a second start harmless; IPv6 skips DAD (the address is shared on purpose).
    steps.push({ argv: ['ip', ...(v6 ? ['-6'] : []), 'addr', 'replace', vip, 'dev', 'lo', ...(v6 ? ['nodad'] : [])] });
  }
  return steps;
}

export function downSteps(vips: readonly string[]): Step[] {
  return vips.map((vip) => ({ argv: ['ip', 'addr', 'del', vip, 'dev', 'lo'], mayFail: true }));
}

export function sysctlPath(key: string, procRoot = '/proc'): string {
  return `${procRoot}/sys/${key.replace(/\./g, '/')}`;
}
