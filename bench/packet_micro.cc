// The per-packet cost of the fast path without I/O: Dataplane::process(), the call
// native/worker.cc makes for every frame, on frames already in memory. Each frame is first copied
// into a transmit buffer, as the worker copies it out of the RX ring into the TX ring, then
// processed there. Measured:
//  - established TCP flows (ACKs of connections opened by a SYN and an ACK) with 1 entry in the
//    table, with 1,000,000 (the frames in a random order of the flows, so the table's cache misses
//    are real) and, with --ten-million, with 10,000,000;
//  - new flows: every frame a SYN of a new tuple, from an empty table to half its size, in a new
//    table (whose pages are mapped as entries first touch them) and in one whose pages are resident;
//  - RSS per entry with 1,000,000 entries (and 10,000,000 with --ten-million).
// References measured in the same run on the same frames: a memcpy of the frame (the floor for
// touching the packet), a std::unordered_map lookup (insert, for new flows) of the same tuple in a
// map of the same number of tuples, and seven locked read-modify-writes: the six adds to shared
// counters that per-worker counters spare an established packet, and the slot lock's CAS it keeps.
// Stages of process() (parse, service match, table lookup), timed apart through
// the same public calls, show where its time goes. Each figure is the median of --runs runs (7).
// The targets (100 ns per established-flow packet, 10 M connections in 1 GiB) are compared in the
// text printed at the end, never asserted.
//
// The table is test/native/fixture.h's (its services, real servers and, unless "sync off" says
// otherwise, sync configured as on an HA pair, so every 50th packet of a flow queues a sync record)
// plus one service the frames go to: 10.0.0.9 tcp 80 wlc with four real servers and no threshold.
// The clock stands still, so nothing expires. Built and run by bench/packet_micro.ts.
//
// Usage: packet_micro [--runs N] [--ten-million]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "../test/native/fixture.h"

using namespace pivs_test;
using pivs::Dataplane;

namespace {

constexpr uint64_t kNow = 3'600'000;     // ms; the clock stands still
constexpr size_t kTable = 1'048'576;     // pivsd's default connTableSize
constexpr size_t kBigTable = 10'485'760;
constexpr uint32_t kMillion = 1'000'000;
constexpr uint32_t kTenMillion = 10'000'000;
constexpr uint32_t kMhTableSize = 65537;  // pivsd's default
constexpr size_t kStride = 64;            // frames one after the other, as in a ring
constexpr size_t kChunk = 4096;           // packets per timed chunk; the sync queue drains between
constexpr size_t kPayload = 6;            // 54 bytes of headers + 6 = 60, Ethernet's minimum
constexpr size_t kHotPackets = 1'000'000;  // per run when the frames are few
constexpr uint16_t kVport = 80;

// A result the compiler must compute, though nothing reads it.
template <class T>
inline void keep(const T& v) {
  asm volatile("" : : "r,m"(v) : "memory");
}

Ip bench_vip() { return ip4(10, 0, 0, 9); }
// Flow i's client: one of 2^22 addresses (100.64.0.0/10), then a port.
Ip client(uint32_t i) { return ip4(100, uint8_t(64 | ((i >> 16) & 63)), uint8_t(i >> 8), uint8_t(i)); }
uint16_t client_port(uint32_t i) { return uint16_t(20000 + (i >> 22)); }

Bytes frame_of(uint32_t flow, uint8_t flags) {
  FrameOpts o;
  o.payload = kPayload;
  return tcp_frame(client(flow), bench_vip(), client_port(flow), kVport, flags, o);
}

// Frames of the given flows laid out kStride bytes apart.
struct Stream {
  std::vector<uint8_t> bytes;
  size_t n = 0;
  uint32_t len = 0;
  const uint8_t* at(size_t i) const { return &bytes[i * kStride]; }
};

Stream stream_of(const std::vector<uint32_t>& flows, uint8_t flags) {
  Stream s;
  s.n = flows.size();
  s.bytes.assign(s.n * kStride, 0);
  for (size_t i = 0; i < s.n; ++i) {
    Bytes f = frame_of(flows[i], flags);
    s.len = uint32_t(f.size());
    std::memcpy(&s.bytes[i * kStride], f.data(), f.size());
  }
  return s;
}

std::unique_ptr<Dataplane> make_dataplane(size_t capacity, bool sync) {
  auto dp = std::make_unique<Dataplane>(capacity, kMhTableSize);
  std::vector<pivs::ServiceConfig> v = services();
  v.push_back(service(bench_vip(), 6, kVport, pivs::SchedKind::WLC, false, 0));
  if (sync) {
    setup(*dp, kNow);
  } else {
    dp->set_own_mac(kDirectorMac);
    set_neighbours(*dp, kNow);
  }
  dp->apply(v, kNow);
  return dp;
}

// Opens flows [0, n) to ESTABLISHED, a SYN and an ACK each. Returns the frames not forwarded.
size_t open_flows(Dataplane& dp, uint32_t n) {
  auto snap = dp.snapshot();
  pivs::WorkerLease w(dp);
  size_t failed = 0;
  for (uint32_t i = 0; i < n; ++i) {
    for (uint8_t flags : {uint8_t(F_SYN), uint8_t(F_ACK)}) {
      Bytes f = frame_of(i, flags);
      if (dp.process(*w, f.data(), uint32_t(f.size()), kNow, false, *snap) != Dataplane::V_FORWARD) ++failed;
    }
    if ((i & 4095) == 0) dp.sync().drain();
  }
  dp.sync().drain();
  return failed;
}

size_t rss_bytes() {
  FILE* f = std::fopen("/proc/self/status", "r");
  if (!f) return 0;
  char line[256];
  size_t kib = 0;
  while (std::fgets(line, sizeof line, f)) {
    if (std::sscanf(line, "VmRSS: %zu kB", &kib) == 1) break;
  }
  std::fclose(f);
  return kib * 1024;
}

std::string fmt_int(uint64_t n) {
  std::string d = std::to_string(n), out;
  for (size_t i = 0; i < d.size(); ++i) {
    if (i && (d.size() - i) % 3 == 0) out += ',';
    out += d[i];
  }
  return out;
}

// The dataplane's drop counters that are not zero, by name.
std::string drops_of(Dataplane& dp) {
  std::string out;
  for (int i = 0; i < pivs::DROP_COUNT; ++i) {
    uint64_t n = dp.counters().drops[i];
    if (n) out += (out.empty() ? "" : ", ") + std::string(pivs::kDropReasonNames[i]) + " " + fmt_int(n);
  }
  return out.empty() ? "no drop counted" : out;
}

// ns per packet of one pass of `packets` frames from s (round and round), body(frame) each, timed
// in chunks with between() run untimed after each.
template <class Body, class Between>
double ns_per_packet(const Stream& s, size_t packets, Body body, Between between) {
  using Clock = std::chrono::steady_clock;
  double ns = 0;
  size_t j = 0;
  for (size_t done = 0; done < packets;) {
    size_t n = std::min(kChunk, packets - done);
    auto t0 = Clock::now();
    for (size_t k = 0; k < n; ++k) {
      body(s.at(j));
      if (++j == s.n) j = 0;
    }
    ns += std::chrono::duration<double, std::nano>(Clock::now() - t0).count();
    done += n;
    between();
  }
  return ns / double(packets);
}

int g_runs = 7;

// Median of g_runs runs of f() (after one not counted).
template <class F>
double median_of(F f) {
  f();
  std::vector<double> v;
  for (int r = 0; r < g_runs; ++r) v.push_back(f());
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// The std::unordered_map reference: the 5-tuple, read from the frame at fixed offsets.
struct Tuple {
  uint32_t saddr, daddr;
  uint16_t sport, dport;
  uint8_t proto;
  bool operator==(const Tuple& o) const {
    return saddr == o.saddr && daddr == o.daddr && sport == o.sport && dport == o.dport && proto == o.proto;
  }
};
struct TupleHash {
  size_t operator()(const Tuple& t) const {
    uint64_t a = (uint64_t(t.saddr) << 32 | t.daddr) * 0x9e3779b97f4a7c15ull;
    uint64_t b = (uint64_t(t.sport) << 24 | uint64_t(t.dport) << 8 | t.proto) * 0xc2b2ae3d27d4eb4full;
    uint64_t h = a ^ b;
    return size_t(h ^ (h >> 29));
  }
};
using Map = std::unordered_map<Tuple, uint32_t, TupleHash>;

inline Tuple tuple_of(const uint8_t* f) {
  Tuple t;
  t.proto = f[14 + 9];
  std::memcpy(&t.saddr, f + 14 + 12, 4);
  std::memcpy(&t.daddr, f + 14 + 16, 4);
  t.sport = uint16_t(f[34] << 8 | f[35]);
  t.dport = uint16_t(f[36] << 8 | f[37]);
  return t;
}
Tuple tuple_of_flow(uint32_t i) {
  Tuple t;
  t.proto = 6;
  std::memcpy(&t.saddr, client(i).b, 4);
  std::memcpy(&t.daddr, bench_vip().b, 4);
  t.sport = client_port(i);
  t.dport = kVport;
  return t;
}
void fill_map(Map& m, uint32_t n) {
  m.reserve(n);
  for (uint32_t i = 0; i < n; ++i) m.emplace(tuple_of_flow(i), i + 1);
}

// ------------------------------------------------------------------------------------------------
// Measurements

struct Established {
  double memcpy_ns, map_ns, atomics_ns, parse_ns, match_ns, lookup_ns, process_ns, process_ahead_ns, process_nosync_ns;
};

void nothing() {}

alignas(64) uint8_t g_tx[256];

double time_memcpy(const Stream& s, size_t packets) {
  return median_of([&] {
    return ns_per_packet(s, packets, [&](const uint8_t* f) {
      std::memcpy(g_tx, f, s.len);
      asm volatile("" : : "r"(g_tx) : "memory");
    }, nothing);
  });
}

// ahead: as the workers do, the entry of the frame kPrefetchAhead further on is asked for first.
double time_process(Dataplane& dp, const Stream& s, size_t packets, size_t* not_forwarded, bool ahead = false) {
  auto snap = dp.snapshot();
  pivs::WorkerLease w(dp);
  *not_forwarded = 0;
  return median_of([&] {
    return ns_per_packet(s, packets, [&](const uint8_t* f) {
      if (ahead) {
        size_t i = size_t(f - s.at(0)) / kStride;
        dp.prefetch_flow(s.at((i + Dataplane::kPrefetchAhead) % s.n), s.len);
      }
      std::memcpy(g_tx, f, s.len);
      if (dp.process(*w, g_tx, s.len, kNow, false, *snap) != Dataplane::V_FORWARD) ++*not_forwarded;
    }, [&] { dp.sync().drain(); });
  });
}

// The stages of process() before the entry is touched, cumulatively: parse; parse + service
// match; parse + match + connection key, hash and table lookup. Each after the copy.
void time_stages(const Dataplane& dp, const Stream& s, size_t packets, Established* e) {
  auto snap = dp.snapshot();
  e->parse_ns = median_of([&] {
    return ns_per_packet(s, packets, [&](const uint8_t* f) {
      std::memcpy(g_tx, f, s.len);
      keep(pivs::parse_frame(g_tx, s.len).sport);
    }, nothing);
  });
  e->match_ns = median_of([&] {
    return ns_per_packet(s, packets, [&](const uint8_t* f) {
      std::memcpy(g_tx, f, s.len);
      pivs::ParsedFrame p = pivs::parse_frame(g_tx, s.len);
      keep(snap->match(p.proto, p.family, p.daddr, p.dport));
    }, nothing);
  });
  const pivs::ConnTable& table = dp.table();
  e->lookup_ns = median_of([&] {
    return ns_per_packet(s, packets, [&](const uint8_t* f) {
      std::memcpy(g_tx, f, s.len);
      pivs::ParsedFrame p = pivs::parse_frame(g_tx, s.len);
      const pivs::Service* svc = snap->match(p.proto, p.family, p.daddr, p.dport);
      pivs::ConnKey k;
      k.family = p.family;
      k.proto = p.proto;
      k.cport = p.sport;
      k.vport = p.dport;
      std::memcpy(k.caddr, p.saddr, 4);
      std::memcpy(k.vaddr, p.daddr, 4);
      pivs::SlotView v;
      keep(table.find(k, table.hash(k), &v));
      keep(svc);
    }, nothing);
  });
}

// Six adds to shared counters (rx, tx, the service's and the real server's packets and bytes: what
// per-worker counters avoid) and the slot lock's CAS (which process() still does per packet).
double time_atomics(const Stream& s, size_t packets) {
  struct alignas(64) Line {
    std::atomic<uint64_t> v{0};
  };
  static Line lines[7];
  return median_of([&] {
    return ns_per_packet(s, packets, [&](const uint8_t*) {
      for (int i = 0; i < 6; ++i) lines[i].v.fetch_add(1, std::memory_order_relaxed);
      uint64_t x = lines[6].v.load(std::memory_order_relaxed);
      lines[6].v.compare_exchange_strong(x, x + 2, std::memory_order_acquire);
    }, nothing);
  });
}

double time_map_lookup(const Map& m, const Stream& s, size_t packets) {
  return median_of([&] {
    return ns_per_packet(s, packets, [&](const uint8_t* f) {
      auto it = m.find(tuple_of(f));
      keep(it == m.end() ? 0u : it->second);
    }, nothing);
  });
}

// A stream of `packets` ACKs over flows [0, flows): all of them in a random order when there are
// no more than packets, else a random sample.
Stream ack_stream(uint32_t flows, size_t packets, std::mt19937_64& rng) {
  std::vector<uint32_t> order;
  if (flows <= packets) {
    order.resize(flows);
    for (uint32_t i = 0; i < flows; ++i) order[i] = i;
    std::shuffle(order.begin(), order.end(), rng);
  } else {
    std::uniform_int_distribution<uint32_t> pick(0, flows - 1);
    order.resize(packets);
    for (auto& x : order) x = pick(rng);
  }
  return stream_of(order, F_ACK);
}

struct Memory {
  uint32_t entries = 0;
  size_t table = 0, slots = 0;
  double pivs_bytes = 0, map_bytes = 0;
};

// Established flows over `flows` entries in a table of `capacity`; fills *mem on the way.
Established established(uint32_t flows, size_t capacity, size_t packets, bool nosync,
                        std::mt19937_64& rng, Memory* mem, std::string* warnings) {
  Established e{};
  size_t rss0 = rss_bytes();
  auto dp = make_dataplane(capacity, true);
  size_t failed = open_flows(*dp, flows);
  size_t rss1 = rss_bytes();
  if (failed || dp->table().count() != flows) {
    *warnings += "  note: opening " + fmt_int(flows) + " flows (a SYN and an ACK each), " + fmt_int(failed) +
                 " frames were not forwarded (" + drops_of(*dp) + "); " + fmt_int(dp->table().count()) +
                 " entries\n";
  }
  mem->entries = flows;
  mem->table = capacity;
  mem->slots = dp->table().slots();
  mem->pivs_bytes = double(rss1 - rss0) / flows;

  Stream s = ack_stream(flows, packets, rng);
  size_t n = std::max(packets, s.n);
  e.memcpy_ns = time_memcpy(s, n);
  e.atomics_ns = time_atomics(s, n);
  time_stages(*dp, s, n, &e);
  size_t not_forwarded = 0;
  e.process_ns = time_process(*dp, s, n, &not_forwarded);
  size_t not_forwarded_ahead = 0;
  e.process_ahead_ns = time_process(*dp, s, n, &not_forwarded_ahead, true);
  if (not_forwarded) {
    *warnings += "  note: " + fmt_int(not_forwarded) + " established-flow frames (all runs together) with " + fmt_int(flows) +
                 " entries were not forwarded (their flows' SYNs were dropped above)\n";
  }
  dp.reset();
  if (nosync) {
    auto off = make_dataplane(capacity, false);
    open_flows(*off, flows);
    e.process_nosync_ns = time_process(*off, s, n, &not_forwarded);
  }
  {
    size_t r0 = rss_bytes();
    Map m;
    fill_map(m, flows);
    mem->map_bytes = double(rss_bytes() - r0) / flows;
    e.map_ns = time_map_lookup(m, s, n);
  }
  return e;
}

struct NewFlows {
  uint32_t flows;
  double memcpy_ns, map_ns, process_ns, resident_ns;
};

// One pass of the SYNs in s through dp at now_ms, timed.
double time_syns(Dataplane& dp, const Stream& s, uint64_t now_ms, size_t* not_forwarded) {
  auto snap = dp.snapshot();
  pivs::WorkerLease w(dp);
  return ns_per_packet(s, s.n, [&](const uint8_t* f) {
    std::memcpy(g_tx, f, s.len);
    if (dp.process(*w, g_tx, s.len, now_ms, false, *snap) != Dataplane::V_FORWARD) ++*not_forwarded;
  }, [&] { dp.sync().drain(); });
}

NewFlows new_flows(size_t capacity, std::string* warnings) {
  NewFlows r{};
  r.flows = uint32_t(capacity / 2);
  std::vector<uint32_t> ids(r.flows);
  for (uint32_t i = 0; i < r.flows; ++i) ids[i] = i;
  Stream s = stream_of(ids, F_SYN);
  r.memcpy_ns = time_memcpy(s, s.n);
  size_t not_forwarded = 0;
  // A new table: its pages are mapped as the entries first touch them.
  r.process_ns = median_of([&] {
    auto dp = make_dataplane(capacity, true);
    return time_syns(*dp, s, kNow, &not_forwarded);
  });
  // The steady state: the same SYNs once more after a first pass has expired (the clock an hour on)
  // and the table has been compacted back to empty slots, so its pages are resident.
  size_t left = 0;
  r.resident_ns = median_of([&] {
    auto dp = make_dataplane(capacity, true);
    time_syns(*dp, s, kNow, &not_forwarded);
    dp->expire_due(kNow + 3'600'000, true);
    dp->maintain_table();
    left += dp->table().count();
    return time_syns(*dp, s, kNow + 3'600'000, &not_forwarded);
  });
  if (not_forwarded) *warnings += "  note: " + fmt_int(not_forwarded) + " SYNs of the new-flow runs were not forwarded\n";
  if (left) *warnings += "  note: " + fmt_int(left) + " entries of the first passes had not expired an hour later\n";
  r.map_ns = median_of([&] {
    Map m;
    m.reserve(capacity);
    return ns_per_packet(s, s.n, [&](const uint8_t* f) { m.emplace(tuple_of(f), 1); }, nothing);
  });
  return r;
}

// ------------------------------------------------------------------------------------------------
// Report

void row(const char* label, double ns, double memcpy_ns, double map_ns) {
  std::printf("  %-56s %8.1f", label, ns);
  if (memcpy_ns > 0) std::printf(" %9.1fx %9.2fx", ns / memcpy_ns, ns / map_ns);
  std::printf("\n");
}

void print_established(const char* title, const Established& e) {
  std::printf("%s\n", title);
  row("reference: memcpy of the frame", e.memcpy_ns, 0, 0);
  row("reference: unordered_map lookup of its tuple", e.map_ns, 0, 0);
  row("reference: 7 locked read-modify-writes (see below)", e.atomics_ns, 0, 0);
  row("copy + parse_frame()", e.parse_ns, e.memcpy_ns, e.map_ns);
  row("copy + parse + service match", e.match_ns, e.memcpy_ns, e.map_ns);
  row("copy + parse + match + hash + table find", e.lookup_ns, e.memcpy_ns, e.map_ns);
  row("copy + process()", e.process_ns, e.memcpy_ns, e.map_ns);
  row("copy + process(), entries prefetched ahead", e.process_ahead_ns, e.memcpy_ns, e.map_ns);
  if (e.process_nosync_ns > 0) row("copy + process(), sync off", e.process_nosync_ns, e.memcpy_ns, e.map_ns);
}

void print_memory(const Memory& m) {
  double arrays = double(m.slots) * sizeof(pivs::Slot) / m.entries;
  std::printf("  %s entries, table size %s (%s slots): RSS +%.0f MiB, %.1f bytes per entry\n",
              fmt_int(m.entries).c_str(), fmt_int(m.table).c_str(), fmt_int(m.slots).c_str(),
              m.pivs_bytes * m.entries / 1048576.0, m.pivs_bytes);
  std::printf("    of which the table's slots (%zu bytes each, with the packet count and the wheel's word): %.1f\n",
              sizeof(pivs::Slot), arrays);
  std::printf("    reference: unordered_map of the same tuples: %.1f bytes per entry\n", m.map_bytes);
}

}  // namespace

int main(int argc, char** argv) {
  bool ten_million = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--runs") == 0 && i + 1 < argc) {
      g_runs = std::max(1, std::atoi(argv[++i]));
    } else if (std::strcmp(argv[i], "--ten-million") == 0) {
      ten_million = true;
    } else {
      std::fprintf(stderr, "usage: packet_micro [--runs N] [--ten-million]\n");
      return 2;
    }
  }
  std::mt19937_64 rng(13);
  std::string warnings;
  Memory mem1, mem1m, mem10m;

  Established one = established(1, kTable, kHotPackets, true, rng, &mem1, &warnings);
  Established million = established(kMillion, kTable, kMillion, true, rng, &mem1m, &warnings);
  NewFlows fresh = new_flows(kTable, &warnings);
  Established ten{};
  if (ten_million) ten = established(kTenMillion, kBigTable, kMillion, false, rng, &mem10m, &warnings);

  std::printf("Dataplane::process() without I/O: %zu-byte TCP frames to 10.0.0.9:80 (wlc, 4 real servers), "
              "each copied into a transmit buffer first as the worker does;\nns per packet, median of %d runs; "
              "ratios against the memcpy and the unordered_map measured in the same run\n",
              size_t(54 + kPayload), g_runs);
  std::printf("  %-56s %8s %10s %10s\n", "", "ns/packet", "x memcpy", "x map");
  print_established("established flows, 1 entry (table size 1,048,576), the same frame again and again", one);
  print_established("established flows, 1,000,000 entries (table size 1,048,576), every flow once in a random order",
                    million);
  if (ten_million) {
    print_established("established flows, 10,000,000 entries (table size 10,485,760), 1,000,000 frames of random flows",
                      ten);
  }
  std::printf("new flows: a SYN of a new tuple each, empty table to %s entries (table size 1,048,576)\n",
              fmt_int(fresh.flows).c_str());
  row("reference: memcpy of the frame", fresh.memcpy_ns, 0, 0);
  row("reference: unordered_map insert (reserved)", fresh.map_ns, 0, 0);
  row("copy + process(), a new table (first touch of its pages)", fresh.process_ns, fresh.memcpy_ns, fresh.map_ns);
  row("copy + process(), pages resident (a first pass expired)", fresh.resident_ns, fresh.memcpy_ns, fresh.map_ns);
  std::printf("  (7 locked read-modify-writes: six adds to shared counters, which per-worker counters avoid, and the\n"
              "   slot lock's CAS of an established packet, on cache lines of their own, with nothing else)\n");
  std::printf("memory (VmRSS before the dataplane and after its entries are in; IPv4 entries; IPv6 ones add "
              "their addresses, 32 bytes per slot touched)\n");
  print_memory(mem1m);
  if (ten_million) print_memory(mem10m);
  std::fputs(warnings.c_str(), stdout);

  const double target_ns = 100;
  auto verdict_ns = [&](double ns) { return ns <= target_ns ? "within" : "over"; };
  // The workers' way: entries prefetched ahead.
  std::printf("target: at most %.0f ns per established-flow packet, entries prefetched ahead as the workers do: 1 entry %.1f ns (%s), 1,000,000 entries %.1f ns (%s)",
              target_ns, one.process_ahead_ns, verdict_ns(one.process_ahead_ns), million.process_ahead_ns,
              verdict_ns(million.process_ahead_ns));
  if (ten_million) std::printf(", 10,000,000 entries %.1f ns (%s)", ten.process_ahead_ns, verdict_ns(ten.process_ahead_ns));
  std::printf("\n");
  const double gib = 1024.0 * 1024 * 1024;
  double from_1m = mem1m.pivs_bytes * kTenMillion;
  std::printf("target: 10 M connections in 1 GiB of RSS: %.1f bytes per entry at 1 M x 10 M = %.2f GiB (%s)",
              mem1m.pivs_bytes, from_1m / gib, from_1m <= gib ? "within" : "over");
  if (ten_million) {
    double at_10m = mem10m.pivs_bytes * kTenMillion;
    std::printf("; measured with 10 M: %.2f GiB (%s)", at_10m / gib, at_10m <= gib ? "within" : "over");
  }
  std::printf("\n");
  return 0;
}
