// has: the HAS traffic manager's rule. Each new connection goes to the usable real server with the
// highest load index its agent reported (Real::load, read at pick time, so a report takes effect
// on the next pick without a table rebuild); equal best loads take turns (round-robin). Real
// servers without a report are used only when no usable one has a report, round-robin among them.
#include <mutex>

#include "sched_common.h"

namespace pivs {
namespace {

inline double load_of(const Real& r) { return r.load.load(std::memory_order_relaxed); }

class HasScheduler final : public Scheduler {
 public:
  void update(const RealList& reals) override {
    std::lock_guard<std::mutex> lock(mu_);
    cursor_.rebind(reals);
  }

  int pick(const RealList& reals, const FlowInfo&) override {
    const int n = int(reals.size());
    if (n == 0) return -1;
    std::lock_guard<std::mutex> lock(mu_);
    // One pass in round-robin order from after the last pick: the first server holding the best
    // load wins, which is what makes equal loads take turns. No report (-1) loses to any report.
    const int start = cursor_.start(n);
    int chosen = -1;
    double best = 0;
    for (int step = 1; step <= n; ++step) {
      int i = (start + step) % n;
      if (!eligible(*reals[i])) continue;
      double load = load_of(*reals[i]);
      if (chosen < 0 || load > best) {
        chosen = i;
        best = load;
      }
    }
    if (chosen >= 0) cursor_.picked(reals, chosen);
    return chosen;
  }

 private:
  std::mutex mu_;
  RotationCursor cursor_;
};

}  // namespace

std::unique_ptr<Scheduler> make_has() { return std::make_unique<HasScheduler>(); }

}  // namespace pivs
