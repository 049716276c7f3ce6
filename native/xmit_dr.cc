#include "xmit_dr.h"

namespace pivs {

static void put_mac(uint8_t* p, uint64_t mac) {
  for (int i = 0; i < 6; ++i) p[i] = uint8_t(mac >> (40 - 8 * i));
}

void rewrite_dr(uint8_t* frame, uint64_t dst_mac, uint64_t src_mac) {
  put_mac(frame, dst_mac);
  put_mac(frame + 6, src_mac);
}

}  // namespace pivs
