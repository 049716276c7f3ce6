// pivs's own sync control messages (bulk resync), sent on the sync port next to IPVS messages.
// Layout, 16 bytes, big-endian:
//   0-3   magic "PVSC" (50 56 53 43): byte 0 is non-zero, where IPVS v1 requires reserved = 0, and
//         read as an IPVS v0 header its size field (0x5343) never equals 16, so IPVS drops it
//   4     version 1
//   5     type: 1 = resync request, 2 = resync end (the answer's last datagram)
//   6     syncid of the sender
//   7     0 (reserved)
//   8-11  request id: chosen by the requester, echoed by the end marker
//   12-15 end marker: how many IPVS messages the answer held before it; request: 0

export const CONTROL_MAGIC = Buffer.from('PVSC', 'ascii');
export const CONTROL_LENGTH = 16;
export const CONTROL_VERSION = 1;

export type ControlMessage =
  | { type: 'resync-request'; syncId: number; requestId: number }
  | { type: 'resync-end'; syncId: number; requestId: number; messages: number };

const TYPE_CODE = { 'resync-request': 1, 'resync-end': 2 } as const;

export function isControlMessage(buf: Buffer): boolean {
  return buf.length >= 4 && buf.subarray(0, 4).equals(CONTROL_MAGIC);
}

export function encodeControl(m: ControlMessage): Buffer {
  const b = Buffer.alloc(CONTROL_LENGTH);
  CONTROL_MAGIC.copy(b, 0);
  b[4] = CONTROL_VERSION;
  b[5] = TYPE_CODE[m.type];
  b[6] = m.syncId;
  b.writeUInt32BE(m.requestId >>> 0, 8);
  b.writeUInt32BE(m.type === 'resync-end' ? m.messages >>> 0 : 0, 12);
  return b;
}

/** Decodes the control message at the start of `buf` (an auth trailer may follow); a reason when malformed. */
export function decodeControl(buf: Buffer): ControlMessage | string {
  if (buf.length < CONTROL_LENGTH) return 'control message shorter than 16 bytes';
  if (!isControlMessage(buf)) return 'not a pivs sync control message';
  if (buf[4] !== CONTROL_VERSION) return `control message version ${buf[4]} is not 1`;
  const syncId = buf[6];
  const requestId = buf.readUInt32BE(8);
  switch (buf[5]) {
    case 1: return { type: 'resync-request', syncId, requestId };
    case 2: return { type: 'resync-end', syncId, requestId, messages: buf.readUInt32BE(12) };
    default: return `unknown control message type ${buf[5]}`;
  }
}
