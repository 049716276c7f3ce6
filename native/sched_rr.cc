// rr: each new connection goes to the next eligible real server in list order.
#include <mutex>

#include "sched_common.h"

namespace pivs {
namespace {

class RoundRobin final : public Scheduler {
 public:
  void update(const RealList& reals) override {
    std::lock_guard<std::mutex> lock(mu_);
    cursor_.rebind(reals);
  }

  int pick(const RealList& reals, const FlowInfo&) override {
    const int n = int(reals.size());
    if (n == 0) return -1;
    std::lock_guard<std::mutex> lock(mu_);
    const int start = cursor_.start(n);
    for (int step = 1; step <= n; ++step) {
      int i = (start + step) % n;
      if (eligible(*reals[i])) {
        cursor_.picked(reals, i);
        return i;
      }
    }
    return -1;
  }

 private:
  std::mutex mu_;
  RotationCursor cursor_;
};

}  // namespace

std::unique_ptr<Scheduler> make_rr() { return std::make_unique<RoundRobin>(); }

}  // namespace pivs
