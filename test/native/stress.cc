// Concurrency stress of the fast-path core, built with ThreadSanitizer or AddressSanitizer +
// UndefinedBehaviorSanitizer by scripts/native-check. For a bounded time, on a simulated clock that
// runs fast enough for entries to expire during the run:
//  - workers push synthetic frames (TCP SYN/ACK/FIN/RST, UDP, ICMP, ARP, fragments, VLAN tags,
//    garbage) at the VIPs of test/native/fixture.h through Dataplane::process();
//  - a sweeper expires entries from the timer wheel and in chunks, and compacts tombstones;
//  - a control thread re-applies the services with changing real servers, weights, thresholds and
//    schedulers, and changes neighbours, active addresses, timeouts, loads and sync settings;
//  - a lister reads the connection list, exports the table as sync messages and installs them (and
//    the per-packet sync queue's messages) into a second dataplane, which it sweeps.
// Then every entry is expired and the invariants checked: no entry left, no real server with a
// connection count other than 0, the table never over capacity, forwarded frames well formed.
// Quiet on success; exit 1 on a failed check (sanitizer reports are the sanitizer's own).
//
// Usage: stress [--seconds S] [--seed N] [--workers N] [-v]
#include <atomic>
#include <chrono>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "fixture.h"

using namespace pivs_test;
using pivs::Dataplane;

namespace {

// The MAC of the director's other link (setInterface()).
constexpr uint64_t kDirectorMac2 = 0x02000000aa02;

constexpr size_t kCapacity = 4096;
constexpr uint32_t kClients = 3000;  // per family at most: flows repeat, so ACK/FIN/RST find entries
constexpr uint32_t kMhTableSize = 251;

struct Rng {
  uint64_t s;
  uint64_t next() {  // splitmix64
    uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  uint32_t below(uint32_t n) { return uint32_t(next() % n); }
  bool chance(uint32_t percent) { return below(100) < percent; }
};

// Simulated monotonic milliseconds: `speed` of them per real millisecond.
class SimClock {
 public:
  SimClock(uint64_t base, uint64_t speed)
      : start_(std::chrono::steady_clock::now()), base_(base), speed_(speed) {}
  uint64_t now() const {
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                  std::chrono::steady_clock::now() - start_)
                  .count();
    return base_ + uint64_t(us) * speed_ / 1000;
  }

 private:
  std::chrono::steady_clock::time_point start_;
  uint64_t base_, speed_;
};

std::atomic<bool> g_stop{false};
std::atomic<int> g_failures{0};
std::mutex g_print_mu;

void fail(const char* fmt, ...) {
  // A failing check usually fails many times: the first few say enough.
  if (g_failures.fetch_add(1) >= 20) return;
  std::lock_guard<std::mutex> g(g_print_mu);
  std::fputs("stress: ", stderr);
  va_list ap;
  va_start(ap, fmt);
  std::vfprintf(stderr, fmt, ap);
  va_end(ap);
  std::fputc('\n', stderr);
}

void sleep_us(int us) { std::this_thread::sleep_for(std::chrono::microseconds(us)); }

Ip client_ip(uint8_t family, uint32_t id) {
  if (family == 4) return ip4(172, 16, uint8_t(id >> 8), uint8_t(id));
  return ip6({0x2001, 0xdb8, 0xc, 0, 0, 0, uint16_t(id >> 16), uint16_t(id)});
}

struct Frame {
  Bytes bytes;
  bool csum_not_ready = false;
  // What the frame must be past its MACs when forwarded (the L4 checksum finished), if known.
  Bytes forwarded;
};

void garble(Rng& r, Bytes& f) {
  switch (r.below(4)) {
    case 0:  // truncated anywhere, headers included
      f.resize(r.below(uint32_t(f.size()) + 1));
      break;
    case 1:  // a few bytes changed
      for (uint32_t n = 1 + r.below(4); n > 0 && !f.empty(); --n) {
        f[r.below(uint32_t(f.size()))] = uint8_t(r.next());
      }
      break;
    case 2:  // one byte of the IP header changed (lengths, IHL, version, next header)
      if (f.size() > 24) f[14 + r.below(10)] = uint8_t(r.next());
      break;
    default:  // noise behind a plausible Ethernet header
      f.resize(14 + r.below(120));
      for (size_t i = 12; i < f.size(); ++i) f[i] = uint8_t(r.next());
      if (r.chance(50)) {
        f[12] = r.chance(50) ? 0x08 : 0x86;
        f[13] = f[12] == 0x08 ? 0x00 : 0xdd;
      }
      break;
  }
}

// Clients alternate between few (the table has room) and many (it fills up) every 100 simulated
// seconds (half a real second).
Frame make_frame(Rng& r, const std::vector<Target>& tg, uint64_t now) {
  const Target& t = tg[r.below(uint32_t(tg.size()))];
  const uint8_t fam = t.vip.family;
  const Ip client = client_ip(fam, r.below((now / 100000) % 2 ? kClients : kClients / 30));
  const uint16_t cport = uint16_t(1024 + r.below(4));
  FrameOpts o;
  o.dst_mac = kDirectorMac;
  if (r.chance(5)) o.vlan = int(r.below(4095));
  o.csum_partial = r.chance(20);
  o.payload = r.chance(30) ? r.below(300) : 0;
  Frame f;
  f.csum_not_ready = o.csum_partial;
  uint32_t k = r.below(100);
  if (t.proto == 17 && k < 70) k = 100;  // UDP
  if (k < 73 || k == 100) {
    // A TCP segment or UDP datagram: process() finishes a partial checksum when it forwards it.
    uint8_t flags = k < 30 ? F_SYN
                    : k < 55 ? uint8_t(F_ACK | (r.chance(50) ? F_PSH : 0))
                    : k < 65 ? uint8_t(F_FIN | F_ACK)
                    : k < 70 ? F_RST
                    : uint8_t(F_SYN | F_ACK);
    uint8_t proto = k == 100 ? 17 : 6;
    f.bytes = l4_frame(client, t.vip, proto, cport, t.port, flags, o);
    FrameOpts full = o;
    full.csum_partial = false;
    f.forwarded = o.csum_partial ? l4_frame(client, t.vip, proto, cport, t.port, flags, full)
                                 : f.bytes;
  } else if (k < 77) {
    Ip router = fam == 4 ? ip4(10, 9, 9, 9) : ip6({0x2001, 0xdb8, 9, 0, 0, 0, 0, 9});
    f.bytes = icmp_error_tcp(router, t.vip, client, t.port, cport, o);
    f.csum_not_ready = false;
  } else if (k < 79) {
    f.bytes = icmp_echo(client, t.vip, o);
    f.csum_not_ready = false;
  } else if (k < 80) {
    f.bytes = arp_request(ip4(10, 0, 0, 200), vip4a(), o);
    f.csum_not_ready = false;
  } else if (k < 85) {
    // A fragment: the first one (with the TCP header and more to come) or a later one. Nothing
    // checksums a fragment alone, so a forwarded one leaves as it came.
    o.v6_frag = fam == 6;
    o.ip_id = uint16_t(r.next());
    if (r.chance(50)) {
      o.more_frags = true;
      f.bytes = tcp_frame(client, t.vip, cport, t.port, F_SYN, o);
    } else {
      o.more_frags = r.chance(70);
      o.frag_off = uint16_t(1 + r.below(100));
      Bytes chunk(8 * (1 + r.below(20)), 0x5a);
      f.bytes = ip_fragment(client, t.vip, t.proto, chunk, o);
    }
    f.forwarded = f.bytes;
  } else {
    f.bytes = tcp_frame(client, t.vip, cport, t.port, F_SYN, o);
    garble(r, f.bytes);
    f.csum_not_ready = r.chance(50);
  }
  return f;
}

struct WorkerStats {
  uint64_t frames = 0, verdicts[4] = {};
};

void run_worker(Dataplane& dp, const SimClock& clk, uint64_t seed, WorkerStats* st) {
  Rng r{seed};
  const std::vector<Target> tg = targets();
  pivs::WorkerLease w(dp);
  if (!w) fail("no worker slot");
  while (w && !g_stop.load(std::memory_order_relaxed)) {
    const uint64_t now = clk.now();
    Frame f = make_frame(r, tg, now);
    const size_t len = f.bytes.size();
    // Exactly the frame's size, so AddressSanitizer catches any read past its end.
    std::unique_ptr<uint8_t[]> buf(new uint8_t[len]);
    if (len) std::memcpy(buf.get(), f.bytes.data(), len);
    Dataplane::Verdict v = dp.process(*w, buf.get(), uint32_t(len), now, f.csum_not_ready,
                                      *dp.snapshot());
    ++st->frames;
    ++st->verdicts[v];
    if (v == Dataplane::V_FORWARD) {
      uint64_t dst = get_mac(&buf[0]), src = get_mac(&buf[6]);
      if (!is_real_mac(dst) || (src != kDirectorMac && src != kDirectorMac2)) {
        fail("forwarded frame has dst %012llx src %012llx", (unsigned long long)dst,
             (unsigned long long)src);
      }
      if (!f.forwarded.empty() && std::memcmp(&buf[12], &f.forwarded[12], len - 12) != 0) {
        fail("a forwarded frame (%zu bytes, checksum %s) differs past its MACs from what it "
             "should be", len, f.csum_not_ready ? "partial" : "complete");
      }
    }
  }
}

void check_capacity(const Dataplane& dp, const char* who) {
  size_t n = dp.table().count();
  if (n > dp.table().capacity()) {
    fail("%s: table holds %zu entries, capacity %zu", who, n, dp.table().capacity());
  }
}

void run_sweeper(Dataplane& dp, const SimClock& clk) {
  constexpr int kSteps = 10;
  const size_t slots = dp.table().slots();
  const size_t chunk = (slots + kSteps - 1) / kSteps;
  int step = 0;
  while (!g_stop.load(std::memory_order_relaxed)) {
    // The timer wheel, as the sweeper thread runs it, and behind it a walk of the table.
    dp.expire_due(clk.now());
    dp.sweep(clk.now(), size_t(step) * chunk, size_t(step + 1) * chunk);
    if (++step == kSteps) {
      step = 0;
      dp.maintain_table();
    }
    check_capacity(dp, "director");
    sleep_us(200);
  }
}

pivs::Addr any_real(Rng& r) {
  uint32_t i = r.below(kReals4 + kReals6);
  return i < kReals4 ? addr(real4(int(i))) : addr(real6(int(i - kReals4)));
}

void run_control(Dataplane& dp, const SimClock& ctl, uint64_t seed) {
  using pivs::SchedKind;
  static const SchedKind kinds[] = {SchedKind::RR,  SchedKind::WRR,  SchedKind::LC,
                                    SchedKind::WLC, SchedKind::SED,  SchedKind::NQ,
                                    SchedKind::SH,  SchedKind::DH,   SchedKind::MH,
                                    SchedKind::FO,  SchedKind::OVF,  SchedKind::TWOS,
                                    SchedKind::LBLC, SchedKind::LBLCR, SchedKind::HAS};
  Rng r{seed};
  const std::vector<pivs::ServiceConfig> base = services();
  const std::vector<Target> tg = targets();
  while (!g_stop.load(std::memory_order_relaxed)) {
    std::vector<pivs::ServiceConfig> cfg = base;
    for (auto& s : cfg) {
      std::vector<pivs::RealConfig> keep;
      for (auto rc : s.reals) {
        if (r.chance(15)) continue;
        rc.weight = int32_t(r.below(5));
        rc.u_threshold = r.chance(50) ? 0 : 1 + r.below(r.chance(20) ? 100 : 3000);
        rc.l_threshold = r.chance(50) ? 0 : rc.u_threshold / 2;
        keep.push_back(rc);
      }
      s.reals = keep;
      if (r.chance(10)) s.sched = kinds[r.below(sizeof kinds / sizeof kinds[0])];
    }
    if (r.chance(5)) cfg.pop_back();  // the persistent IPv6 service comes and goes
    dp.apply(cfg, ctl.now());
    if (r.chance(30)) {
      pivs::Addr a = any_real(r);
      uint64_t mac = 0;
      if (!r.chance(20)) {
        for (int i = 0; i < kReals4; ++i)
          if (a == addr(real4(i))) mac = real_mac4(i);
        for (int i = 0; i < kReals6; ++i)
          if (a == addr(real6(i))) mac = real_mac6(i);
      }
      dp.set_neighbour(a, mac, ctl.now());
    }
    if (r.chance(10)) {
      std::vector<pivs::Addr> active;
      for (const Target& t : tg)
        if (r.chance(70)) active.push_back(addr(t.vip));
      dp.set_active(r.chance(50), active, ctl.now());
    }
    if (r.chance(10)) dp.set_timeouts(30 + r.below(900), 10 + r.below(120), 10 + r.below(300));
    if (r.chance(10)) dp.set_load(any_real(r), r.chance(20) ? -1.0 : double(r.below(100)));
    if (r.chance(3)) {
      pivs::SyncSettings st = sync_settings();
      st.max_size = 200 + r.below(1300);
      st.threshold = r.below(5);
      st.period = r.below(100);
      dp.sync().configure(st);
    }
    if (r.chance(2)) dp.zero(nullptr);
    // setInterface() gives the director another MAC while workers forward.
    if (r.chance(5)) dp.set_own_mac(r.chance(50) ? kDirectorMac : kDirectorMac2);
    if (r.chance(5)) {
      pivs::Policy p;
      p.bits = uint32_t(r.below(8));
      p.echo_per_second = uint32_t(r.below(2000));
      p.arp_per_second = uint32_t(r.below(2000));
      p.nd_per_second = uint32_t(r.below(2000));
      p.pressure_entries = r.chance(50) ? SIZE_MAX : size_t(r.below(5000));
      p.pressure_timeout_s = 1 + uint32_t(r.below(10));
      dp.set_policy(p);
    }
    sleep_us(1000);
  }
}

struct Low {
  int32_t active = 0, inact = 0, persist = 0;
};

void run_lister(Dataplane& dp, Dataplane& peer, const SimClock& clk, Low* low) {
  unsigned round = 0;
  while (!g_stop.load(std::memory_order_relaxed)) {
    const uint64_t now = clk.now();
    std::vector<pivs::ConnInfo> conns = dp.connections(now, 1000);
    if (conns.size() > 1000) fail("connections() returned %zu entries, limit 1000", conns.size());
    for (const auto& c : conns) {
      if (c.expires_in_ms <= 0) fail("connections() listed an entry expired %lld ms ago",
                                     (long long)-c.expires_in_ms);
      if (c.state >= pivs::CS_COUNT) fail("connections() listed state %u", c.state);
    }
    std::vector<std::vector<uint8_t>> msgs;
    if (round % 8 == 0) msgs = dp.export_sync(now);
    dp.sync().flush();
    for (auto& m : dp.sync().drain()) msgs.push_back(std::move(m));
    for (const auto& m : msgs) {
      std::string err;
      if (peer.install_sync(m.data(), m.size(), now, &err) < 0) {
        fail("the peer rejected a sync message (%zu bytes): %s", m.size(), err.c_str());
      }
    }
    peer.sweep(now, 0, peer.table().slots());
    peer.maintain_table();
    dp.control().drain();
    peer.control().drain();
    check_capacity(peer, "peer");
    dp.for_each_real([low](uint32_t, const pivs::Real& r) {
      low->active = std::min(low->active, r.activeconns.load());
      low->inact = std::min(low->inact, r.inactconns.load());
      low->persist = std::min(low->persist, r.persistconns.load());
    });
    ++round;
    sleep_us(2000);
  }
}

// Expires everything and checks that nothing is left and every count is back to 0.
void drain_and_check(Dataplane& dp, uint64_t now, const char* who) {
  for (int round = 0; round < 8 && dp.table().count() > 0; ++round) {
    now += 30ull * 24 * 3600 * 1000;
    dp.sweep(now, 0, dp.table().slots());
  }
  dp.maintain_table();
  if (dp.table().count() != 0) {
    fail("%s: %zu entries left after every timeout passed", who, dp.table().count());
  }
  if (!dp.connections(now, 10).empty()) fail("%s: connections() lists entries", who);
  dp.for_each_real([who](uint32_t id, const pivs::Real& r) {
    int32_t a = r.activeconns.load(), i = r.inactconns.load(), p = r.persistconns.load();
    if (a != 0 || i != 0 || p != 0) {
      fail("%s: real server %u (port %u) has activeconns %d inactconns %d persistconns %d with "
           "an empty table", who, id, r.port, a, i, p);
    }
  });
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 6;
  uint64_t seed = 1;
  int workers = 2;
  bool verbose = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--seconds" && i + 1 < argc) seconds = std::atof(argv[++i]);
    else if (a == "--seed" && i + 1 < argc) seed = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--workers" && i + 1 < argc) workers = std::atoi(argv[++i]);
    else if (a == "-v") verbose = true;
    else {
      std::fprintf(stderr, "usage: stress [--seconds S] [--seed N] [--workers N] [-v]\n");
      return 2;
    }
  }

  // Workers' clock: 200 simulated ms per real ms, so a 6 s run spans 20 minutes of timeouts.
  const SimClock clk(1000000, 200);
  // The control side's clock only dates real server retirement; the registry frees a retired
  // server 10 s after it left, assuming no worker still holds it: keep that true in real time.
  const SimClock ctl(1000000, 5);

  Dataplane dp(kCapacity, kMhTableSize);
  Dataplane peer(kCapacity, kMhTableSize);
  setup(dp, ctl.now());
  setup(peer, ctl.now());

  std::thread watchdog([seconds] {
    auto limit = std::chrono::steady_clock::now() +
                 std::chrono::milliseconds(int64_t(seconds * 1000) * 10 + 60000);
    while (!g_stop.load()) {
      if (std::chrono::steady_clock::now() > limit) {
        std::fprintf(stderr, "stress: threads did not stop (deadlock?)\n");
        std::abort();
      }
      sleep_us(100000);
    }
  });

  std::vector<WorkerStats> wstats(static_cast<size_t>(workers));
  Low low;
  std::vector<std::thread> threads;
  for (int i = 0; i < workers; ++i) {
    threads.emplace_back(run_worker, std::ref(dp), std::cref(clk), seed * 1000 + uint64_t(i),
                         &wstats[size_t(i)]);
  }
  threads.emplace_back(run_sweeper, std::ref(dp), std::cref(clk));
  threads.emplace_back(run_control, std::ref(dp), std::cref(ctl), seed * 1000 + 500);
  threads.emplace_back(run_lister, std::ref(dp), std::ref(peer), std::cref(clk), &low);

  std::this_thread::sleep_for(std::chrono::milliseconds(int64_t(seconds * 1000)));
  size_t peak = dp.table().count();
  g_stop = true;
  for (auto& t : threads) t.join();
  watchdog.join();

  WorkerStats total;
  for (const auto& w : wstats) {
    total.frames += w.frames;
    for (int v = 0; v < 4; ++v) total.verdicts[v] += w.verdicts[v];
  }
  if (dp.counters().rx != total.frames) {
    fail("rx counter %llu, frames processed %llu", (unsigned long long)dp.counters().rx,
         (unsigned long long)total.frames);
  }
  // The harness must have exercised the forwarding path, or it proves nothing.
  if (total.verdicts[Dataplane::V_FORWARD] * 50 < total.frames) {
    fail("only %llu of %llu frames were forwarded",
         (unsigned long long)total.verdicts[Dataplane::V_FORWARD],
         (unsigned long long)total.frames);
  }
  // With every thread stopped the counts must match the table exactly (while threads run they
  // lag behind it: a count changes just after its entry's slot is unlocked).
  for (const Dataplane* d : {&dp, &peer}) {
    std::string why = census_mismatch(*d);
    if (!why.empty()) fail("%s: counts differ from the table: %s", d == &dp ? "director" : "peer",
                           why.c_str());
  }
  const uint64_t end = clk.now();
  drain_and_check(dp, end, "director");
  drain_and_check(peer, end, "peer");

  if (verbose) {
    std::fprintf(stderr,
                 "stress: %llu frames (forward %llu, drop %llu, ignore %llu, control %llu), "
                 "table %zu at the end of the run, %llu sync records skipped by the peer, "
                 "lowest counts seen: active %d inact %d persist %d\n",
                 (unsigned long long)total.frames,
                 (unsigned long long)total.verdicts[Dataplane::V_FORWARD],
                 (unsigned long long)total.verdicts[Dataplane::V_DROP],
                 (unsigned long long)total.verdicts[Dataplane::V_IGNORE],
                 (unsigned long long)total.verdicts[Dataplane::V_CONTROL], peak,
                 (unsigned long long)peer.sync_skipped(), low.active, low.inact, low.persist);
  }
  return g_failures.load() ? 1 : 0;
}
