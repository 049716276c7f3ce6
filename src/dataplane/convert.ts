// Text <-> the forms the addon takes: addresses as 16-byte Buffers, MACs as 48-bit numbers,
// schedulers and flags as native/contract.h's ids and bits. Every check that keeps bad input away from C++ lives here.
import { addressBytes, familyOf, ipv4FromBytes, ipv6FromBytes, realServerKey } from '../config/address';
import type { ConnPolicy, Protocol, RealServer, VirtualService, VirtualServiceKey } from '../config/model';
import { POLICY_BITS, SCHED_FLAG_BITS, SCHEDULER_IDS } from './contract';
import type { NativePolicy, NativeServiceKey, NativeServiceSpec } from './native';

export interface AddressBytes {
  family: 4 | 6;
  addr: Buffer;
}

export function addressToBytes(text: unknown, what: string): AddressBytes {
  if (typeof text !== 'string') throw new TypeError(`${what} must be an IP address string.`);
  const family = familyOf(text);
  if (family === 0 || text.includes('%')) throw new TypeError(`${what} "${text}" is not an IPv4 or IPv6 address.`);
  const addr = Buffer.alloc(16);
  addressBytes(text).copy(addr);
  return { family, addr };
}

/** The same normalised text config/ produces, so keys compare as strings. */
export function bytesToAddress(family: number, addr: Buffer, offset = 0): string {
  return family === 4 ? ipv4FromBytes(addr, offset) : ipv6FromBytes(addr, offset);
}

const MAC_RE = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;

export function macToNumber(mac: unknown): number {
  if (typeof mac !== 'string' || !MAC_RE.test(mac)) {
    throw new TypeError(`MAC address ${JSON.stringify(mac)} must look like aa:bb:cc:dd:ee:ff.`);
  }
  const n = parseInt(mac.replace(/:/g, ''), 16);
  if (n === 0) throw new RangeError('MAC address 00:00:00:00:00:00 is not a neighbour; pass null for unknown.');
  return n;
}

/** A MAC this director receives on (the VRRP virtual MAC): unicast, not all zeros. */
export function unicastMacToNumber(mac: unknown): number {
  if (typeof mac !== 'string' || !MAC_RE.test(mac)) {
    throw new TypeError(`MAC address ${JSON.stringify(mac)} must look like aa:bb:cc:dd:ee:ff.`);
  }
  const n = parseInt(mac.replace(/:/g, ''), 16);
  if (n === 0 || parseInt(mac.slice(0, 2), 16) & 1) {
    throw new RangeError(`MAC address ${mac} is not a unicast address (such as 00:00:5e:00:01:01).`);
  }
  return n;
}

export function numberToMac(n: number): string {
  return n.toString(16).padStart(12, '0').replace(/(..)(?!$)/g, '$1:');
}

/** An agent's load index for the addon: a finite number >= 0, or null (sent as -1: no report). */
export function toNativeLoad(load: unknown): number {
  if (load === null) return -1;
  if (typeof load !== 'number' || !Number.isFinite(load) || load < 0) {
    throw new RangeError(`The load index must be a finite number >= 0 or null, not ${JSON.stringify(load)}.`);
  }
  return load;
}

const PROTO_NUMBER: Record<Protocol, number> = { tcp: 6, udp: 17 };
const PROTO_NAME: Record<number, Protocol> = { 6: 'tcp', 17: 'udp' };

export function protocolName(n: number): Protocol {
  return PROTO_NAME[n] ?? 'tcp';
}

function integer(value: unknown, min: number, max: number, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new TypeError(`${what} must be an integer.`);
  }
  if (value < min || value > max) throw new RangeError(`${what} must be between ${min} and ${max}, not ${value}.`);
  return value;
}

function protocolNumber(p: unknown, what: string): number {
  if (p !== 'tcp' && p !== 'udp') throw new TypeError(`${what} protocol must be "tcp" or "udp".`);
  return PROTO_NUMBER[p];
}

export function serviceLabel(k: VirtualServiceKey): string {
  const host = familyOf(k.address) === 6 ? `[${k.address}]` : k.address;
  return `${k.protocol} ${host}:${k.port}`;
}

export function toNativeKey(k: VirtualServiceKey): NativeServiceKey {
  if (typeof k !== 'object' || k === null) throw new TypeError('The virtual service key must be an object.');
  const proto = protocolNumber(k.protocol, 'The virtual service');
  const { family, addr } = addressToBytes(k.address, 'The virtual service address');
  const port = integer(k.port, 0, 65535, 'The virtual service port');
  return { proto, family, addr, port };
}

function netmaskBytes(netmask: unknown, family: 4 | 6, what: string): Buffer {
  const out = Buffer.alloc(16);
  const prefixMax = family === 4 ? 32 : 128;
  if (typeof netmask === 'string' && /^\d{1,3}$/.test(netmask) && Number(netmask) <= prefixMax) {
    const bits = Number(netmask);
    for (let i = 0; i < bits; i++) out[i >> 3] |= 0x80 >> (i & 7);
    return out;
  }
  if (family === 4 && typeof netmask === 'string' && familyOf(netmask) === 4) {
    addressBytes(netmask).copy(out);
    return out;
  }
  throw new TypeError(
    family === 4
      ? `${what} persistence netmask must be a dotted mask such as 255.255.255.0.`
      : `${what} persistence netmask must be a prefix length between 0 and 128.`,
  );
}

/** The table's value for `name`; undefined for anything else, Object.prototype's keys included. */
function lookup<T extends object>(table: T, name: unknown): T[keyof T] | undefined {
  return typeof name === 'string' && Object.hasOwn(table, name) ? table[name as keyof T] : undefined;
}

/** Validates the whole list before anything reaches the addon (apply() is all or nothing). */
export function toNativeServices(services: readonly VirtualService[]): NativeServiceSpec[] {
  if (!Array.isArray(services)) throw new TypeError('apply() takes an array of virtual services.');
  const seen = new Set<string>();
  return services.map((s) => {
    if (typeof s !== 'object' || s === null) throw new TypeError('Each virtual service must be an object.');
    const key = toNativeKey(s);
    const label = `Virtual service ${serviceLabel(s)}`;
    const keyText = `${key.proto}/${key.addr.toString('hex')}/${key.port}`;
    if (seen.has(keyText)) throw new RangeError(`${label} is listed twice.`);
    seen.add(keyText);
    const sched = lookup(SCHEDULER_IDS, s.scheduler);
    if (sched === undefined) throw new TypeError(`${label} has unknown scheduler ${JSON.stringify(s.scheduler)}.`);
    let schedFlags = 0;
    for (const f of s.schedFlags ?? []) {
      const bit = lookup(SCHED_FLAG_BITS, f);
      if (bit === undefined) throw new TypeError(`${label} has unknown scheduler flag ${JSON.stringify(f)}.`);
      schedFlags |= bit;
    }
    let persistTimeout = 0;
    let netmask: Buffer = Buffer.alloc(16, 0xff);
    if (s.persistence !== undefined) {
      persistTimeout = integer(s.persistence.timeout, 1, 0x7fffffff, `${label} persistence timeout`);
      netmask = netmaskBytes(s.persistence.netmask, key.family as 4 | 6, label);
    } else if (key.port === 0) {
      throw new RangeError(`${label} has port 0, which is only valid with persistence.`);
    }
    if (!Array.isArray(s.realServers)) throw new TypeError(`${label} must list its real servers in an array.`);
    const realKeys = new Set<string>();
    const reals = s.realServers.map((r: RealServer) => {
      if (typeof r !== 'object' || r === null) throw new TypeError(`${label} has a real server that is not an object.`);
      const { family, addr } = addressToBytes(r.address, `${label} real server address`);
      if (family !== key.family) {
        throw new RangeError(`${label} and its real server ${r.address} must be the same IP family for direct routing.`);
      }
      const port = integer(r.port, 0, 65535, `${label} real server ${r.address} port`);
      if (r.forward !== 'dr') throw new RangeError(`${label} real server ${r.address}: only direct routing ("dr") is supported.`);
      const rk = realServerKey({ address: r.address, port });
      if (realKeys.has(rk)) throw new RangeError(`${label} lists real server ${r.address}:${port} twice.`);
      realKeys.add(rk);
      return {
        family,
        addr,
        port,
        weight: integer(r.weight, 0, 65535, `${label} real server ${r.address} weight`),
        uThreshold: integer(r.upperThreshold, 0, 0x7fffffff, `${label} real server ${r.address} upper threshold`),
        lThreshold: integer(r.lowerThreshold, 0, 0x7fffffff, `${label} real server ${r.address} lower threshold`),
        down: r.down === true,
      };
    });
    return {
      ...key,
      sched,
      schedFlags,
      persistTimeout,
      netmask,
      sloppy: s.sloppy === true,
      reals,
    };
  });
}

/** The policy for the addon, the pressure threshold in entries of this table. */
export function toNativePolicy(p: ConnPolicy, connTableSize: number): NativePolicy {
  if (p.expireNodestConn !== 'none' && p.expireNodestConn !== 'udp' && p.expireNodestConn !== 'all') {
    throw new TypeError(`expireNodestConn must be "none", "udp" or "all", not ${JSON.stringify(p.expireNodestConn)}.`);
  }
  for (const budget of ['icmpEchoPerSecond', 'arpPerSecond', 'ndPerSecond'] as const) integer(p[budget], 0, 1000000, budget);
  integer(p.pressureEmbryonicTimeout, 1, 3600, 'pressureEmbryonicTimeout');
  if (typeof p.pressureThreshold !== 'number' || !(p.pressureThreshold >= 0 && p.pressureThreshold <= 1)) {
    throw new RangeError(`pressureThreshold must be a fraction of the table between 0 and 1, not ${JSON.stringify(p.pressureThreshold)}.`);
  }
  const bits = (p.expireNodestConn === 'none' ? 0 : POLICY_BITS.EXPIRE_NODEST_UDP)
    | (p.expireNodestConn === 'all' ? POLICY_BITS.EXPIRE_NODEST_TCP : 0)
    | (p.expireQuiescentTemplate === true ? POLICY_BITS.EXPIRE_QUIESCENT_TEMPLATE : 0);
  return {
    bits, echoPerSecond: p.icmpEchoPerSecond, arpPerSecond: p.arpPerSecond, ndPerSecond: p.ndPerSecond,
    pressureEntries: Math.floor(p.pressureThreshold * connTableSize), pressureTimeoutS: p.pressureEmbryonicTimeout,
  };
}
