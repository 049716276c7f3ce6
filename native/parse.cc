#include "parse.h"

#include <cstring>

#include "checksum.h"

namespace pivs {

namespace {

inline uint16_t be16(const uint8_t* p) { return uint16_t(p[0] << 8 | p[1]); }
inline uint32_t be32(const uint8_t* p) {
  return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3];
}

// The header checksum holds when the header's one's-complement sum is all ones. The usual 20-byte
// header without a call or a loop: five words, folded.
inline bool ipv4_header_ok(const uint8_t* ip, uint32_t ihl) {
  if (ihl != 20) return csum_fold(csum_add(ip, ihl, 0)) == 0;
  uint64_t s = 0;
  for (int i = 0; i < 5; ++i) {
    uint32_t w;
    std::memcpy(&w, ip + 4 * i, 4);
    s += w;
  }
  s = (s & 0xffffffff) + (s >> 32);
  for (int i = 0; i < 3; ++i) s = (s & 0xffff) + (s >> 16);
  return s == 0xffff;
}

constexpr uint16_t kEthIpv4 = 0x0800, kEthIpv6 = 0x86dd, kEthArp = 0x0806, kEthVlan = 0x8100;

// IPv6 extension headers a client may legitimately send: hop-by-hop, routing, destination options.
inline bool is_ipv6_option_header(uint8_t next) { return next == 0 || next == 43 || next == 60; }
constexpr uint8_t kIpv6Fragment = 44;
// More extension headers than this and the packet is left to the kernel.
constexpr int kMaxIpv6ExtHeaders = 4;

// Every step fills the caller's ParsedFrame in place (parse_frame() returns its own, which the
// compiler builds in the caller's): over 80 bytes, a copy per header would cost what the parse does.
void malformed(ParsedFrame& p) { p.kind = FRAME_MALFORMED; }

// Both ports of the TCP/UDP header an ICMP error quotes, from `l3` (the quoted IP header) to `end`.
// A quote is allowed to be cut short after the ports (RFC 792 quotes only 8 bytes).
void parse_quote(ParsedFrame& p, const uint8_t* l3, const uint8_t* end) {
  IcmpQuote q;
  const uint8_t* l4;
  uint8_t proto;
  if (p.family == 4) {
    if (end - l3 < 20 || (l3[0] >> 4) != 4) return;
    uint32_t ihl = uint32_t(l3[0] & 0x0f) * 4;
    if (ihl < 20 || (be16(l3 + 6) & 0x1fff) != 0) return;  // no ports in a later fragment
    proto = l3[9];
    q.saddr = l3 + 12;
    q.daddr = l3 + 16;
    l4 = l3 + ihl;
  } else {
    if (end - l3 < 40 || (l3[0] >> 4) != 6) return;
    q.saddr = l3 + 8;
    q.daddr = l3 + 24;
    proto = l3[6];
    l4 = l3 + 40;
    for (int i = 0; i < kMaxIpv6ExtHeaders && (is_ipv6_option_header(proto) || proto == kIpv6Fragment); ++i) {
      if (end - l4 < 8) return;
      if (proto == kIpv6Fragment) {
        if ((be16(l4 + 2) & 0xfff8) != 0) return;
        proto = l4[0];
        l4 += 8;
      } else {
        proto = l4[0];
        l4 += (uint32_t(l4[1]) + 1) * 8;
      }
    }
  }
  if ((proto != PROTO_TCP && proto != PROTO_UDP) || l4 > end || end - l4 < 4) return;
  q.ok = true;
  q.proto = proto;
  q.sport = be16(l4);
  q.dport = be16(l4 + 2);
  p.quote = q;
}

// The L4 header of the first (or only) fragment, inside [l4_off, l3_end).
void parse_l4(ParsedFrame& p, const uint8_t* frame) {
  if (!p.first_fragment) return;
  const uint8_t* l4 = frame + p.l4_off;
  uint32_t l3_end = p.l3_off + p.ip_len;
  uint32_t avail = l3_end - p.l4_off;
  switch (p.proto) {
    case PROTO_TCP: {
      // A first fragment too short for the whole TCP header is the RFC 1858 overlap attack.
      if (avail < 20) return malformed(p);
      uint32_t doff = uint32_t(l4[12] >> 4) * 4;
      if (doff < 20 || doff > avail) return malformed(p);
      p.sport = be16(l4);
      p.dport = be16(l4 + 2);
      p.tcp_flags = l4[13];
      p.l4_complete = true;
      break;
    }
    case PROTO_UDP: {
      if (avail < 8) return malformed(p);
      // A first fragment's length field counts the whole datagram.
      uint32_t ulen = be16(l4 + 4);
      if (!p.fragment && (ulen < 8 || ulen > avail)) return malformed(p);
      p.sport = be16(l4);
      p.dport = be16(l4 + 2);
      p.l4_complete = true;
      break;
    }
    case IPPROTO_ICMP4:
    case IPPROTO_ICMP6: {
      if ((p.proto == IPPROTO_ICMP4) != (p.family == 4)) break;
      if (avail < 8) return malformed(p);
      p.icmp_type = l4[0];
      p.icmp_code = l4[1];
      p.l4_complete = true;
      if (is_icmp_error(p.family, p.icmp_type)) parse_quote(p, l4 + 8, frame + l3_end);
      break;
    }
    default:
      break;
  }
}

void parse_ipv4(ParsedFrame& p, const uint8_t* frame, uint32_t len) {
  uint32_t off = p.l3_off;
  if (len < off + 20) return malformed(p);
  const uint8_t* ip = frame + off;
  uint32_t ihl = uint32_t(ip[0] & 0x0f) * 4;
  uint32_t total = be16(ip + 2);
  // Bytes after the stated total length are Ethernet padding and are not the packet's.
  if ((ip[0] >> 4) != 4 || ihl < 20 || total < ihl || off + total > len) return malformed(p);
  if (!ipv4_header_ok(ip, ihl)) return malformed(p);
  p.kind = FRAME_IP;
  p.family = 4;
  p.proto = ip[9];
  p.ip_len = total;
  uint16_t frag = be16(ip + 6);
  p.fragment = (frag & 0x3fff) != 0;  // more fragments, or an offset
  p.first_fragment = (frag & 0x1fff) == 0;
  p.frag_id = be16(ip + 4);
  p.saddr = ip + 12;
  p.daddr = ip + 16;
  p.l4_off = off + ihl;
  parse_l4(p, frame);
}

void parse_ipv6(ParsedFrame& p, const uint8_t* frame, uint32_t len) {
  uint32_t off = p.l3_off;
  if (len < off + 40) return malformed(p);
  const uint8_t* ip = frame + off;
  uint32_t payload = be16(ip + 4);
  // A zero payload length is a jumbogram (RFC 2675), which no Ethernet frame carries.
  if ((ip[0] >> 4) != 6 || payload == 0 || off + 40 + payload > len) return malformed(p);
  p.kind = FRAME_IP;
  p.family = 6;
  p.ip_len = 40 + payload;
  p.saddr = ip + 8;
  p.daddr = ip + 24;
  uint32_t l3_end = off + p.ip_len;
  uint8_t next = ip[6];
  uint32_t l4 = off + 40;
  for (int i = 0; i < kMaxIpv6ExtHeaders; ++i) {
    if (is_ipv6_option_header(next)) {
      if (l4 + 8 > l3_end) return malformed(p);
      uint32_t hlen = (uint32_t(frame[l4 + 1]) + 1) * 8;
      if (l4 + hlen > l3_end) return malformed(p);
      next = frame[l4];
      l4 += hlen;
    } else if (next == kIpv6Fragment) {
      if (l4 + 8 > l3_end) return malformed(p);
      uint16_t fo = be16(frame + l4 + 2);
      // An atomic fragment (offset 0, no more fragments: RFC 6946) is a whole packet.
      p.fragment = (fo & 0xfff9) != 0;
      p.first_fragment = (fo & 0xfff8) == 0;
      p.frag_id = be32(frame + l4 + 4);
      next = frame[l4];
      l4 += 8;
      if (!p.first_fragment) break;
    } else {
      break;
    }
  }
  p.proto = next;
  p.l4_off = l4;
  parse_l4(p, frame);
}

}  // namespace

bool is_icmp_error(uint8_t family, uint8_t type) {
  if (family == 4) return type == 3 || type == 4 || type == 11 || type == 12;
  return type >= 1 && type <= 4;
}

bool is_icmp_echo(uint8_t family, uint8_t type) { return family == 4 ? type == 8 : type == 128; }

Addr to_addr(uint8_t family, const uint8_t* bytes) {
  Addr a;
  a.family = family;
  std::memcpy(a.bytes, bytes, family == 4 ? 4 : 16);
  return a;
}

ParsedFrame parse_frame(const uint8_t* frame, uint32_t len) {
  ParsedFrame p;
  if (len < 14) return p;
  uint32_t off = 12;
  uint16_t type = be16(frame + off);
  if (type == kEthVlan) {
    if (len < 18) return p;
    off += 4;
    type = be16(frame + off);
  }
  off += 2;
  p.l3_off = off;
  if (type == kEthArp) {
    p.kind = FRAME_ARP;
    return p;
  }
  if (type == kEthIpv4) parse_ipv4(p, frame, len);
  else if (type == kEthIpv6) parse_ipv6(p, frame, len);
  return p;
}

}  // namespace pivs
