// wrr: IPVS weighted round robin. Passes over the list with a current weight cw that starts at
// the largest weight and steps down by the gcd of all weights; a pass picks every real server
// whose weight is >= cw. Over one cycle each real server gets weight/gcd connections, interleaved.
#include <algorithm>
#include <mutex>

#include "sched_common.h"

namespace pivs {
namespace {

class WeightedRoundRobin final : public Scheduler {
 public:
  void update(const RealList& reals) override {
    std::lock_guard<std::mutex> lock(mu_);
    uint32_t g = 0;
    int32_t max_w = 0;
    for (const auto& r : reals) {
      int32_t w = weight_of(*r);
      if (w <= 0) continue;
      g = g == 0 ? uint32_t(w) : gcd_u32(g, uint32_t(w));
      max_w = std::max(max_w, w);
    }
    di_ = g == 0 ? 1 : int32_t(g);
    // As IPVS: the largest cw that can select anyone, which keeps cw a multiple of di plus one.
    mw_ = max_w == 0 ? 0 : max_w - (di_ - 1);
    pos_ = -1;
    if (cw_ > mw_ || cw_ == 0) {
      cw_ = mw_;
    } else if (di_ > 1) {
      cw_ = (cw_ / di_) * di_ + 1;
    }
  }

  int pick(const RealList& reals, const FlowInfo&) override {
    const int n = int(reals.size());
    std::lock_guard<std::mutex> lock(mu_);
    if (n == 0 || mw_ <= 0) return -1;
    // Passes in which nobody is eligible select nothing, so cw may skip straight down to the
    // heaviest eligible weight: the resulting sequence is the one IPVS produces, found without
    // walking thousands of empty passes when a heavy real server is down.
    int32_t max_eligible = 0;
    for (const auto& r : reals) {
      if (eligible(*r)) max_eligible = std::max(max_eligible, weight_of(*r));
    }
    if (max_eligible == 0) return -1;
    if (pos_ >= n) pos_ = -1;
    // One full cycle (all cw values, each a full pass) is enough to reach an eligible server.
    const int64_t limit = int64_t(n + 1) * (int64_t(mw_) / di_ + 2);
    for (int64_t step = 0; step < limit; ++step) {
      ++pos_;
      if (pos_ >= n) {
        pos_ = -1;
        next_pass(max_eligible);
        continue;
      }
      const Real& r = *reals[pos_];
      if (eligible(r) && weight_of(r) >= cw_) return pos_;
    }
    return -1;
  }

 private:
  void next_pass(int32_t max_eligible) {
    cw_ -= di_;
    if (cw_ <= 0) cw_ = mw_;
    if (cw_ > max_eligible) {
      // Largest value of the form mw - k*di that is <= max_eligible.
      int32_t k = (cw_ - max_eligible + di_ - 1) / di_;
      cw_ -= k * di_;
      if (cw_ <= 0) cw_ = max_eligible;  // weights changed since update()
    }
  }

  std::mutex mu_;
  int32_t di_ = 1;  // gcd of the positive weights
  int32_t mw_ = 0;  // highest cw
  int32_t cw_ = 0;  // current weight of this pass
  int pos_ = -1;    // last index visited in this pass, -1 = before the first
};

}  // namespace

std::unique_ptr<Scheduler> make_wrr() { return std::make_unique<WeightedRoundRobin>(); }

}  // namespace pivs
