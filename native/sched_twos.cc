// twos ("power of two choices"): draw two real servers at random, each with probability
// proportional to its weight, and give the flow to the less loaded of the two (connection
// overhead per weight). Spreads like wlc, while several directors with stale views of the load
// do not all herd onto the same least loaded server.
#include <chrono>
#include <random>
#include <thread>

#include "sched_common.h"

namespace pivs {
namespace {

// One generator per worker thread: pick() stays lock-free.
uint64_t next_random() {
  thread_local uint64_t state = [] {
    std::random_device rd;
    uint64_t seed = (uint64_t(rd()) << 32) ^ rd() ^
                    uint64_t(std::hash<std::thread::id>()(std::this_thread::get_id()));
    return seed | 1;
  }();
  // xorshift64*
  state ^= state >> 12;
  state ^= state << 25;
  state ^= state >> 27;
  return state * 0x2545F4914F6CDD1Dull;
}

class TwoChoices final : public Scheduler {
 public:
  void update(const RealList&) override {}
  int pick(const RealList& reals, const FlowInfo&) override {
    uint64_t total = 0;
    for (const auto& r : reals) {
      if (eligible(*r)) total += uint64_t(weight_of(*r));
    }
    if (total == 0) return -1;
    // IPVS draws from [0, total] and so favours the first server by one unit; draw from
    // [0, total) so shares follow the weights exactly.
    uint64_t r1 = next_random() % total, r2 = next_random() % total;
    int c1 = -1, c2 = -1;
    for (size_t i = 0; i < reals.size() && (c1 < 0 || c2 < 0); ++i) {
      const Real& r = *reals[i];
      if (!eligible(r)) continue;
      const uint64_t w = uint64_t(weight_of(r));
      if (c1 < 0) {
        if (r1 < w) c1 = int(i); else r1 -= w;
      }
      if (c2 < 0) {
        if (r2 < w) c2 = int(i); else r2 -= w;
      }
    }
    if (c1 < 0) return c2;  // weights changed under us; either draw is usable
    if (c2 < 0) return c1;
    const int64_t o1 = conn_overhead(*reals[c1]), w1 = weight_of(*reals[c1]);
    const int64_t o2 = conn_overhead(*reals[c2]), w2 = weight_of(*reals[c2]);
    return o2 * w1 < o1 * w2 ? c2 : c1;
  }
};

}  // namespace

std::unique_ptr<Scheduler> make_twos() { return std::make_unique<TwoChoices>(); }

}  // namespace pivs
