// Direct routing: only the Ethernet addresses change; the IP packet goes to the real server as the
// client sent it (the real server holds the VIP on lo).
#pragma once
#include <cstdint>
#include <cstring>

namespace pivs {

// MACs are 48-bit numbers, first octet in bits 47..40. Inline, each address a word in wire order
// copied in: a few stores per packet rather than a call and a store per byte.
inline void rewrite_dr(uint8_t* frame, uint64_t dst_mac, uint64_t src_mac) {
  uint64_t d = dst_mac << 16, s = src_mac << 16;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  d = __builtin_bswap64(d);
  s = __builtin_bswap64(s);
#endif
  std::memcpy(frame, &d, 6);
  std::memcpy(frame + 6, &s, 6);
}

}  // namespace pivs
