// rr: each new connection goes to the next eligible real server in list order.
#include <mutex>

#include "sched_common.h"

namespace pivs {
namespace {

class RoundRobin final : public Scheduler {
 public:
  void update(const RealList& reals) override {
    // Keep the position across reloads when the last picked real server is still listed, so a
    // weight change does not send the next connection back to the first server.
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
    int start = last_ < 0 || last_ >= n ? n - 1 : last_;
    for (int step = 1; step <= n; ++step) {
      int i = (start + step) % n;
      if (eligible(*reals[i])) {
        last_ = i;
        last_real_ = reals[i].get();
        return i;
      }
    }
    return -1;
  }

 private:
  std::mutex mu_;
  int last_ = -1;                    // index of the last pick, -1 = start of the list
  const Real* last_real_ = nullptr;  // identity only, never dereferenced
};

}  // namespace

std::unique_ptr<Scheduler> make_rr() { return std::make_unique<RoundRobin>(); }

}  // namespace pivs
