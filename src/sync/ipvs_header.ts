// The 8-byte header of an IPVS sync message v1 (net/netfilter/ipvs/ip_vs_sync.c, struct ip_vs_sync_mesg):
//   0 reserved (0)   1 syncid   2-3 size (whole message)   4 nr_conns   5 version (1)   6-7 spare (0)
// Byte 0 is where v0 put nr_conns; 0 there is how v1 is told apart.
// The transport only needs the header: to route a datagram (IPVS message or pivs control), to
// refuse a foreign syncid before the fast path sees it, and to find where an auth trailer begins.

export const IPVS_HEADER_LENGTH = 8;
export const IPVS_SYNC_VERSION = 1;

export interface IpvsHeader {
  syncId: number;
  nrConns: number;
  /** Length of the whole IPVS message, header included. */
  size: number;
}

/** Parses the header of an IPVS v1 message at the start of `buf`; returns a reason when it isn't one. */
export function readIpvsHeader(buf: Buffer): IpvsHeader | string {
  if (buf.length < IPVS_HEADER_LENGTH) return 'shorter than an IPVS sync header';
  if (buf[0] !== 0) return 'not an IPVS sync v1 message (reserved byte is not 0)';
  if (buf[5] !== IPVS_SYNC_VERSION) return `IPVS sync version ${buf[5]} is not 1`;
  const size = buf.readUInt16BE(2);
  if (size < IPVS_HEADER_LENGTH || size > buf.length) return `IPVS message size ${size} does not fit the ${buf.length}-byte datagram`;
  return { syncId: buf[1], nrConns: buf[4], size };
}
