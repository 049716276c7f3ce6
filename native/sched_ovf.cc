// ovf (overflow): the highest-weight real server takes new connections until its active
// connections exceed its weight, then the next highest does. The weight acts as a capacity.
// As in IPVS the test is "active > weight", so a server takes weight + 1 active connections.
#include "sched_common.h"

namespace pivs {
namespace {

class Overflow final : public Scheduler {
 public:
  void update(const RealList&) override {}
  int pick(const RealList& reals, const FlowInfo&) override {
    int best = -1;
    int32_t hw = 0;
    for (size_t i = 0; i < reals.size(); ++i) {
      const Real& r = *reals[i];
      const int32_t w = weight_of(r);
      if (!eligible(r) || active_of(r) > w) continue;
      if (best < 0 || w > hw) {
        best = int(i);
        hw = w;
      }
    }
    return best;
  }
};

}  // namespace

std::unique_ptr<Scheduler> make_ovf() { return std::make_unique<Overflow>(); }

}  // namespace pivs
