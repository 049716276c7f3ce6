// Finishing offloaded checksums: veth hands frames up with TP_STATUS_CSUMNOTREADY, the L4
// checksum field holding only the pseudo-header sum; the wire needs the full one.
#pragma once
#include <cstdint>

#include "parse.h"

namespace pivs {
void complete_l4_checksum(uint8_t* frame, uint32_t len, const ParsedFrame& p);
}
