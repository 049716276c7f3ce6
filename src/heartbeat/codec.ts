// The heartbeat datagram, sent over every link to every peer. Layout, big-endian:
//   0-3    magic "PVHB" (50 56 48 42)
//   4      version 3
//   5      link id: the link's index in heartbeat.links (both directors list links in one order)
//   6      n = length of the sender's name
//   7      flags: bit 0 FAULT = every link of the sender is down and it has stepped down;
//                 bit 1 STOPPING = the sender is leaving the election (clean stop); others 0
//   8-15   sequence, unsigned 64-bit, increasing per sender and link (replay guard)
//   16-23  timestamp: sender's clock, ms since 1970 (for humans and captures; not trusted)
//   24     hears: bit j set = the sender receives valid heartbeats from the recipient over link j
//   25     k = number of VRRP claims
//   26-27  0 (reserved)
//   28..   sender: the director's name, n bytes of [A-Za-z0-9._-]
//   28+n   k claims of 4 bytes: VRID, state (0 INIT, 1 BACKUP, 2 MASTER, 3 FAULT), effective priority, 0
//   28+n+4k  HMAC-SHA256 (32 bytes) with the shared key over every byte before it
// 60 + n + 4k bytes in all. The hears mask differs per recipient, so each peer gets its own datagram.
// The claims are what lets a director tell a forged VRRP advert from its peer's real one: VRRP's
// own authentication is a clear-text password at best (docs/ha.md).
import { hmacMatches, hmacSha256 } from '../common/hmac';
import { DIRECTOR_NAME_RULE, isDirectorName } from '../common/names';

export const HEARTBEAT_MAGIC = Buffer.from('PVHB', 'ascii');
export const HEARTBEAT_VERSION = 3;
/** One byte counts the claims. */
export const MAX_VRRP_CLAIMS = 255;
const FLAG_FAULT = 0x01;
const FLAG_STOPPING = 0x02;
const HEADER = 28;
const CLAIM = 4;
const MAC = 32;

export const CLAIM_STATES = ['INIT', 'BACKUP', 'MASTER', 'FAULT'] as const;
export type ClaimState = typeof CLAIM_STATES[number];

/** What the sender says of one of its VRRP instances. */
export interface VrrpClaim {
  virtualRouterId: number;
  state: ClaimState;
  /** Effective priority, after tracking. */
  priority: number;
}

export interface Heartbeat {
  linkId: number;
  sender: string;
  sequence: bigint;
  timestampMs: number;
  /** The sender has every link down and has stepped down (VRRP FAULT). */
  fault: boolean;
  /** The sender is stopping: it has left, or is about to leave, the election. */
  stopping: boolean;
  /** Bit j: the sender hears the recipient over link j. */
  hears: number;
  claims: VrrpClaim[];
}

function byte(value: number, what: string, min = 0): void {
  if (!Number.isInteger(value) || value < min || value > 0xff) throw new Error(`${what} ${value} must be a whole number from ${min} to 255.`);
}

export function encodeHeartbeat(h: Heartbeat, key: Buffer): Buffer {
  if (!isDirectorName(h.sender)) throw new Error(`the sender name "${h.sender}" must be ${DIRECTOR_NAME_RULE}.`);
  byte(h.hears, 'the hears mask');
  if (h.claims.length > MAX_VRRP_CLAIMS) throw new Error(`a heartbeat carries at most ${MAX_VRRP_CLAIMS} VRRP claims, not ${h.claims.length}.`);
  const name = Buffer.from(h.sender, 'ascii');
  const body = HEADER + name.length + CLAIM * h.claims.length;
  const b = Buffer.alloc(body + MAC);
  HEARTBEAT_MAGIC.copy(b, 0);
  b[4] = HEARTBEAT_VERSION;
  b[5] = h.linkId;
  b[6] = name.length;
  b[7] = (h.fault ? FLAG_FAULT : 0) | (h.stopping ? FLAG_STOPPING : 0);
  b.writeBigUInt64BE(h.sequence, 8);
  b.writeBigUInt64BE(timestampField(h.timestampMs), 16);
  b[24] = h.hears;
  b[25] = h.claims.length;
  name.copy(b, HEADER);
  for (const [i, c] of h.claims.entries()) {
    const at = HEADER + name.length + CLAIM * i;
    byte(c.virtualRouterId, 'the virtual router id', 1);
    byte(c.priority, 'the claimed priority');
    b[at] = c.virtualRouterId;
    b[at + 1] = CLAIM_STATES.indexOf(c.state);
    b[at + 2] = c.priority;
  }
  hmacSha256(key, b.subarray(0, body)).copy(b, body);
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
  const k = buf.length > 25 ? buf[25] : 0;
  const body = HEADER + n + CLAIM * k;
  if (n === 0 || buf.length !== body + MAC) return { ok: false, reason: 'malformed', detail: 'heartbeat length does not match its sender name and claims' };
  // latin1, not ascii: ascii drops the high bit, so 0xC1 would pass for "A".
  const sender = buf.subarray(HEADER, HEADER + n).toString('latin1');
  if (!isDirectorName(sender)) return { ok: false, reason: 'malformed', detail: `heartbeat sender name is not ${DIRECTOR_NAME_RULE}` };
  if (!hmacMatches(key, buf.subarray(0, body), buf.subarray(body))) {
    return { ok: false, reason: 'forged', detail: 'HMAC does not match' };
  }
  const claims: VrrpClaim[] = [];
  for (let i = 0; i < k; i++) {
    const at = HEADER + n + CLAIM * i;
    const state = CLAIM_STATES[buf[at + 1]];
    if (buf[at] === 0 || state === undefined || buf[at + 3] !== 0) return { ok: false, reason: 'malformed', detail: `heartbeat VRRP claim ${i + 1} is not a VRID, a known state and a priority` };
    claims.push({ virtualRouterId: buf[at], state, priority: buf[at + 2] });
  }
  return {
    ok: true,
    linkId: buf[5],
    sender,
    sequence: buf.readBigUInt64BE(8),
    timestampMs: Number(buf.readBigUInt64BE(16)),
    fault: (buf[7] & FLAG_FAULT) !== 0,
    stopping: (buf[7] & FLAG_STOPPING) !== 0,
    hears: buf[24],
    claims,
  };
}
