#include "checksum.h"

namespace pivs {

static uint32_t sum16(const uint8_t* p, uint32_t n, uint32_t acc) {
  for (; n > 1; n -= 2, p += 2) acc += uint32_t(p[0] << 8 | p[1]);
  if (n) acc += uint32_t(p[0] << 8);
  return acc;
}

void complete_l4_checksum(uint8_t* frame, uint32_t len, const ParsedFrame& p) {
  uint32_t field;
  if (p.proto == PROTO_TCP) field = 16;
  else if (p.proto == PROTO_UDP) field = 6;
  else return;
  uint32_t l3_end = p.l3_off + p.ip_len;
  if (!p.l4_complete || l3_end > len || l3_end <= p.l4_off + field + 1) return;
  // The field already holds the folded pseudo-header sum, so summing the segment with it in place
  // gives the full sum.
  uint32_t acc = sum16(frame + p.l4_off, l3_end - p.l4_off, 0);
  while (acc >> 16) acc = (acc & 0xffff) + (acc >> 16);
  uint16_t csum = uint16_t(~acc);
  if (csum == 0 && p.proto == PROTO_UDP) csum = 0xffff;
  frame[p.l4_off + field] = uint8_t(csum >> 8);
  frame[p.l4_off + field + 1] = uint8_t(csum);
}

}  // namespace pivs
