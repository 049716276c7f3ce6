// Direct routing: only the Ethernet addresses change; the IP packet goes to the real server as the
// client sent it (the real server holds the VIP on lo).
#pragma once
#include <cstdint>

namespace pivs {
// MACs are 48-bit numbers, first octet in bits 47..40.
void rewrite_dr(uint8_t* frame, uint64_t dst_mac, uint64_t src_mac);
}
