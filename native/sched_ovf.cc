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
    return highest_weight(reals, [](const Real& r) { return active_of(r) <= weight_of(r); });
  }
};

}  // namespace

std::unique_ptr<Scheduler> make_ovf() { return std::make_unique<Overflow>(); }

}  // namespace pivs
