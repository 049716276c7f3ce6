#include "parse.h"

#include <cstring>

namespace pivs {

static inline uint16_t be16(const uint8_t* p) { return uint16_t(p[0] << 8 | p[1]); }

Addr to_addr(uint8_t family, const uint8_t* bytes) {
  Addr a;
  a.family = family;
  std::memcpy(a.bytes, bytes, family == 4 ? 4 : 16);
  return a;
}

static void parse_l4(ParsedFrame& p, const uint8_t* frame, uint32_t len) {
  const uint8_t* l4 = frame + p.l4_off;
  uint32_t avail = len > p.l4_off ? len - p.l4_off : 0;
  if (!p.first_fragment) return;
  switch (p.proto) {
    case PROTO_TCP:
      if (avail < 20) return;
      p.sport = be16(l4);
      p.dport = be16(l4 + 2);
      p.tcp_flags = l4[13];
      p.l4_complete = true;
      break;
    case PROTO_UDP:
      if (avail < 8) return;
      p.sport = be16(l4);
      p.dport = be16(l4 + 2);
      p.l4_complete = true;
      break;
    case 1:
    case 58:
      if (avail < 4) return;
      p.icmp_type = l4[0];
      p.l4_complete = true;
      break;
    default:
      break;
  }
}

ParsedFrame parse_frame(const uint8_t* frame, uint32_t len) {
  ParsedFrame p;
  if (len < 14) return p;
  uint32_t off = 12;
  uint16_t type = be16(frame + off);
  if (type == 0x8100) {
    if (len < 18) return p;
    off += 4;
    type = be16(frame + off);
  }
  off += 2;
  if (type == 0x0806) {
    p.kind = FRAME_ARP;
    return p;
  }
  p.l3_off = off;
  if (type == 0x0800) {
    if (len < off + 20) return p;
    const uint8_t* ip = frame + off;
    uint32_t ihl = uint32_t(ip[0] & 0x0f) * 4;
    if ((ip[0] >> 4) != 4 || ihl < 20 || len < off + ihl) return p;
    p.kind = FRAME_IP;
    p.family = 4;
    p.proto = ip[9];
    p.ip_len = be16(ip + 2);
    p.first_fragment = (be16(ip + 6) & 0x1fff) == 0;
    p.saddr = ip + 12;
    p.daddr = ip + 16;
    p.l4_off = off + ihl;
    parse_l4(p, frame, len);
  } else if (type == 0x86dd) {
    if (len < off + 40) return p;
    const uint8_t* ip = frame + off;
    if ((ip[0] >> 4) != 6) return p;
    p.kind = FRAME_IP;
    p.family = 6;
    p.ip_len = 40u + be16(ip + 4);
    p.saddr = ip + 8;
    p.daddr = ip + 24;
    uint8_t next = ip[6];
    uint32_t l4 = off + 40;
    // Skip the extension headers a client may legitimately send (hop-by-hop, routing, dest opts,
    // fragment); give up on anything longer than a few.
    for (int i = 0; i < 4; ++i) {
      if (next == 0 || next == 43 || next == 60) {
        if (len < l4 + 8) return p;
        uint8_t nh = frame[l4];
        l4 += (uint32_t(frame[l4 + 1]) + 1) * 8;
        next = nh;
      } else if (next == 44) {
        if (len < l4 + 8) return p;
        if ((be16(frame + l4 + 2) & 0xfff8) != 0) p.first_fragment = false;
        next = frame[l4];
        l4 += 8;
      } else {
        break;
      }
    }
    p.proto = next;
    p.l4_off = l4;
    parse_l4(p, frame, len);
  }
  return p;
}

}  // namespace pivs
