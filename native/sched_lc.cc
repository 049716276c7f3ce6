// Least-connection family: lc, wlc, sed, nq. None keeps state; each scans the list once.
// Ties go to the earlier real server in the list, as in IPVS.
#include "sched_common.h"

namespace pivs {
namespace {

// lc: fewest connections by overhead (active * 256 + inactive), weight only as on/off.
class LeastConnection final : public Scheduler {
 public:
  void update(const RealList&) override {}
  int pick(const RealList& reals, const FlowInfo&) override {
    int least = -1;
    int64_t loh = 0;
    for (size_t i = 0; i < reals.size(); ++i) {
      const Real& r = *reals[i];
      if (!eligible(r)) continue;
      int64_t doh = conn_overhead(r);
      if (least < 0 || doh < loh) {
        least = int(i);
        loh = doh;
      }
    }
    return least;
  }
};

// sed/nq: expected delay (active + 1) / weight; inactive connections cost nothing.
inline int64_t sed_overhead(const Real& r) { return int64_t(active_of(r)) + 1; }

class WeightedLeastConnection final : public Scheduler {
 public:
  void update(const RealList&) override {}
  int pick(const RealList& reals, const FlowInfo&) override {
    return least_weighted(reals, conn_overhead, false);
  }
};

class ShortestExpectedDelay final : public Scheduler {
 public:
  void update(const RealList&) override {}
  int pick(const RealList& reals, const FlowInfo&) override {
    return least_weighted(reals, sed_overhead, false);
  }
};

class NeverQueue final : public Scheduler {
 public:
  void update(const RealList&) override {}
  int pick(const RealList& reals, const FlowInfo&) override {
    return least_weighted(reals, sed_overhead, true);
  }
};

}  // namespace

std::unique_ptr<Scheduler> make_lc() { return std::make_unique<LeastConnection>(); }
std::unique_ptr<Scheduler> make_wlc() { return std::make_unique<WeightedLeastConnection>(); }
std::unique_ptr<Scheduler> make_sed() { return std::make_unique<ShortestExpectedDelay>(); }
std::unique_ptr<Scheduler> make_nq() { return std::make_unique<NeverQueue>(); }

}  // namespace pivs
