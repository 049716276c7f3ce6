// Pieces every ipvsadm-style listing shares: the service and real-server columns and the sort order
// (libipvs's ipvs_cmp_services / ipvs_cmp_dests).
import type { Protocol, VirtualServiceKey } from '../config/model';
import type { RealServerState, VirtualServiceState } from '../control/protocol';
import { familyOf, formatAddressPort } from './address';
import type { Names } from './names';

/** "TCP  198.18.0.100:80": protocol padded to 4; IPv4 cut at 33 characters as ipvsadm does. */
export function serviceLabel(vs: VirtualServiceKey, names: Names): string {
  const label = `${vs.protocol.toUpperCase().padEnd(4)} ${formatAddressPort(vs.address, vs.port, vs.protocol, names)}`;
  return familyOf(vs.address) === 'ipv4' ? label.slice(0, 33) : label;
}

/** A real server's ADDRESS:PORT; IPv4 cut at 28 characters as ipvsadm does. */
export function realLabel(real: { address: string; port: number }, protocol: Protocol, names: Names): string {
  const label = formatAddressPort(real.address, real.port, protocol, names);
  return familyOf(real.address) === 'ipv4' ? label.slice(0, 28) : label;
}

/** 16 bytes for any address (IPv4 in the low 4), so one comparison orders both families. */
function addressBytes(address: string): number[] {
  if (familyOf(address) === 'ipv4') return [...new Array(12).fill(0), ...address.split('.').map(Number)];
  let text = address;
  const tailV4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (tailV4) {
    const b = tailV4[1].split('.').map(Number);
    text = text.slice(0, tailV4.index) + `${((b[0] << 8) | b[1]).toString(16)}:${((b[2] << 8) | b[3]).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const headWords = head ? head.split(':') : [];
  const tailWords = tail ? tail.split(':') : [];
  const zeros = new Array(8 - headWords.length - tailWords.length).fill('0');
  const words = tail === undefined ? headWords : [...headWords, ...zeros, ...tailWords];
  return words.flatMap((w) => {
    const n = parseInt(w, 16);
    return [n >> 8, n & 0xff];
  });
}

export function compareAddresses(a: string, b: string): number {
  const x = addressBytes(a);
  const y = addressBytes(b);
  for (let i = 0; i < 16; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return 0;
}

const PROTOCOL_NUMBER: Record<Protocol, number> = { tcp: 6, udp: 17 };

export function compareServices(a: VirtualServiceKey, b: VirtualServiceKey): number {
  const family = (familyOf(a.address) === 'ipv4' ? 0 : 1) - (familyOf(b.address) === 'ipv4' ? 0 : 1);
  return family
    || PROTOCOL_NUMBER[a.protocol] - PROTOCOL_NUMBER[b.protocol]
    || compareAddresses(a.address, b.address)
    || a.port - b.port;
}

export function sortedServices(services: readonly VirtualServiceState[], nosort: boolean): VirtualServiceState[] {
  return nosort ? [...services] : [...services].sort(compareServices);
}

export function sortedReals(reals: readonly RealServerState[], nosort: boolean): RealServerState[] {
  return nosort ? [...reals] : [...reals].sort((a, b) => compareAddresses(a.address, b.address) || a.port - b.port);
}

/** ipvsadm's persistence mask is printed only when narrower than a single client. */
export function nonDefaultMask(vs: VirtualServiceState): string | undefined {
  const mask = vs.persistence?.netmask;
  if (mask === undefined) return undefined;
  const full = familyOf(vs.address) === 'ipv4' ? '255.255.255.255' : '128';
  return mask === full ? undefined : mask;
}
