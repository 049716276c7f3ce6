// The synthetic table the native harnesses share: virtual services on IPv4 and IPv6 VIPs, TCP and
// UDP, several schedulers, a sloppy one and two persistent ones, real servers with MACs.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "../../native/dataplane.h"
#include "frames.h"

namespace pivs_test {

inline pivs::Addr addr(const Ip& ip) {
  pivs::Addr a;
  a.family = ip.family;
  std::memcpy(a.bytes, ip.b, alen(ip));
  return a;
}

constexpr uint64_t kDirectorMac = 0x02000000aa01;
constexpr uint8_t kSyncId = 1;

inline Ip vip4a() { return ip4(10, 0, 0, 1); }  // tcp 80 wlc, udp 53 rr
inline Ip vip4b() { return ip4(10, 0, 0, 2); }  // tcp port 0 (any), persistent sh
inline Ip vip4c() { return ip4(10, 0, 0, 3); }  // tcp 22 sloppy lc
inline Ip vip6a() { return ip6({0x2001, 0xdb8, 0, 0, 0, 0, 0, 1}); }  // tcp 443 mh, udp 53 sh
inline Ip vip6b() { return ip6({0x2001, 0xdb8, 0, 0, 0, 0, 0, 2}); }  // tcp 80 persistent wrr

constexpr int kReals4 = 4, kReals6 = 3;
inline Ip real4(int i) { return ip4(192, 168, 1, uint8_t(1 + i)); }
inline Ip real6(int i) { return ip6({0x2001, 0xdb8, 1, 0, 0, 0, 0, uint16_t(1 + i)}); }
inline uint64_t real_mac4(int i) { return 0x020000cc0000ull + uint64_t(i + 1); }
inline uint64_t real_mac6(int i) { return 0x020000dd0000ull + uint64_t(i + 1); }
inline bool is_real_mac(uint64_t m) {
  return (m >> 8 == 0x020000cc00ull && (m & 0xff) >= 1 && (m & 0xff) <= kReals4) ||
         (m >> 8 == 0x020000dd00ull && (m & 0xff) >= 1 && (m & 0xff) <= kReals6);
}

struct Target {  // a (vip, proto, port) clients send to
  Ip vip;
  uint8_t proto;
  uint16_t port;
};

inline std::vector<Target> targets() {
  return {
      {vip4a(), 6, 80}, {vip4a(), 17, 53}, {vip4b(), 6, 443}, {vip4b(), 6, 8080},
      {vip4c(), 6, 22}, {vip6a(), 6, 443}, {vip6a(), 17, 53}, {vip6b(), 6, 80},
  };
}

inline pivs::ServiceConfig service(const Ip& vip, uint8_t proto, uint16_t port,
                                   pivs::SchedKind sched, bool v6_reals, uint32_t u_threshold) {
  pivs::ServiceConfig s;
  s.proto = proto;
  s.addr = addr(vip);
  s.port = port;
  s.sched = sched;
  int n = v6_reals ? kReals6 : kReals4;
  for (int i = 0; i < n; ++i) {
    pivs::RealConfig r;
    r.addr = addr(v6_reals ? real6(i) : real4(i));
    r.port = port;
    r.weight = 1 + i;
    r.u_threshold = u_threshold;
    s.reals.push_back(r);
  }
  return s;
}

inline std::vector<pivs::ServiceConfig> services() {
  using pivs::SchedKind;
  std::vector<pivs::ServiceConfig> v;
  v.push_back(service(vip4a(), 6, 80, SchedKind::WLC, false, 200));
  v.push_back(service(vip4a(), 17, 53, SchedKind::RR, false, 0));
  pivs::ServiceConfig p = service(vip4b(), 6, 0, SchedKind::SH, false, 0);
  p.persist_timeout = 60;
  p.netmask = addr(ip4(255, 255, 255, 0));
  p.sched_flags = pivs::SCHED_F_SH_FALLBACK;
  v.push_back(p);
  pivs::ServiceConfig s = service(vip4c(), 6, 22, SchedKind::LC, false, 50);
  s.sloppy = true;
  v.push_back(s);
  pivs::ServiceConfig m = service(vip6a(), 6, 443, SchedKind::MH, true, 300);
  m.sched_flags = pivs::SCHED_F_MH_FALLBACK;
  v.push_back(m);
  v.push_back(service(vip6a(), 17, 53, SchedKind::SH, true, 0));
  pivs::ServiceConfig q = service(vip6b(), 6, 80, SchedKind::WRR, true, 0);
  q.persist_timeout = 120;
  q.netmask = addr(ip6({0xffff, 0xffff, 0xffff, 0xffff, 0, 0, 0, 0}));
  v.push_back(q);
  return v;
}

inline void set_neighbours(pivs::Dataplane& dp, uint64_t now) {
  for (int i = 0; i < kReals4; ++i) dp.set_neighbour(addr(real4(i)), real_mac4(i), now);
  for (int i = 0; i < kReals6; ++i) dp.set_neighbour(addr(real6(i)), real_mac6(i), now);
}

inline pivs::SyncSettings sync_settings() {
  pivs::SyncSettings st;
  st.syncid = kSyncId;
  st.max_size = 1472;
  st.flush_delay_ms = 1000;
  st.threshold = 3;
  st.period = 50;
  return st;
}

// fuzz_frame's input: [flags][seconds][frame...]. The clock moves on by `seconds` (and 1 ms)
// before the frame is processed.
enum FuzzFrameFlags : uint8_t {
  FUZZ_CSUM_NOT_READY = 1,  // process(..., csum_not_ready = true, ...)
  FUZZ_SWEEP = 2,           // sweep the whole table afterwards
  FUZZ_TWICE = 4,           // process the (rewritten) frame a second time
};

// A dataplane with the table above, neighbours resolved and sync configured.
inline void setup(pivs::Dataplane& dp, uint64_t now) {
  dp.set_own_mac(kDirectorMac);
  dp.apply(services(), now);
  set_neighbours(dp, now);
  dp.sync().configure(sync_settings());
}

// With no thread changing the dataplane: every real server's counts are those of the entries in
// the table that point at it (active = established connections, inactive = other connections,
// persist = templates), expired-but-not-swept entries included. Empty when so, else what differs.
inline std::string census_mismatch(const pivs::Dataplane& dp) {
  std::map<uint32_t, std::array<int64_t, 3>> seen;
  const pivs::ConnTable& t = dp.table();
  for (size_t i = 0; i < t.slots(); ++i) {
    pivs::SlotView v;
    t.read(i, &v);
    if (v.life != pivs::SLOT_FULL) continue;
    int k = (v.flags & pivs::SF_TEMPLATE) ? 2 : (v.flags & pivs::SF_INACTIVE) ? 1 : 0;
    seen[v.real_id][size_t(k)] += 1;
  }
  std::string out;
  dp.for_each_real([&](uint32_t id, const pivs::Real& r) {
    std::array<int64_t, 3> want = seen[id];
    seen.erase(id);
    int64_t have[3] = {r.activeconns.load(), r.inactconns.load(), r.persistconns.load()};
    if (have[0] != want[0] || have[1] != want[1] || have[2] != want[2]) {
      out += "real server " + std::to_string(id) + " counts active/inact/persist " +
             std::to_string(have[0]) + "/" + std::to_string(have[1]) + "/" +
             std::to_string(have[2]) + ", its entries " + std::to_string(want[0]) + "/" +
             std::to_string(want[1]) + "/" + std::to_string(want[2]) + "; ";
    }
  });
  for (const auto& [id, n] : seen) {
    out += std::to_string(n[0] + n[1] + n[2]) + " entries point at real server " +
           std::to_string(id) + ", which is not registered; ";
  }
  return out;
}

}  // namespace pivs_test
