// Internet checksums (RFC 1071): verifying IPv4 headers and ICMP messages, and finishing offloaded
// L4 checksums (veth hands frames up with TP_STATUS_CSUMNOTREADY, the L4 checksum field holding
// only the pseudo-header sum; the wire needs the full one).
#pragma once
#include <cstdint>

namespace pivs {

struct ParsedFrame;

// One's-complement sum of n bytes added to acc (not folded).
uint32_t csum_add(const uint8_t* p, uint32_t n, uint32_t acc);
// Folds a sum to 16 bits and complements it: 0 means a message with its checksum in place is valid.
uint16_t csum_fold(uint32_t acc);

// The ICMP (IPv4) or ICMPv6 (with its pseudo-header) checksum of a whole, unfragmented message.
bool icmp_checksum_ok(const uint8_t* frame, const ParsedFrame& p);

void complete_l4_checksum(uint8_t* frame, uint32_t len, const ParsedFrame& p);

}  // namespace pivs
