// Frame parsing for the fast path: Ethernet (+ one 802.1Q tag), IPv4/IPv6, TCP/UDP/ICMP.
#pragma once
#include <cstdint>

#include "tables.h"

namespace pivs {

enum FrameKind : uint8_t { FRAME_OTHER, FRAME_ARP, FRAME_IP };

enum TcpFlagBits : uint8_t { TCP_FIN = 0x01, TCP_SYN = 0x02, TCP_RST = 0x04, TCP_ACK = 0x10 };

struct ParsedFrame {
  FrameKind kind = FRAME_OTHER;
  uint8_t family = 0;        // 4 or 6
  uint8_t proto = 0;         // L4 protocol (after IPv6 extension headers we know)
  uint8_t tcp_flags = 0;
  uint8_t icmp_type = 0;
  bool l4_complete = false;  // the whole L4 header is inside the frame
  bool first_fragment = true;
  uint16_t sport = 0, dport = 0;  // host order
  uint32_t l3_off = 0, l4_off = 0;
  uint32_t ip_len = 0;       // IP packet length as the header says (what IPVS counts as bytes)
  const uint8_t* saddr = nullptr;  // 4 or 16 bytes inside the frame
  const uint8_t* daddr = nullptr;
};

// Never reads past len; anything it does not understand comes back as FRAME_OTHER.
ParsedFrame parse_frame(const uint8_t* frame, uint32_t len);

Addr to_addr(uint8_t family, const uint8_t* bytes);

}  // namespace pivs
