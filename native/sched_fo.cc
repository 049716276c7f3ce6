// fo (weighted failover): every new connection goes to the usable real server with the highest
// weight; the first listed wins a tie. Lower weights only serve when the heavier are unusable.
#include "sched_common.h"

namespace pivs {
namespace {

class Failover final : public Scheduler {
 public:
  void update(const RealList&) override {}
  int pick(const RealList& reals, const FlowInfo&) override {
    int best = -1;
    int32_t hw = 0;
    for (size_t i = 0; i < reals.size(); ++i) {
      const Real& r = *reals[i];
      if (eligible(r) && weight_of(r) > hw) {
        best = int(i);
        hw = weight_of(r);
      }
    }
    return best;
  }
};

}  // namespace

std::unique_ptr<Scheduler> make_fo() { return std::make_unique<Failover>(); }

}  // namespace pivs
