#include "checksum.h"

#include <cstring>

#include "parse.h"

namespace pivs {

uint32_t csum_add(const uint8_t* p, uint32_t n, uint32_t acc) {
  // Words of 4 bytes in the machine's order: the one's-complement sum does not depend on byte order
  // (RFC 1071, 2.B), so, folded to 16 bits and swapped, it is the sum of the big-endian 16-bit
  // words, at a fraction of the cost of adding those one at a time.
  uint64_t sum = 0;
  for (; n >= 4; n -= 4, p += 4) {
    uint32_t w;
    std::memcpy(&w, p, 4);
    sum += w;
  }
  if (n >= 2) {
    acc += uint32_t(p[0] << 8 | p[1]);
    p += 2;
    n -= 2;
  }
  if (n) acc += uint32_t(p[0] << 8);
  sum = (sum & 0xffffffff) + (sum >> 32);
  sum = (sum & 0xffffffff) + (sum >> 32);
  uint32_t s = uint32_t(sum);
  s = (s & 0xffff) + (s >> 16);
  s = (s & 0xffff) + (s >> 16);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  s = uint32_t(__builtin_bswap16(uint16_t(s)));
#endif
  return acc + s;
}

uint16_t csum_fold(uint32_t acc) {
  while (acc >> 16) acc = (acc & 0xffff) + (acc >> 16);
  return uint16_t(~acc);
}

bool icmp_checksum_ok(const uint8_t* frame, const ParsedFrame& p) {
  uint32_t l3_end = p.l3_off + p.ip_len;
  uint32_t n = l3_end - p.l4_off;
  uint32_t acc = csum_add(frame + p.l4_off, n, 0);
  if (p.family == 6) {
    // Pseudo-header: source, destination, upper-layer length, next header.
    acc = csum_add(p.saddr, 16, acc);
    acc = csum_add(p.daddr, 16, acc);
    acc += n >> 16;
    acc += n & 0xffff;
    acc += IPPROTO_ICMP6;
  }
  return csum_fold(acc) == 0;
}

void complete_l4_checksum(uint8_t* frame, uint32_t len, const ParsedFrame& p) {
  uint32_t field;
  if (p.proto == PROTO_TCP) field = 16;
  else if (p.proto == PROTO_UDP) field = 6;
  else return;
  uint32_t l3_end = p.l3_off + p.ip_len;
  if (!p.l4_complete || p.fragment || l3_end > len || l3_end <= p.l4_off + field + 1) return;
  // The field already holds the folded pseudo-header sum, so summing the segment with it in place
  // gives the full sum.
  uint16_t csum = csum_fold(csum_add(frame + p.l4_off, l3_end - p.l4_off, 0));
  if (csum == 0 && p.proto == PROTO_UDP) csum = 0xffff;
  frame[p.l4_off + field] = uint8_t(csum >> 8);
  frame[p.l4_off + field + 1] = uint8_t(csum);
}

}  // namespace pivs
