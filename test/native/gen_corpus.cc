// Writes the fuzzers' seed corpus: test/native/corpus/frame/ (fuzz_frame inputs: the two-byte
// prefix of fixture.h, then an Ethernet frame) and test/native/corpus/sync/ (IPVS sync messages
// for fuzz_sync), all aimed at the synthetic table of fixture.h. Deterministic: run
// `scripts/native-check corpus` to regenerate.
//
// Usage: gen_corpus DIR
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "../../native/sync.h"
#include "fixture.h"

using namespace pivs_test;

namespace {

std::string g_dir;
int g_failed = 0;

void write_file(const std::string& sub, const std::string& name, const Bytes& b) {
  std::string path = g_dir + "/" + sub + "/" + name;
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f || std::fwrite(b.data(), 1, b.size(), f) != b.size() || std::fclose(f) != 0) {
    std::fprintf(stderr, "gen_corpus: cannot write %s: %s\n", path.c_str(), std::strerror(errno));
    g_failed = 1;
  }
}

void frame(const std::string& name, const Bytes& f, uint8_t flags = 0, uint8_t secs = 1) {
  Bytes in{flags, secs};
  in.insert(in.end(), f.begin(), f.end());
  write_file("frame", name, in);
}

void write_frames() {
  const Ip c4 = ip4(172, 16, 0, 5), c6 = ip6({0x2001, 0xdb8, 0xc, 0, 0, 0, 0, 5});
  const Ip router4 = ip4(10, 9, 9, 9), router6 = ip6({0x2001, 0xdb8, 9, 0, 0, 0, 0, 9});
  FrameOpts o;
  o.dst_mac = kDirectorMac;
  frame("tcp_syn_v4", tcp_frame(c4, vip4a(), 40000, 80, F_SYN, o));
  FrameOpts data = o;
  data.payload = 64;
  frame("tcp_ack_v4", tcp_frame(c4, vip4a(), 40000, 80, F_ACK | F_PSH, data));
  frame("tcp_fin_v4", tcp_frame(c4, vip4a(), 40000, 80, F_FIN | F_ACK, o));
  frame("tcp_rst_v4", tcp_frame(c4, vip4a(), 40000, 80, F_RST, o), FUZZ_SWEEP);
  frame("udp_v4", udp_frame(c4, vip4a(), 53000, 53, data));
  frame("tcp_syn_v6", tcp_frame(c6, vip6a(), 40001, 443, F_SYN, o));
  frame("udp_v6", udp_frame(c6, vip6a(), 53001, 53, data), FUZZ_TWICE);
  FrameOpts vlan = o;
  vlan.vlan = 100;
  frame("vlan_tcp_syn_v4", tcp_frame(c4, vip4a(), 40002, 80, F_SYN, vlan));
  frame("arp_request", arp_request(ip4(10, 0, 0, 200), vip4a(), o));
  frame("icmp_echo_v4", icmp_echo(c4, vip4a(), o));
  frame("icmpv6_echo", icmp_echo(c6, vip6a(), o));
  frame("icmp_unreach_tcp_v4", icmp_error_tcp(router4, vip4a(), c4, 80, 40000, o));
  frame("icmpv6_too_big_tcp", icmp_error_tcp(router6, vip6a(), c6, 443, 40001, o));
  FrameOpts first = o;
  first.more_frags = true;
  first.ip_id = 0x4242;
  frame("ipv4_frag_first", tcp_frame(c4, vip4a(), 40003, 80, F_SYN, first));
  FrameOpts later = o;
  later.frag_off = 3;
  later.ip_id = 0x4242;
  frame("ipv4_frag_later", ip_fragment(c4, vip4a(), 6, Bytes(48, 0x5a), later));
  FrameOpts first6 = first;
  first6.v6_frag = true;
  frame("ipv6_frag_first", tcp_frame(c6, vip6a(), 40004, 443, F_SYN, first6));
  frame("tcp_syn_persistent_v4", tcp_frame(c4, vip4b(), 40005, 443, F_SYN, o));
  frame("tcp_syn_persistent_v6", tcp_frame(c6, vip6b(), 40006, 80, F_SYN, data));
  frame("tcp_ack_sloppy_v4", tcp_frame(c4, vip4c(), 40007, 22, F_ACK, o));
  FrameOpts partial = o;
  partial.csum_partial = true;
  partial.payload = 33;  // odd: the checksum completion's last byte
  frame("tcp_syn_csum_partial_v4", tcp_frame(c4, vip4a(), 40008, 80, F_SYN, partial),
        FUZZ_CSUM_NOT_READY);
  frame("udp_csum_partial_v6", udp_frame(c6, vip6a(), 53002, 53, partial), FUZZ_CSUM_NOT_READY);
}

pivs::SyncRecord record(const Ip& client, uint16_t cport, const Ip& vip, uint16_t vport,
                        const Ip& real, uint8_t proto, uint16_t state, uint32_t timeout) {
  pivs::SyncRecord r;
  r.family = vip.family;
  r.proto = proto;
  r.flags = pivs::SYNC_F_DROUTE | pivs::SYNC_F_NOOUTPUT;
  r.state = state;
  r.cport = cport;
  r.vport = vport;
  r.dport = vport;
  r.timeout_s = timeout;
  std::memcpy(r.caddr, client.b, alen(client));
  std::memcpy(r.vaddr, vip.b, alen(vip));
  std::memcpy(r.daddr, real.b, alen(real));
  return r;
}

pivs::SyncRecord template_record(const Ip& masked, const Ip& vip, uint16_t vport, const Ip& real,
                                 uint32_t timeout) {
  pivs::SyncRecord r = record(masked, 0, vip, vport, real, 6, 0, timeout);
  r.flags |= pivs::SYNC_F_TEMPLATE;
  return r;
}

Bytes encoded(const pivs::SyncRecord& r) {
  Bytes b(pivs::sync_record_size(r.family));
  pivs::encode_sync_record(r, b.data());
  return b;
}

Bytes message(const std::vector<Bytes>& records) {
  pivs::SyncMessageBuilder builder(kSyncId, 65535);
  std::vector<uint8_t> sealed;
  for (const Bytes& r : records) builder.add(r.data(), r.size(), &sealed);
  return builder.seal();
}

void sync_seed(const std::string& name, const std::vector<Bytes>& records) {
  Bytes m = message(records);
  if (records.empty()) {  // the builder has no message without records: the bare header
    m.assign(pivs::kSyncHeaderSize, 0);
    pivs::encode_sync_header(m.data(), kSyncId, uint16_t(m.size()), 0);
  }
  write_file("sync", name, m);
}

void write_sync() {
  const Ip c4 = ip4(172, 16, 0, 5), c6 = ip6({0x2001, 0xdb8, 0xc, 0, 0, 0, 0, 5});
  const uint16_t kEstablished = 1, kSynRecv = 3, kFinWait = 4, kClose = 6;
  Bytes tcp4 = encoded(record(c4, 40000, vip4a(), 80, real4(0), 6, kEstablished, 900));
  Bytes tcp6 = encoded(record(c6, 40001, vip6a(), 443, real6(1), 6, kSynRecv, 60));
  Bytes udp4 = encoded(record(c4, 53000, vip4a(), 53, real4(2), 17, 0, 300));
  Bytes udp6 = encoded(record(c6, 53001, vip6a(), 53, real6(0), 17, 0, 0));
  Bytes tpl4 = encoded(template_record(ip4(172, 16, 0, 0), vip4b(), 0, real4(3), 60));
  Bytes tpl6 = encoded(template_record(ip6({0x2001, 0xdb8, 0xc, 0, 0, 0, 0, 0}), vip6b(), 80,
                                       real6(2), 0));
  pivs::SyncRecord fin = record(c4, 40010, vip4a(), 80, real4(1), 6, kFinWait, 120);
  fin.flags |= pivs::SYNC_F_INACTIVE;
  pivs::SyncRecord close6 = record(c6, 40011, vip6b(), 80, real6(2), 6, kClose, 10);
  close6.flags |= pivs::SYNC_F_INACTIVE;
  Bytes persistent_conn = encoded(record(c4, 40005, vip4b(), 443, real4(3), 6, kEstablished, 900));
  Bytes unknown = encoded(record(c4, 40012, ip4(10, 0, 0, 99), 80, real4(0), 6, kEstablished, 900));

  // A record with an optional parameter (type 1, sequence data: 24 bytes) after its fixed part.
  Bytes with_param = encoded(record(c4, 40013, vip4a(), 80, real4(1), 6, kEstablished, 900));
  with_param.push_back(1);
  with_param.push_back(24);
  for (int i = 0; i < 24; ++i) with_param.push_back(uint8_t(i));
  put16(&with_param[2], uint16_t(with_param.size()));
  while (with_param.size() % 4) with_param.push_back(0);  // the next record starts aligned

  sync_seed("tcp_v4", {tcp4});
  sync_seed("tcp_v6", {tcp6});
  sync_seed("udp_v4", {udp4});
  sync_seed("udp_v6_no_timeout", {udp6});
  sync_seed("template_v4", {tpl4, persistent_conn});
  sync_seed("template_v6", {tpl6});
  sync_seed("inactive_v4_v6", {encoded(fin), encoded(close6)});
  sync_seed("mixed_v4_v6", {tcp4, tcp6, udp4, tpl4, udp6, persistent_conn});
  sync_seed("unknown_service", {unknown, tcp4});
  sync_seed("optional_param", {with_param, tcp6});
  std::vector<Bytes> many;
  for (uint16_t i = 0; i < 40; ++i) {
    many.push_back(encoded(record(ip4(172, 16, 1, uint8_t(i)), uint16_t(41000 + i), vip4a(), 80,
                                  real4(i % kReals4), 6, kEstablished, 900)));
  }
  sync_seed("forty_records", many);
  sync_seed("empty", {});
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: gen_corpus DIR\n");
    return 2;
  }
  g_dir = argv[1];
  mkdir(g_dir.c_str(), 0755);
  mkdir((g_dir + "/frame").c_str(), 0755);
  mkdir((g_dir + "/sync").c_str(), 0755);
  write_frames();
  write_sync();
  return g_failed;
}
