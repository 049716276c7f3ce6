#include "real_registry.h"

namespace pivs {

namespace {
// A worker loads the snapshot once per ring block (at most a few ms), so this is generous.
constexpr uint64_t kGraceMs = 10000;
}

RealRegistry::RealRegistry() : ptrs_(new std::atomic<Real*>[kMaxReals]) {
  for (uint32_t i = 0; i < kMaxReals; ++i) ptrs_[i].store(nullptr, std::memory_order_relaxed);
  owned_.resize(1);
  keys_.resize(1);
  retired_since_.resize(1);
}

uint32_t RealRegistry::find(const std::string& key) const {
  auto it = by_key_.find(key);
  return it == by_key_.end() ? 0 : it->second;
}

uint32_t RealRegistry::add(const std::string& key, RealPtr real) {
  uint32_t id;
  if (!free_.empty()) {
    id = free_.back();
    free_.pop_back();
  } else {
    if (owned_.size() >= kMaxReals) return 0;
    id = uint32_t(owned_.size());
    owned_.emplace_back();
    keys_.emplace_back();
    retired_since_.push_back(0);
  }
  ptrs_[id].store(real.get(), std::memory_order_release);
  owned_[id] = std::move(real);
  keys_[id] = key;
  retired_since_[id] = 0;
  by_key_[key] = id;
  return id;
}

void RealRegistry::retire_others(const std::vector<uint32_t>& live, uint64_t now_ms) {
  std::vector<bool> is_live(owned_.size(), false);
  for (uint32_t id : live) is_live[id] = true;
  for (uint32_t id = 1; id < owned_.size(); ++id) {
    if (!owned_[id]) continue;
    owned_[id]->removed.store(!is_live[id], std::memory_order_relaxed);
    if (is_live[id]) {
      retired_since_[id] = 0;
      continue;
    }
    if (retired_since_[id] == 0) retired_since_[id] = now_ms ? now_ms : 1;
    const Real& r = *owned_[id];
    bool idle = r.activeconns.load() + r.inactconns.load() + r.persistconns.load() == 0;
    if (idle && now_ms >= retired_since_[id] + kGraceMs) {
      ptrs_[id].store(nullptr, std::memory_order_release);
      by_key_.erase(keys_[id]);
      owned_[id].reset();
      keys_[id].clear();
      free_.push_back(id);
    }
  }
}

}  // namespace pivs
