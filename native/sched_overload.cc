// The IPVS upper/lower connection threshold rule (ipvsadm -x / -y).
#include "sched_common.h"

namespace pivs {

void update_overload(Real& real) {
  // IPVS counts active and inactive connections, not persistence templates.
  const int64_t total = int64_t(active_of(real)) + inactive_of(real);
  // apply() may change the thresholds meanwhile: a worker seeing one new and one old value only
  // applies a hysteresis that the next count change corrects.
  const int64_t upper = real.u_threshold.load(std::memory_order_relaxed);
  const int64_t lower = real.l_threshold.load(std::memory_order_relaxed);
  if (upper != 0 && total >= upper) {
    real.overloaded.store(true, std::memory_order_relaxed);
    return;
  }
  if (!real.overloaded.load(std::memory_order_relaxed)) return;
  // Hysteresis: once set, the flag stays until the load falls clearly below the upper mark.
  bool clear;
  if (lower != 0) {
    clear = total < lower;
  } else if (upper != 0) {
    clear = total * 4 < upper * 3;
  } else {
    clear = true;  // thresholds removed
  }
  if (clear) real.overloaded.store(false, std::memory_order_relaxed);
}

}  // namespace pivs
