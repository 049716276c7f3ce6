// Building IPVS sync v1 messages by hand (Linux net/netfilter/ipvs/ip_vs_sync.c layout), so a test
// can send a director a connection that no director created: signed with the wrong key it must be
// dropped, signed with the right one it must appear in `pivsadm -L -c`.
import type { ConnectionEntry } from '../../src/dataplane/types';
import { appendTrailer } from '../../src/sync/auth_trailer';

/** A connection as `pivsadm -L -c` would list it, plus the sync timeout (seconds). */
export type ForgedConnection = Pick<ConnectionEntry,
  'clientAddress' | 'clientPort' | 'virtualAddress' | 'virtualPort' | 'realAddress' | 'realPort'> & { timeout: number };

const HEADER = 8;
const IPV4_RECORD = 36;
/** IP_VS_CONN_F_DROUTE: direct routing, the only forwarding method pivs has. */
const F_DROUTE = 0x0003;
/** IP_VS_TCP_S_ESTABLISHED. */
const TCP_ESTABLISHED = 1;

function ipv4(text: string): number {
  return text.split('.').reduce((a, o) => (a << 8 | Number(o)) >>> 0, 0);
}

/** One sync v1 message (header + one 36-byte IPv4 TCP record, all fields in network order). */
export function ipvsSyncMessage(syncId: number, c: ForgedConnection): Buffer {
  const b = Buffer.alloc(HEADER + IPV4_RECORD);
  b[0] = 0; // reserved: 0 tells v1 from v0
  b[1] = syncId;
  b.writeUInt16BE(b.length, 2);
  b[4] = 1; // nr_conns
  b[5] = 1; // version
  let o = HEADER;
  b[o] = 0; // type: IPv4
  b[o + 1] = 6; // TCP
  b.writeUInt16BE(IPV4_RECORD, o + 2); // ver_size: version 0, size 36
  b.writeUInt32BE(F_DROUTE, o + 4);
  b.writeUInt16BE(TCP_ESTABLISHED, o + 8);
  b.writeUInt16BE(c.clientPort, o + 10);
  b.writeUInt16BE(c.virtualPort, o + 12);
  b.writeUInt16BE(c.realPort, o + 14);
  b.writeUInt32BE(0, o + 16); // fwmark
  b.writeUInt32BE(c.timeout, o + 20);
  o += 24;
  b.writeUInt32BE(ipv4(c.clientAddress), o);
  b.writeUInt32BE(ipv4(c.virtualAddress), o + 4);
  b.writeUInt32BE(ipv4(c.realAddress), o + 8);
  return b;
}

/** The message with pivs' auth trailer, signed with `key` (the wrong one to forge). */
export function signedSyncMessage(message: Buffer, key: string, sender: string, sequence: bigint): Buffer {
  return appendTrailer(message, { keyId: 0, sender, sequence }, Buffer.from(key, 'utf8'));
}
