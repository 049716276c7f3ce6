// Frame parsing for the fast path: Ethernet (+ one 802.1Q tag), IPv4/IPv6, TCP/UDP/ICMP, and the
// packet an ICMP error quotes. Every length a header states is checked against the frame: a frame
// whose headers do not hold together is FRAME_MALFORMED and is never forwarded.
#pragma once
#include <cstdint>

#include "tables.h"

namespace pivs {

enum FrameKind : uint8_t { FRAME_OTHER, FRAME_ARP, FRAME_IP, FRAME_MALFORMED };

enum TcpFlagBits : uint8_t { TCP_FIN = 0x01, TCP_SYN = 0x02, TCP_RST = 0x04, TCP_ACK = 0x10 };

enum IpProto : uint8_t { IPPROTO_ICMP4 = 1, IPPROTO_ICMP6 = 58, IPPROTO_VRRP = 112 };

// The connection an ICMP error is about, as the quoted header names it (the real server's reply:
// source = the VIP, destination = the client).
struct IcmpQuote {
  bool ok = false;  // a TCP/UDP header with both ports is quoted
  uint8_t proto = 0;
  uint16_t sport = 0, dport = 0;
  const uint8_t* saddr = nullptr;
  const uint8_t* daddr = nullptr;
};

struct ParsedFrame {
  FrameKind kind = FRAME_OTHER;
  uint8_t family = 0;        // 4 or 6
  uint8_t proto = 0;         // L4 protocol (after IPv6 extension headers we know)
  uint8_t tcp_flags = 0;
  uint8_t icmp_type = 0, icmp_code = 0;
  bool l4_complete = false;  // the whole L4 header is inside the IP packet
  bool fragment = false;     // one fragment of a larger datagram
  bool first_fragment = true;
  uint32_t frag_id = 0;      // IPv4 identification or IPv6 fragment header identification
  uint16_t sport = 0, dport = 0;  // host order
  uint32_t l3_off = 0, l4_off = 0;
  uint32_t ip_len = 0;       // IP packet length as the header says (what IPVS counts as bytes)
  const uint8_t* saddr = nullptr;  // 4 or 16 bytes inside the frame
  const uint8_t* daddr = nullptr;
  IcmpQuote quote;           // ICMP errors only
};

// Never reads past len; anything it does not understand comes back as FRAME_OTHER, anything whose
// stated lengths or IPv4 header checksum are wrong as FRAME_MALFORMED.
ParsedFrame parse_frame(const uint8_t* frame, uint32_t len);

// ICMP (IPv4) destination unreachable, source quench, time exceeded, parameter problem; ICMPv6
// destination unreachable, packet too big, time exceeded, parameter problem.
bool is_icmp_error(uint8_t family, uint8_t type);
// ICMP echo request (IPv4 type 8, ICMPv6 type 128).
bool is_icmp_echo(uint8_t family, uint8_t type);

Addr to_addr(uint8_t family, const uint8_t* bytes);

}  // namespace pivs
