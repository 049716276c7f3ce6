// The trailer that authenticates a sync datagram when sync.auth is configured. It follows the body
// (an IPVS v1 message, whose header says its size, or a 16-byte control message):
//   0-3    magic "PVA1" (50 56 41 31)
//   4      keyId (lets keys be rolled: receivers refuse other key ids)
//   5      n = length of the sender's name
//   6..    sender: the director's name, n bytes of [A-Za-z0-9._-]
//   6+n    sequence, unsigned 64-bit big-endian, increasing per sender (replay guard)
//   14+n   HMAC-SHA256 (32 bytes) with the shared key over every byte before it (body + trailer)
// The trailer is 46 + n bytes. A real IPVS receiver drops such datagrams (size field != length),
// which is what auth mode wants.
import { hmacMatches, hmacSha256 } from '../common/hmac';
import { DIRECTOR_NAME_RULE, isDirectorName } from '../common/names';

export const TRAILER_MAGIC = Buffer.from('PVA1', 'ascii');

export interface TrailerFields {
  keyId: number;
  sender: string;
  sequence: bigint;
}

export function trailerLength(sender: string): number {
  return 46 + Buffer.byteLength(sender);
}

/** body + trailer, signed with `key`. */
export function appendTrailer(body: Buffer, fields: TrailerFields, key: Buffer): Buffer {
  if (!isDirectorName(fields.sender)) throw new Error(`the sender name "${fields.sender}" must be ${DIRECTOR_NAME_RULE}.`);
  const name = Buffer.from(fields.sender, 'ascii');
  const out = Buffer.alloc(body.length + trailerLength(fields.sender));
  body.copy(out, 0);
  let o = body.length;
  TRAILER_MAGIC.copy(out, o); o += 4;
  out[o++] = fields.keyId;
  out[o++] = name.length;
  name.copy(out, o); o += name.length;
  out.writeBigUInt64BE(fields.sequence, o); o += 8;
  hmacSha256(key, out.subarray(0, o)).copy(out, o);
  return out;
}

export type TrailerCheck =
  | ({ ok: true } & TrailerFields)
  /** malformed: no readable trailer; forged: the HMAC does not match (or another key id). */
  | { ok: false; reason: 'malformed' | 'forged'; detail: string };

/** Reads and verifies the trailer that starts at `bodyLength` and must end the datagram. */
export function checkTrailer(datagram: Buffer, bodyLength: number, key: Buffer, keyId: number): TrailerCheck {
  const t = datagram.subarray(bodyLength);
  if (t.length < 47 || !t.subarray(0, 4).equals(TRAILER_MAGIC)) {
    return { ok: false, reason: 'malformed', detail: 'no auth trailer after the message' };
  }
  const n = t[5];
  if (t.length !== 46 + n) return { ok: false, reason: 'malformed', detail: 'auth trailer length does not match its sender name' };
  const macAt = bodyLength + 14 + n;
  if (!hmacMatches(key, datagram.subarray(0, macAt), datagram.subarray(macAt))) {
    return { ok: false, reason: 'forged', detail: 'HMAC does not match' };
  }
  if (t[4] !== keyId) return { ok: false, reason: 'forged', detail: `key id ${t[4]} is not ${keyId}` };
  // latin1 keeps every byte as it came (ascii would drop the high bit and let 0xEC pass as "l").
  const sender = t.subarray(6, 6 + n).toString('latin1');
  if (!isDirectorName(sender)) {
    return { ok: false, reason: 'malformed', detail: `auth trailer sender name is not ${DIRECTOR_NAME_RULE}` };
  }
  return { ok: true, keyId: t[4], sender, sequence: t.readBigUInt64BE(6 + n) };
}
