// The little of RFC 1035 a health check needs: one question out, rcode and A/AAAA answers back.
import { ipv4FromBytes, ipv6FromBytes } from '../config/address';
import type { DnsQueryType } from '../config/health_model';

export const QTYPE: Record<DnsQueryType, number> = {
  A: 1, NS: 2, CNAME: 5, SOA: 6, MX: 15, TXT: 16, AAAA: 28, SRV: 33, ANY: 255,
};

export const RCODE_NAMES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'];

/** A standard query with recursion desired, class IN. */
export function encodeQuery(id: number, name: string, type: DnsQueryType): Buffer {
  const labels = name.replace(/\.$/, '').split('.').filter((l) => l !== '');
  const parts = [Buffer.from([id >> 8, id & 0xff, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0])];
  for (const label of labels) {
    const bytes = Buffer.from(label, 'ascii');
    if (bytes.length > 63) throw new RangeError(`DNS label "${label}" is longer than 63 bytes`);
    parts.push(Buffer.from([bytes.length]), bytes);
  }
  const qtype = QTYPE[type];
  parts.push(Buffer.from([0, qtype >> 8, qtype & 0xff, 0, 1]));
  return Buffer.concat(parts);
}

export interface DnsAnswer {
  id: number;
  isResponse: boolean;
  rcode: number;
  answerCount: number;
  /** Addresses of the A and AAAA records in the answer section. */
  addresses: string[];
}

/** A truncated or malformed answer. A RangeError still, but never one of Buffer's out-of-range reads. */
export class MalformedDnsError extends RangeError {
  override readonly name = 'MalformedDnsError';
}

function malformed(what: string): never {
  throw new MalformedDnsError(what);
}

/** Skips a possibly compressed name; returns the offset after it (past the end if truncated). */
function skipName(buf: Buffer, offset: number): number {
  let o = offset;
  for (let guard = 0; guard < 128; guard++) {
    if (o >= buf.length) malformed('DNS name runs past the message');
    const len = buf[o];
    if ((len & 0xc0) === 0xc0) return o + 2;
    if (len === 0) return o + 1;
    o += 1 + len;
  }
  malformed('DNS name too long');
}

/** Throws MalformedDnsError on a truncated or malformed message. */
export function decodeAnswer(buf: Buffer): DnsAnswer {
  if (buf.length < 12) malformed('DNS message shorter than its header');
  const id = buf.readUInt16BE(0);
  const flags = buf.readUInt16BE(2);
  const qdcount = buf.readUInt16BE(4);
  const ancount = buf.readUInt16BE(6);
  let o = 12;
  for (let i = 0; i < qdcount; i++) {
    o = skipName(buf, o) + 4;
    if (o > buf.length) malformed('DNS question runs past the message');
  }
  const addresses: string[] = [];
  for (let i = 0; i < ancount; i++) {
    o = skipName(buf, o);
    if (o + 10 > buf.length) malformed('DNS record runs past the message');
    const type = buf.readUInt16BE(o);
    const rdlength = buf.readUInt16BE(o + 8);
    const rdata = buf.subarray(o + 10, o + 10 + rdlength);
    if (rdata.length !== rdlength) malformed('DNS record runs past the message');
    if (type === 1 && rdlength === 4) addresses.push(ipv4FromBytes(rdata));
    if (type === 28 && rdlength === 16) addresses.push(ipv6FromBytes(rdata));
    o += 10 + rdlength;
  }
  return { id, isResponse: (flags & 0x8000) !== 0, rcode: flags & 0x0f, answerCount: ancount, addresses };
}
