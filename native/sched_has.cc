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
    // Same position keeping as rr, so ties keep rotating across reloads.
    std::lock_guard<std::mutex> lock(mu_);
    int found = -1;
    for (size_t i = 0; i < reals.size(); ++i) {
      if (reals[i].get() == last_real_) found = int(i);
    }
    last_ = found;
    if (found < 0) last_real_ = nullptr;
  }

  int pick(const RealList& reals, const FlowInfo&) override {
    const int n = int(reals.size());
    if (n == 0) return -1;
    std::lock_guard<std::mutex> lock(mu_);
    // One pass in round-robin order from after the last pick: the first server holding the best
    // load wins, which is what makes equal loads take turns. No report (-1) loses to any report.
    int start = last_ < 0 || last_ >= n ? n - 1 : last_;
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
    if (chosen >= 0) {
      last_ = chosen;
      last_real_ = reals[chosen].get();
    }
    return chosen;
  }

 private:
  std::mutex mu_;
  int last_ = -1;
  const Real* last_real_ = nullptr;  // identity only, never dereferenced
};

}  // namespace

std::unique_ptr<Scheduler> make_has() { return std::make_unique<HasScheduler>(); }

}  // namespace pivs
