// The heartbeat datagram, sent over every link to every peer. Layout, big-endian:
//   0-3    magic "PVHB" (50 56 48 42)
//   4      version 1
//   5      link id: the link's index in heartbeat.links (both directors list links in one order)
//   6      n = length of the sender's name
//   7      0 (reserved)
//   8-15   sequence, unsigned 64-bit, increasing per sender and link (replay guard)
//   16-23  timestamp: sender's clock, ms since 1970 (for humans and captures; not trusted)
//   24..   sender: the director's name, n bytes of [A-Za-z0-9._-]
//   24+n   HMAC-SHA256 (32 bytes) with the shared key over bytes 0 .. 23+n
// 56 + n bytes in all.
import { hmacMatches, hmacSha256, NAME_PATTERN } from '../sync/hmac';

export const HEARTBEAT_MAGIC = Buffer.from('PVHB', 'ascii');
export const HEARTBEAT_VERSION = 1;

export interface Heartbeat {
  linkId: number;
  sender: string;
  sequence: bigint;
  timestampMs: number;
}

export function encodeHeartbeat(h: Heartbeat, key: Buffer): Buffer {
  if (!NAME_PATTERN.test(h.sender)) throw new Error(`the sender name "${h.sender}" must be 1 to 32 characters of A-Z a-z 0-9 . _ -.`);
  const name = Buffer.from(h.sender, 'ascii');
  const b = Buffer.alloc(56 + name.length);
  HEARTBEAT_MAGIC.copy(b, 0);
  b[4] = HEARTBEAT_VERSION;
  b[5] = h.linkId;
  b[6] = name.length;
  b.writeBigUInt64BE(h.sequence, 8);
  b.writeBigUInt64BE(BigInt(Math.floor(h.timestampMs)), 16);
  name.copy(b, 24);
  hmacSha256(key, b.subarray(0, 24 + name.length)).copy(b, 24 + name.length);
  return b;
}

export type HeartbeatCheck =
  | ({ ok: true } & Heartbeat)
  | { ok: false; reason: 'malformed' | 'forged'; detail: string };

export function decodeHeartbeat(buf: Buffer, key: Buffer): HeartbeatCheck {
  if (buf.length < 57 || !buf.subarray(0, 4).equals(HEARTBEAT_MAGIC)) {
    return { ok: false, reason: 'malformed', detail: 'not a pivs heartbeat' };
  }
  if (buf[4] !== HEARTBEAT_VERSION) return { ok: false, reason: 'malformed', detail: `heartbeat version ${buf[4]} is not 1` };
  const n = buf[6];
  if (buf.length !== 56 + n) return { ok: false, reason: 'malformed', detail: 'heartbeat length does not match its sender name' };
  if (!hmacMatches(key, buf.subarray(0, 24 + n), buf.subarray(24 + n))) {
    return { ok: false, reason: 'forged', detail: 'HMAC does not match' };
  }
  return {
    ok: true,
    linkId: buf[5],
    sender: buf.subarray(24, 24 + n).toString('ascii'),
    sequence: buf.readBigUInt64BE(8),
    timestampMs: Number(buf.readBigUInt64BE(16)),
  };
}
