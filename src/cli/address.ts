// ADDRESS[:PORT] as ipvsadm reads and prints it: IPv4, bare IPv6 (no port), [IPv6]:port,
// host and service names through Names.
import { parseAddress } from '../config/address';
import type { Protocol } from '../config/model';
import type { Names } from './names';

export type Family = 'ipv4' | 'ipv6';

export interface ParsedAddress {
  address: string;
  family: Family;
  /** Absent when the text had no port. */
  port?: number;
}

const OCTET = /^(0|[1-9]\d{0,2})$/;

/** Dotted quad only; inet_aton's shorthand and octal forms are refused because they surprise. */
export function parseIPv4(text: string): string | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => OCTET.test(p) && Number(p) <= 255)) return undefined;
  return parts.map(Number).join('.');
}

/** RFC 5952 text (lower case, longest zero run compressed), as inet_ntop prints it. */
export function parseIPv6(text: string): string | undefined {
  const parsed = parseAddress(text);
  return parsed?.family === 6 ? parsed.address : undefined;
}

export function familyOf(address: string): Family {
  return address.includes(':') ? 'ipv6' : 'ipv4';
}

/** ipvsadm's string_to_number: decimal, whole string, within [min, max]. */
export function parseNumber(text: string, min: number, max: number): number | undefined {
  if (!/^[+-]?\d+$/.test(text)) return undefined;
  const n = Number(text);
  return n >= min && n <= max ? n : undefined;
}

/** Parses ipvsadm's host[:port] (parse_service); undefined where ipvsadm says "illegal ... specified". */
export function parseAddressPort(text: string, protocol: Protocol, names: Names): ParsedAddress | undefined {
  if (text === '' || /^\d+$/.test(text)) return undefined;
  let host = text;
  let portText: string | undefined;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0 || text[close + 1] !== ':') return undefined;
    host = text.slice(1, close);
    portText = text.slice(close + 2);
    const v6 = parseIPv6(host);
    if (v6 === undefined) return undefined;
    return withPort({ address: v6, family: 'ipv6' }, portText, protocol, names);
  }
  const v6 = parseIPv6(text);
  if (v6 !== undefined) return { address: v6, family: 'ipv6' };
  const colon = text.lastIndexOf(':');
  if (colon >= 0) {
    host = text.slice(0, colon);
    portText = text.slice(colon + 1);
  }
  const v4 = parseIPv4(host) ?? names.hostToAddress(host);
  if (v4 === undefined) return undefined;
  return withPort({ address: v4, family: 'ipv4' }, portText, protocol, names);
}

function withPort(
  parsed: ParsedAddress, portText: string | undefined, protocol: Protocol, names: Names,
): ParsedAddress | undefined {
  if (portText === undefined) return parsed;
  const port = parseNumber(portText, 0, 65535) ?? names.serviceToPort(portText, protocol);
  return port === undefined ? undefined : { ...parsed, port };
}

/** ipvsadm's addrport_to_anyname: names where Names knows them, brackets around IPv6. */
export function formatAddressPort(address: string, port: number, protocol: Protocol, names: Names): string {
  const host = names.addressToHost(address) ?? address;
  const service = names.portToService(port, protocol) ?? String(port);
  return familyOf(address) === 'ipv6' ? `[${host}]:${service}` : `${host}:${service}`;
}
