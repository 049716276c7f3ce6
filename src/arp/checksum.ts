/** RFC 1071 Internet checksum over the concatenation of the parts (odd lengths pad with zero). */
export function internetChecksum(...parts: Buffer[]): number {
  const data = parts.length === 1 ? parts[0] : Buffer.concat(parts);
  let sum = 0;
  const even = data.length & ~1;
  for (let i = 0; i < even; i += 2) sum += data.readUInt16BE(i);
  if (data.length & 1) sum += data[data.length - 1] << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}
