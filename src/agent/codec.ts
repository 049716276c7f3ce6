// The load report pivs-agent sends to every director: one UDP datagram, fixed layout, big-endian,
// authenticated with HMAC-SHA256 over everything before the MAC. Pure: no sockets, no clock.
//
//  0  magic "PVAG"         4    24  loadIndex float64    8
//  4  version (1)          1    32  address family 4|6   1
//  5  flags (bit 0 weight) 1    33  reserved (zero)      3
//  6  weight               2    36  address (16 bytes; IPv4 in the first 4)
//  8  seq                  8    52  HMAC-SHA256          32
// 16  time (ms, epoch)     8    84  end
import { hmacMatches, hmacSha256 } from '../common/hmac';
import { addressBytes, familyOf, ipv4FromBytes, ipv6FromBytes } from '../config/address';

export const REPORT_MAGIC = Buffer.from('PVAG', 'ascii');
export const REPORT_VERSION = 1;
export const REPORT_LENGTH = 84;
const SIGNED_LENGTH = 52;
const FLAG_WEIGHT = 0x01;

export interface LoadReport {
  /** The reporting real server's address (as the director's config names it). */
  address: string;
  /** BogoMIPS x MemFree_MB / RAM_MB; higher = more spare capacity. */
  loadIndex: number;
  /** A weight (0..65535) the agent asks for; absent = none. */
  weight?: number;
  /** Strictly increasing per agent; the director drops anything not above the last it took. */
  seq: bigint;
  /** The agent's wall clock, ms since the epoch; informational. */
  timeMs: number;
}

export function encodeReport(report: LoadReport, key: string | Buffer): Buffer {
  const family = familyOf(report.address);
  if (family === 0) throw new TypeError(`The report address "${report.address}" is not an IPv4 or IPv6 address.`);
  if (!Number.isFinite(report.loadIndex) || report.loadIndex < 0) {
    throw new RangeError(`The load index must be a finite number >= 0, not ${report.loadIndex}.`);
  }
  if (report.weight !== undefined && (!Number.isInteger(report.weight) || report.weight < 0 || report.weight > 65535)) {
    throw new RangeError(`The reported weight must be an integer from 0 to 65535, not ${report.weight}.`);
  }
  const out = Buffer.alloc(REPORT_LENGTH);
  REPORT_MAGIC.copy(out, 0);
  out[4] = REPORT_VERSION;
  out[5] = report.weight === undefined ? 0 : FLAG_WEIGHT;
  out.writeUInt16BE(report.weight ?? 0, 6);
  out.writeBigUInt64BE(BigInt.asUintN(64, report.seq), 8);
  out.writeBigUInt64BE(timeField(report.timeMs), 16);
  out.writeDoubleBE(report.loadIndex, 24);
  out[32] = family;
  addressBytes(report.address).copy(out, 36);
  hmacSha256(key, out.subarray(0, SIGNED_LENGTH)).copy(out, SIGNED_LENGTH);
  return out;
}

const MAX_U64 = 2n ** 64n - 1n;

/** decodeReport reads the 64 bits as a Number, which rounds 2^64 - 1024 and above up to 2^64. */
function timeField(ms: number): bigint {
  const t = BigInt(Math.max(0, Math.floor(ms)));
  return t > MAX_U64 ? MAX_U64 : t;
}

export type DecodeResult = { ok: true; report: LoadReport } | { ok: false; reason: string };

/** Never throws: a datagram off the network is either a report or a reason to drop it. */
export function decodeReport(buf: Buffer, key: string | Buffer): DecodeResult {
  if (buf.length !== REPORT_LENGTH) return { ok: false, reason: `length ${buf.length}, not ${REPORT_LENGTH}` };
  if (!buf.subarray(0, 4).equals(REPORT_MAGIC)) return { ok: false, reason: 'not a pivs-agent report' };
  if (buf[4] !== REPORT_VERSION) return { ok: false, reason: `version ${buf[4]}, not ${REPORT_VERSION}` };
  // The MAC is checked before any field is believed.
  if (!hmacMatches(key, buf.subarray(0, SIGNED_LENGTH), buf.subarray(SIGNED_LENGTH))) {
    return { ok: false, reason: 'bad HMAC (wrong key or altered report)' };
  }
  const flags = buf[5];
  if ((flags & ~FLAG_WEIGHT) !== 0) return { ok: false, reason: `unknown flags 0x${flags.toString(16)}` };
  const family = buf[32];
  if ((family !== 4 && family !== 6) || buf[33] !== 0 || buf[34] !== 0 || buf[35] !== 0) {
    return { ok: false, reason: 'bad address family' };
  }
  const loadIndex = buf.readDoubleBE(24);
  if (!Number.isFinite(loadIndex) || loadIndex < 0) return { ok: false, reason: 'bad load index' };
  const addr = buf.subarray(36, 52);
  const report: LoadReport = {
    address: family === 4 ? ipv4FromBytes(addr) : ipv6FromBytes(addr),
    loadIndex,
    seq: buf.readBigUInt64BE(8),
    timeMs: Number(buf.readBigUInt64BE(16)),
  };
  if ((flags & FLAG_WEIGHT) !== 0) report.weight = buf.readUInt16BE(6);
  return { ok: true, report };
}

