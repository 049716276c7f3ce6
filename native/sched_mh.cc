// mh: Maglev consistent hashing (NSDI'16, section 3.4) as IPVS applies it. Each real server
// walks its own permutation of a prime-sized lookup table and claims free slots in turn, so
// each gets an (almost) equal share, and a change to the list moves few slots. A flow picks the
// slot of its client address hash: one table read. The hash keys are fixed, so every director
// with the same list of real servers picks the same server for the same client.
#include <algorithm>
#include <vector>

#include "sched_common.h"

namespace pivs {
namespace {

constexpr uint32_t kDefaultTableSize = 65537;
constexpr uint32_t kMaxTableSize = 1048573;  // largest prime below 2^20; 4 MiB of table
constexpr uint64_t kKey1 = 0x243F6A8885A308D3ull;
constexpr uint64_t kKey2 = 0x13198A2E03707344ull;

bool is_prime(uint32_t n) {
  if (n < 2) return false;
  for (uint32_t d = 2; uint64_t(d) * d <= n; ++d) {
    if (n % d == 0) return false;
  }
  return true;
}

uint32_t table_size_for(uint32_t requested) {
  uint32_t m = requested == 0 ? kDefaultTableSize : std::min(requested, kMaxTableSize);
  // Maglev needs a prime so that every skip value visits every slot.
  while (!is_prime(m)) ++m;
  return m;
}

// A keyed 64-bit finaliser (splitmix64's): cheap, and flips about half the output bits for any
// one-bit change of input, so consecutive client addresses land on unrelated slots.
uint32_t keyed_hash(uint32_t v, uint64_t key) {
  uint64_t x = uint64_t(v) ^ key;
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  x ^= x >> 31;
  return uint32_t(x >> 32);
}

int floor_log2(uint32_t v) {
  int b = -1;
  while (v != 0) {
    v >>= 1;
    ++b;
  }
  return b;
}

class MaglevHash final : public Scheduler {
 public:
  MaglevHash(bool fallback, bool use_port, uint32_t table_size)
      : fallback_(fallback), use_port_(use_port), size_(table_size_for(table_size)),
        table_(size_, -1) {}

  // The table is a function of the list (order, addresses, ports) and current weights only, so
  // every director with the same configuration builds the same table whatever its history.
  // IPVS instead keeps a quiesced (weight 0) server's slots using its last non-zero weight; that
  // makes the table depend on what a director has seen since it started, and two directors
  // would disagree after one restarts, breaking sloppy takeover of flows between directors. Here
  // a quiesced server leaves the table: its clients move, Maglev moves few others, and existing
  // connections stay where they are through the connection table.
  void update(const RealList& reals) override {
    std::vector<int32_t> weights;
    weights.reserve(reals.size());
    for (const auto& r : reals) weights.push_back(std::max(weight_of(*r), 0));
    populate(reals, weights);
  }

  int pick(const RealList& reals, const FlowInfo& flow) override {
    const uint32_t key = (use_port_ ? flow.client_port : 0) + addr_fold(flow.client);
    const uint32_t ihash = keyed_hash(key, kKey1) % size_;
    int idx = at(reals, ihash);
    if (idx < 0) return -1;
    if (eligible(*reals[idx])) return idx;
    if (!fallback_ || !any_eligible(reals)) return -1;
    // mh-fallback: probe further slots chosen by rehashing the key with an offset, as IPVS does,
    // so all directors fall back to the same server.
    for (uint32_t offset = 0; offset < size_; ++offset) {
      uint32_t roffset = uint32_t((uint64_t(offset) + ihash) % size_);
      idx = at(reals, keyed_hash(key + roffset, kKey1) % size_);
      if (idx < 0) return -1;
      if (eligible(*reals[idx])) return idx;
    }
    return -1;
  }

 private:
  void populate(const RealList& reals, const std::vector<int32_t>& weights) {
    std::fill(table_.begin(), table_.end(), -1);
    uint32_t g = 0;
    int32_t max_w = 0;
    for (int32_t w : weights) {
      if (w <= 0) continue;
      g = g == 0 ? uint32_t(w) : gcd_u32(g, uint32_t(w));
      max_w = std::max(max_w, w);
    }
    if (g == 0) return;
    // Turns per round are weight/gcd, shifted down (as IPVS) until the largest fits in about
    // half the bits of the table size: a round then stays small against the table, so the
    // shares follow the weights instead of the first servers filling the table in one round.
    const int tab_bits = floor_log2(size_) / 2;
    const int shift = std::max(0, floor_log2(uint32_t(max_w) / g) + 1 - tab_bits);

    struct Setup {
      uint32_t next, skip;
      int32_t turns;
    };
    std::vector<Setup> setup(reals.size());
    for (size_t i = 0; i < reals.size(); ++i) {
      const uint32_t key = addr_fold(reals[i]->addr) + reals[i]->port;
      const uint32_t offset = keyed_hash(key, kKey1) % size_;
      const uint32_t skip = keyed_hash(key, kKey2) % (size_ - 1) + 1;
      int32_t turns = int32_t((uint32_t(weights[i]) / g) >> shift);
      if (turns == 0 && weights[i] > 0) turns = 1;
      setup[i] = {offset, skip, turns};
    }

    std::vector<bool> taken(size_, false);
    uint32_t filled = 0;
    while (filled < size_) {
      for (size_t i = 0; i < reals.size() && filled < size_; ++i) {
        Setup& s = setup[i];
        for (int32_t t = 0; t < s.turns && filled < size_; ++t) {
          while (taken[s.next]) {
            s.next += s.skip;
            if (s.next >= size_) s.next -= size_;
          }
          taken[s.next] = true;
          table_[s.next] = int32_t(i);
          ++filled;
        }
      }
    }
  }

  int at(const RealList& reals, uint32_t slot) const {
    int32_t idx = table_[slot];
    return idx >= 0 && size_t(idx) < reals.size() ? idx : -1;
  }

  static bool any_eligible(const RealList& reals) {
    for (const auto& r : reals) {
      if (eligible(*r)) return true;
    }
    return false;
  }

  bool fallback_, use_port_;
  uint32_t size_;
  std::vector<int32_t> table_;  // slot -> index into the RealList given to update()
};

}  // namespace

std::unique_ptr<Scheduler> make_mh(bool fallback, bool use_port, uint32_t table_size) {
  return std::make_unique<MaglevHash>(fallback, use_port, table_size);
}

}  // namespace pivs
