// Ethernet frames for the native harnesses (stress, fuzz seeds): every length, the IPv4 header
// checksum and the L4 checksum are right unless a test breaks them on purpose.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

namespace pivs_test {

using Bytes = std::vector<uint8_t>;

struct Ip {
  uint8_t family = 4;
  uint8_t b[16] = {};
};

inline Ip ip4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  Ip ip;
  ip.b[0] = a;
  ip.b[1] = b;
  ip.b[2] = c;
  ip.b[3] = d;
  return ip;
}

// From eight 16-bit groups, as written: ip6({0x2001, 0xdb8, 0, 0, 0, 0, 0, 1}).
inline Ip ip6(const uint16_t (&g)[8]) {
  Ip ip;
  ip.family = 6;
  for (int i = 0; i < 8; ++i) {
    ip.b[2 * i] = uint8_t(g[i] >> 8);
    ip.b[2 * i + 1] = uint8_t(g[i]);
  }
  return ip;
}

inline size_t alen(const Ip& ip) { return ip.family == 6 ? 16 : 4; }

inline void put16(uint8_t* p, uint16_t v) {
  p[0] = uint8_t(v >> 8);
  p[1] = uint8_t(v);
}
inline void put32(uint8_t* p, uint32_t v) {
  put16(p, uint16_t(v >> 16));
  put16(p + 2, uint16_t(v));
}

// RFC 1071 sum, not folded.
inline uint32_t sum16(const uint8_t* p, size_t n, uint32_t acc = 0) {
  for (; n > 1; n -= 2, p += 2) acc += uint32_t(p[0] << 8 | p[1]);
  if (n) acc += uint32_t(p[0] << 8);
  return acc;
}
inline uint16_t fold(uint32_t acc) {
  while (acc >> 16) acc = (acc & 0xffff) + (acc >> 16);
  return uint16_t(acc);
}

inline uint32_t pseudo_sum(const Ip& src, const Ip& dst, uint8_t proto, size_t l4_len) {
  uint32_t acc = sum16(src.b, alen(src));
  acc = sum16(dst.b, alen(dst), acc);
  acc += uint32_t(l4_len >> 16) + uint32_t(l4_len & 0xffff);
  return acc + proto;
}

enum : uint8_t { F_FIN = 0x01, F_SYN = 0x02, F_RST = 0x04, F_PSH = 0x08, F_ACK = 0x10 };

struct FrameOpts {
  uint64_t dst_mac = 0x02000000aa01;  // the director
  uint64_t src_mac = 0x020000bb0001;  // a router
  int vlan = -1;                      // 802.1Q TCI, -1: untagged
  // The L4 checksum field holds only the folded pseudo-header sum, as a frame the kernel hands up
  // with TP_STATUS_CSUMNOTREADY.
  bool csum_partial = false;
  uint16_t ip_id = 0x1234;
  uint16_t frag_off = 0;  // IPv4 fragment offset (8-byte units), or IPv6 with a fragment header
  bool more_frags = false;
  bool v6_frag = false;   // IPv6: add a fragment header
  size_t payload = 0;     // TCP/UDP payload bytes
};

// TCP (20-byte header) or UDP segment with its checksum (or its partial one).
inline Bytes l4_segment(const Ip& src, const Ip& dst, uint8_t proto, uint16_t sport,
                        uint16_t dport, uint8_t flags, const FrameOpts& o) {
  size_t hl = proto == 6 ? 20 : 8;
  Bytes s(hl + o.payload, 0);
  put16(&s[0], sport);
  put16(&s[2], dport);
  for (size_t i = 0; i < o.payload; ++i) s[hl + i] = uint8_t('a' + i % 26);
  size_t field;
  if (proto == 6) {
    put32(&s[4], 0x01000000u + sport);  // seq
    put32(&s[8], (flags & F_ACK) ? 0x02000000u + dport : 0);
    s[12] = 5 << 4;
    s[13] = flags;
    put16(&s[14], 64240);
    field = 16;
  } else {
    put16(&s[4], uint16_t(s.size()));
    field = 6;
  }
  uint32_t ps = pseudo_sum(src, dst, proto, s.size());
  uint16_t c;
  if (o.csum_partial) {
    c = fold(ps);
  } else {
    c = uint16_t(~fold(sum16(s.data(), s.size(), ps)));
    if (proto == 17 && c == 0) c = 0xffff;
  }
  put16(&s[field], c);
  return s;
}

// ICMP (IPv4) or ICMPv6 message: type, code, checksum, 4 bytes of rest, then body.
inline Bytes icmp_message(const Ip& src, const Ip& dst, uint8_t type, uint8_t code, uint32_t rest,
                          const Bytes& body) {
  Bytes m(8 + body.size(), 0);
  m[0] = type;
  m[1] = code;
  put32(&m[4], rest);
  if (!body.empty()) std::memcpy(&m[8], body.data(), body.size());
  uint32_t acc = src.family == 6 ? pseudo_sum(src, dst, 58, m.size()) : 0;
  put16(&m[2], uint16_t(~fold(sum16(m.data(), m.size(), acc))));
  return m;
}

// The IP packet around an L4 payload.
inline Bytes ip_packet(const Ip& src, const Ip& dst, uint8_t proto, const Bytes& l4,
                       const FrameOpts& o) {
  Bytes p;
  if (src.family == 4) {
    p.assign(20, 0);
    p[0] = 0x45;
    put16(&p[2], uint16_t(20 + l4.size()));
    put16(&p[4], o.ip_id);
    put16(&p[6], uint16_t((o.more_frags ? 0x2000 : 0) | (o.frag_off & 0x1fff)));
    p[8] = 64;
    p[9] = proto;
    std::memcpy(&p[12], src.b, 4);
    std::memcpy(&p[16], dst.b, 4);
    put16(&p[10], uint16_t(~fold(sum16(p.data(), 20))));
  } else {
    size_t ext = o.v6_frag ? 8 : 0;
    p.assign(40 + ext, 0);
    p[0] = 0x60;
    put16(&p[4], uint16_t(ext + l4.size()));
    p[6] = o.v6_frag ? 44 : proto;
    p[7] = 64;
    std::memcpy(&p[8], src.b, 16);
    std::memcpy(&p[24], dst.b, 16);
    if (o.v6_frag) {
      p[40] = proto;
      put16(&p[42], uint16_t((o.frag_off << 3) | (o.more_frags ? 1 : 0)));
      put32(&p[44], o.ip_id);
    }
  }
  p.insert(p.end(), l4.begin(), l4.end());
  return p;
}

inline void put_mac(uint8_t* p, uint64_t mac) {
  for (int i = 0; i < 6; ++i) p[i] = uint8_t(mac >> (40 - 8 * i));
}
inline uint64_t get_mac(const uint8_t* p) {
  uint64_t m = 0;
  for (int i = 0; i < 6; ++i) m = m << 8 | p[i];
  return m;
}

inline Bytes ether(uint16_t type, const Bytes& payload, const FrameOpts& o) {
  Bytes f(o.vlan >= 0 ? 18 : 14, 0);
  put_mac(&f[0], o.dst_mac);
  put_mac(&f[6], o.src_mac);
  size_t t = 12;
  if (o.vlan >= 0) {
    put16(&f[12], 0x8100);
    put16(&f[14], uint16_t(o.vlan));
    t = 16;
  }
  put16(&f[t], type);
  f.insert(f.end(), payload.begin(), payload.end());
  return f;
}

inline uint16_t ethertype(const Ip& ip) { return ip.family == 6 ? 0x86dd : 0x0800; }

// A TCP (proto 6) or UDP (17) frame from client to server.
inline Bytes l4_frame(const Ip& src, const Ip& dst, uint8_t proto, uint16_t sport, uint16_t dport,
                      uint8_t flags, const FrameOpts& o = {}) {
  Bytes l4 = l4_segment(src, dst, proto, sport, dport, flags, o);
  return ether(ethertype(src), ip_packet(src, dst, proto, l4, o), o);
}

inline Bytes tcp_frame(const Ip& src, const Ip& dst, uint16_t sport, uint16_t dport,
                       uint8_t flags, const FrameOpts& o = {}) {
  return l4_frame(src, dst, 6, sport, dport, flags, o);
}

inline Bytes udp_frame(const Ip& src, const Ip& dst, uint16_t sport, uint16_t dport,
                       const FrameOpts& o = {}) {
  return l4_frame(src, dst, 17, sport, dport, 0, o);
}

// IPv4 fragment carrying raw bytes of a larger datagram (offset in 8-byte units).
inline Bytes ip_fragment(const Ip& src, const Ip& dst, uint8_t proto, const Bytes& chunk,
                         const FrameOpts& o) {
  return ether(ethertype(src), ip_packet(src, dst, proto, chunk, o), o);
}

inline Bytes icmp_echo(const Ip& src, const Ip& dst, const FrameOpts& o = {}) {
  Bytes body(16);
  for (size_t i = 0; i < body.size(); ++i) body[i] = uint8_t(i);
  uint8_t proto = src.family == 6 ? 58 : 1;
  Bytes m = icmp_message(src, dst, src.family == 6 ? 128 : 8, 0, 0x00010001, body);
  return ether(ethertype(src), ip_packet(src, dst, proto, m, o), o);
}

// An ICMP error from a router on the path back to the client, quoting the real server's reply
// (source = vip, destination = client) with its whole TCP header: destination unreachable /
// fragmentation needed (IPv4), packet too big (IPv6).
inline Bytes icmp_error_tcp(const Ip& router, const Ip& vip, const Ip& client, uint16_t vport,
                            uint16_t cport, const FrameOpts& o = {}) {
  FrameOpts inner;
  Bytes quoted = ip_packet(vip, client, 6, l4_segment(vip, client, 6, vport, cport, F_ACK, inner), inner);
  bool v6 = vip.family == 6;
  Bytes m = icmp_message(router, vip, v6 ? 2 : 3, v6 ? 0 : 4, v6 ? 1280 : 1400, quoted);
  return ether(ethertype(vip), ip_packet(router, vip, v6 ? 58 : 1, m, o), o);
}

inline Bytes arp_request(const Ip& sender, const Ip& target, const FrameOpts& o = {}) {
  Bytes a(28, 0);
  put16(&a[0], 1);
  put16(&a[2], 0x0800);
  a[4] = 6;
  a[5] = 4;
  put16(&a[6], 1);
  put_mac(&a[8], o.src_mac);
  std::memcpy(&a[14], sender.b, 4);
  std::memcpy(&a[24], target.b, 4);
  FrameOpts b = o;
  b.dst_mac = 0xffffffffffffull;
  return ether(0x0806, a, b);
}

}  // namespace pivs_test
