// One served value: an instance OID, its SMI type and value, independent of net-snmp, so the OID
// mapping can be tested on its own and handed to either transport (agent or AgentX).
import { isIPv4, isIPv6 } from 'node:net';
import { addressBytes } from '../config/address';

export type SmiType = 'Integer' | 'OctetString' | 'Gauge' | 'Counter' | 'Counter64' | 'TimeTicks';

export interface Value {
  /** Dotted numeric instance OID. */
  oid: string;
  type: SmiType;
  /** Buffer for OctetString; bigint for Counter64; a non-negative integer otherwise (Integer may be negative). */
  value: number | bigint | Buffer;
}

/** InetAddressType (RFC 4001): unknown(0), ipv4(1), ipv6(2). */
export function inetAddressType(address: string | null): number {
  if (address === null) return 0;
  if (isIPv4(address)) return 1;
  return isIPv6(address) ? 2 : 0;
}

/** InetAddress bytes; empty for an unknown address, as RFC 4001 asks for type unknown(0). */
export function inetAddressBytes(address: string | null): Buffer {
  return address === null || inetAddressType(address) === 0 ? Buffer.alloc(0) : addressBytes(address);
}

/** An InetAddress as an index component: its length, then its bytes (not IMPLIED). */
export function inetAddressIndex(address: string): string {
  const bytes = inetAddressBytes(address);
  return [bytes.length, ...bytes].join('.');
}

const U32 = 0xffffffff;

/** Gauge32/Counter32/TimeTicks stay within 32 bits: gauges saturate, counters wrap. */
export function gauge(oid: string, n: number): Value {
  return { oid, type: 'Gauge', value: Math.min(U32, Math.max(0, Math.round(n))) };
}

export function counter32(oid: string, n: number): Value {
  return { oid, type: 'Counter', value: Math.max(0, Math.trunc(n)) % (U32 + 1) };
}

export function counter64(oid: string, n: number | bigint): Value {
  const v = typeof n === 'bigint' ? n : BigInt(Math.max(0, Math.trunc(n)));
  return { oid, type: 'Counter64', value: BigInt.asUintN(64, v) };
}

export function integer(oid: string, n: number): Value {
  return { oid, type: 'Integer', value: Math.trunc(n) };
}

export function octets(oid: string, v: string | Buffer): Value {
  return { oid, type: 'OctetString', value: typeof v === 'string' ? Buffer.from(v, 'utf8') : v };
}

export function timeticks(oid: string, centiseconds: number): Value {
  return { oid, type: 'TimeTicks', value: Math.max(0, Math.trunc(centiseconds)) % (U32 + 1) };
}

/** Numeric OID order, as GetNext walks it. */
export function compareOids(a: string, b: string): number {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return x[i]! - y[i]!;
  }
  return x.length - y.length;
}

export function sortValues(values: Value[]): Value[] {
  return values.sort((a, b) => compareOids(a.oid, b.oid));
}
