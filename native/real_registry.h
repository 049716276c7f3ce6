// Real servers by a small numeric id, so a connection entry holds 4 bytes instead of a RealPtr.
// The registry owns a RealPtr per id; a real server dropped from the configuration stays here
// (its connections still point at it) and is freed only once it has no connections left and has
// been out of every snapshot long enough that no worker can still hold it.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "tables.h"

namespace pivs {

class RealRegistry {
 public:
  static constexpr uint32_t kMaxReals = 1u << 16;
  RealRegistry();

  // Worker side: never blocks. Id 0 is never used.
  Real* get(uint32_t id) const {
    return id < kMaxReals ? ptrs_[id].load(std::memory_order_acquire) : nullptr;
  }

  // Control side (serialised by the caller).
  // Existing (live or retired) real server for key, or 0.
  uint32_t find(const std::string& key) const;
  // Returns 0 when the registry is full.
  uint32_t add(const std::string& key, RealPtr real);
  const RealPtr& ptr(uint32_t id) const { return owned_[id]; }
  // Marks everything not in live as retired (since now_ms, Real::removed) and frees retired
  // entries that are idle.
  void retire_others(const std::vector<uint32_t>& live, uint64_t now_ms);
  template <class F> void for_each(F f) const {
    for (uint32_t id = 1; id < owned_.size(); ++id)
      if (owned_[id]) f(id, *owned_[id]);
  }

 private:
  std::unique_ptr<std::atomic<Real*>[]> ptrs_;
  std::vector<RealPtr> owned_;
  std::vector<std::string> keys_;
  std::vector<uint64_t> retired_since_;  // 0 = in the current snapshot
  std::vector<uint32_t> free_;
  std::unordered_map<std::string, uint32_t> by_key_;
};

}  // namespace pivs
