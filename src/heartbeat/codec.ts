// The heartbeat datagram, sent over every link to every peer. Layout, big-endian:
//   0-3    magic "PVHB" (50 56 48 42)
//   4      version 2
//   5      link id: the link's index in heartbeat.links (both directors list links in one order)
//   6      n = length of the sender's name
//   7      flags: bit 0 FAULT = every link of the sender is down and it has stepped down; others 0
//   8-15   sequence, unsigned 64-bit, increasing per sender and link (replay guard)
//   16-23  timestamp: sender's clock, ms since 1970 (for humans and captures; not trusted)
//   24     hears: bit j set = the sender receives valid heartbeats from the recipient over link j
//   25-27  0 (reserved)
//   28..   sender: the director's name, n bytes of [A-Za-z0-9._-]
//   28+n   HMAC-SHA256 (32 bytes) with the shared key over bytes 0 .. 27+n
// 60 + n bytes in all. The hears mask differs per recipient, so each peer gets its own datagram.
import { hmacMatches, hmacSha256, NAME_PATTERN } from '../sync/hmac';

export const HEARTBEAT_MAGIC = Buffer.from('PVHB', 'ascii');
export const HEARTBEAT_VERSION = 2;
/** One bit of the hears mask per link. */
export const MAX_HEARTBEAT_LINKS = 8;
const FLAG_FAULT = 0x01;
const HEADER = 28;
const MAC = 32;

export interface Heartbeat {
  linkId: number;
  sender: string;
  sequence: bigint;
  timestampMs: number;
  /** The sender has every link down and has stepped down (VRRP FAULT). */
  fault: boolean;
  /** Bit j: the sender hears the recipient over link j. */
  hears: number;
}

export function encodeHeartbeat(h: Heartbeat, key: Buffer): Buffer {
  if (!NAME_PATTERN.test(h.sender)) throw new Error(`the sender name "${h.sender}" must be 1 to 32 characters of A-Z a-z 0-9 . _ -.`);
  if (!Number.isInteger(h.hears) || h.hears < 0 || h.hears > 0xff) throw new Error(`the hears mask ${h.hears} must be a whole number from 0 to 255.`);
  const name = Buffer.from(h.sender, 'ascii');
  const b = Buffer.alloc(HEADER + name.length + MAC);
  HEARTBEAT_MAGIC.copy(b, 0);
  b[4] = HEARTBEAT_VERSION;
  b[5] = h.linkId;
  b[6] = name.length;
  b[7] = h.fault ? FLAG_FAULT : 0;
  b.writeBigUInt64BE(h.sequence, 8);
  b.writeBigUInt64BE(timestampField(h.timestampMs), 16);
  b[24] = h.hears;
  name.copy(b, HEADER);
  hmacSha256(key, b.subarray(0, HEADER + name.length)).copy(b, HEADER + name.length);
  return b;
}

const MAX_U64 = 2n ** 64n - 1n;

/** decodeHeartbeat reads the 64 bits as a Number, which rounds 2^64 - 1024 and above up to 2^64. */
function timestampField(ms: number): bigint {
  const t = BigInt(Math.floor(ms));
  return t > MAX_U64 ? MAX_U64 : t;
}

export type HeartbeatCheck =
  | ({ ok: true } & Heartbeat)
  | { ok: false; reason: 'malformed' | 'forged'; detail: string };

export function decodeHeartbeat(buf: Buffer, key: Buffer): HeartbeatCheck {
  if (buf.length < 5 || !buf.subarray(0, 4).equals(HEARTBEAT_MAGIC)) {
    return { ok: false, reason: 'malformed', detail: 'not a pivs heartbeat' };
  }
  if (buf[4] !== HEARTBEAT_VERSION) {
    return {
      ok: false, reason: 'malformed',
      detail: `heartbeat version ${buf[4]} is not ${HEARTBEAT_VERSION}; run the same pivs release on every director`,
    };
  }
  const n = buf.length > 6 ? buf[6] : 0;
  if (n === 0 || buf.length !== HEADER + n + MAC) return { ok: false, reason: 'malformed', detail: 'heartbeat length does not match its sender name' };
  // latin1, not ascii: ascii drops the high bit, so 0xC1 would pass for "A".
  const sender = buf.subarray(HEADER, HEADER + n).toString('latin1');
  if (!NAME_PATTERN.test(sender)) return { ok: false, reason: 'malformed', detail: 'heartbeat sender name is not 1 to 32 characters of A-Z a-z 0-9 . _ -' };
  if (!hmacMatches(key, buf.subarray(0, HEADER + n), buf.subarray(HEADER + n))) {
    return { ok: false, reason: 'forged', detail: 'HMAC does not match' };
  }
  return {
    ok: true,
    linkId: buf[5],
    sender,
    sequence: buf.readBigUInt64BE(8),
    timestampMs: Number(buf.readBigUInt64BE(16)),
    fault: (buf[7] & FLAG_FAULT) !== 0,
    hears: buf[24],
  };
}
