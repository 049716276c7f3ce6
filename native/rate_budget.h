// A per-second budget shared by every worker: at most `per_second` takes in each second of the
// monotonic clock. Cheap and approximate at the second's edge (two workers may both reset it).
#pragma once

#include <atomic>
#include <cstdint>

namespace pivs {

class RateBudget {
 public:
  explicit RateBudget(uint32_t per_second) : per_second_(per_second) {}
  void set(uint32_t per_second) { per_second_.store(per_second, std::memory_order_relaxed); }
  bool take(uint64_t now_ms) {
    uint64_t second = now_ms / 1000;
    uint64_t cur = second_.load(std::memory_order_relaxed);
    if (cur != second && second_.compare_exchange_strong(cur, second, std::memory_order_relaxed)) {
      used_.store(0, std::memory_order_relaxed);
    }
    return used_.fetch_add(1, std::memory_order_relaxed) < per_second_.load(std::memory_order_relaxed);
  }

 private:
  std::atomic<uint32_t> per_second_;
  std::atomic<uint64_t> second_{0};
  std::atomic<uint32_t> used_{0};
};

}  // namespace pivs
