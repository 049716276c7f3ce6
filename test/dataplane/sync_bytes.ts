// Hand-built IPVS sync v1 messages (net/netfilter/ipvs/ip_vs_sync.c: struct ip_vs_sync_mesg,
// ip_vs_sync_v4, ip_vs_sync_v6), field by field, to compare the addon's output against.
import { addressToBytes } from '../../src/dataplane/convert';

// IP_VS_CONN_F_* (include/uapi/linux/ip_vs.h).
export const F_DROUTE = 0x0003;
export const F_NOOUTPUT = 0x0080;
export const F_INACTIVE = 0x0100;
export const F_TEMPLATE = 0x1000;
// IPVS TCP states (include/net/ip_vs.h).
export const S_ESTABLISHED = 1;
export const S_SYN_RECV = 3;
export const S_FIN_WAIT = 4;

export interface RecordSpec {
  protocol?: number;
  flags: number;
  state: number;
  cport: number;
  vport: number;
  dport: number;
  timeout: number;
  caddr: string;
  vaddr: string;
  daddr: string;
  fwmark?: number;
}

function ip(address: string): Buffer {
  const { family, addr } = addressToBytes(address, 'record address');
  return family === 4 ? addr.subarray(0, 4) : addr;
}

export function syncRecord(r: RecordSpec): Buffer {
  const v6 = ip(r.caddr).length === 16;
  const size = v6 ? 72 : 36;
  const b = Buffer.alloc(size);
  b[0] = v6 ? 1 : 0; // type: STYPE_F_INET6
  b[1] = r.protocol ?? 6;
  b.writeUInt16BE(size, 2); // version 0 in the top 4 bits
  b.writeUInt32BE(r.flags, 4);
  b.writeUInt16BE(r.state, 8);
  b.writeUInt16BE(r.cport, 10);
  b.writeUInt16BE(r.vport, 12);
  b.writeUInt16BE(r.dport, 14);
  b.writeUInt32BE(r.fwmark ?? 0, 16);
  b.writeUInt32BE(r.timeout, 20);
  const alen = v6 ? 16 : 4;
  ip(r.caddr).copy(b, 24);
  ip(r.vaddr).copy(b, 24 + alen);
  ip(r.daddr).copy(b, 24 + 2 * alen);
  return b;
}

export function syncMessage(syncId: number, records: Buffer[]): Buffer {
  const h = Buffer.alloc(8);
  const body = Buffer.concat(records);
  h[0] = 0; // reserved: a v0 receiver reads it as nr_conns 0 and drops the message
  h[1] = syncId;
  h.writeUInt16BE(8 + body.length, 2);
  h[4] = records.length;
  h[5] = 1; // SYNC_PROTO_VER
  h.writeUInt16BE(0, 6);
  return Buffer.concat([h, body]);
}

/** Records of a message, each as a Buffer (assumes no optional parameters). */
export function recordsOf(message: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let pos = 8;
  for (let i = 0; i < message[4]; i++) {
    const size = message.readUInt16BE(pos + 2) & 0x0fff;
    out.push(message.subarray(pos, pos + size));
    pos += size;
  }
  return out;
}
