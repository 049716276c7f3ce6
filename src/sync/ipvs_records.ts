// The connection records of an IPVS sync v1 message (native/sync.h has the layout), read here only
// so that the transport can refuse single records before the fast path installs the rest: the
// addon decodes them again, and stays the authority on everything but these admission rules.
// The checks mirror native/sync.cc's decode_sync_message, so a message this accepts the addon
// accepts too, and the records kept are re-packed exactly as IPVS packs them.
import { ipv4FromBytes, ipv6FromBytes } from '../config/address';
import { IPVS_HEADER_LENGTH } from './ipvs_header';

export const IPV4_RECORD_LENGTH = 36;
export const IPV6_RECORD_LENGTH = 72;
/** IP_VS_CONN_F_TEMPLATE: a persistence template, not a flow. */
export const SYNC_F_TEMPLATE = 0x1000;
/** IPVS's TCP states on the wire, NONE (0) to SYNACK (10). */
export const TCP_STATE_COUNT = 11;

export interface IpvsRecord {
  /** Where the record starts in the message, and its length (optional parameters included). */
  offset: number;
  length: number;
  family: 4 | 6;
  /** 6 (tcp) or 17 (udp). */
  protocol: number;
  flags: number;
  state: number;
  virtualAddress: string;
  virtualPort: number;
  /** Seconds; 0 lets the receiver use its own timeout for the state. */
  timeout: number;
  template: boolean;
}

/** The records of a whole IPVS v1 message (header included), or why the message is malformed. */
export function readIpvsRecords(message: Buffer): IpvsRecord[] | string {
  if (message.length < IPVS_HEADER_LENGTH) return 'shorter than an IPVS sync header';
  if (message.readUInt16BE(2) !== message.length) return 'IPVS message size field does not match its length';
  if (message[0] !== 0 || message[5] !== 1 || message[6] !== 0 || message[7] !== 0) return 'not an IPVS sync v1 message';
  const count = message[4];
  const records: IpvsRecord[] = [];
  let pos = IPVS_HEADER_LENGTH;
  let endOfLast = pos;
  for (let i = 0; i < count; i++) {
    const which = `record ${i + 1} of ${count}`;
    if (pos + IPV4_RECORD_LENGTH > message.length) return `${which} is truncated`;
    const type = message[pos];
    if ((type & ~1) !== 0) return `${which} has unknown type ${type}`;
    const family = (type & 1) === 1 ? 6 : 4;
    const verSize = message.readUInt16BE(pos + 2);
    if (verSize >> 12 !== 0) return `${which} has record version ${verSize >> 12}`;
    const length = verSize & 0x0fff;
    const base = family === 6 ? IPV6_RECORD_LENGTH : IPV4_RECORD_LENGTH;
    if (length < base) return `${which} is shorter than an IPv${family} record`;
    if (pos + length > message.length) return `${which} runs past the end of the message`;
    for (let o = base; o < length;) {
      const n = message[pos + o + 1];
      if (o + 2 > length || n === 0 || o + 2 + n > length) return `${which} has malformed optional parameters`;
      o += 2 + n;
    }
    const protocol = message[pos + 1];
    if (protocol !== 6 && protocol !== 17) return `${which} has protocol ${protocol}, not tcp or udp`;
    const flags = message.readUInt32BE(pos + 4);
    const state = message.readUInt16BE(pos + 8);
    const template = (flags & SYNC_F_TEMPLATE) !== 0;
    if (!template && state >= (protocol === 6 ? TCP_STATE_COUNT : 1)) return `${which} has unknown state ${state}`;
    const addressLength = family === 6 ? 16 : 4;
    const vaddrAt = pos + 24 + addressLength;
    records.push({
      offset: pos, length, family, protocol, flags, state,
      virtualAddress: family === 6 ? ipv6FromBytes(message, vaddrAt) : ipv4FromBytes(message, vaddrAt),
      virtualPort: message.readUInt16BE(pos + 12),
      timeout: message.readUInt32BE(pos + 20),
      template,
    });
    endOfLast = pos + length;
    // Records start on 4-byte boundaries; the last one ends the message.
    pos += (length + 3) & ~3;
  }
  if (endOfLast !== message.length) return `${message.length - endOfLast} bytes after the last record`;
  return records;
}

/** A message holding only `kept` (records read from `message`, in order), with the same header otherwise. */
export function repackIpvsMessage(message: Buffer, kept: readonly IpvsRecord[]): Buffer {
  let size = IPVS_HEADER_LENGTH;
  for (const [i, r] of kept.entries()) size += i === kept.length - 1 ? r.length : (r.length + 3) & ~3;
  const out = Buffer.alloc(size);
  message.copy(out, 0, 0, IPVS_HEADER_LENGTH);
  out.writeUInt16BE(size, 2);
  out[4] = kept.length;
  let pos = IPVS_HEADER_LENGTH;
  for (const r of kept) {
    message.copy(out, pos, r.offset, r.offset + r.length);
    pos += (r.length + 3) & ~3;
  }
  return out;
}
