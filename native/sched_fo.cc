// fo (weighted failover): every new connection goes to the usable real server with the highest
// weight; the first listed wins a tie. Lower weights only serve when the heavier are unusable.
#include "sched_common.h"

namespace pivs {
namespace {

class Failover final : public Scheduler {
 public:
  void update(const RealList&) override {}
  int pick(const RealList& reals, const FlowInfo&) override {
    return highest_weight(reals, [](const Real&) { return true; });
  }
};

}  // namespace

std::unique_ptr<Scheduler> make_fo() { return std::make_unique<Failover>(); }

}  // namespace pivs
