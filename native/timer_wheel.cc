#include "timer_wheel.h"

#include <algorithm>

#include "cpu_relax.h"

namespace pivs {

namespace {
std::atomic<size_t> g_next_shard{0};
}  // namespace

TimerWheel::TimerWheel(size_t slots, std::atomic<uint32_t>* words, size_t stride)
    : words_(reinterpret_cast<uint8_t*>(words)), stride_(stride),
      buckets_(new Shard[kTicks * kShards]), cap_(int64_t(kCopiesPerSlot * slots + 1024)) {}

size_t TimerWheel::my_shard() {
  // Threads take shards in turn: the first workers of a dataplane get one each.
  thread_local size_t mine = g_next_shard.fetch_add(1, std::memory_order_relaxed) % kShards;
  return mine;
}

void TimerWheel::lock(Shard& s) {
  for (;;) {
    if (!s.locked.exchange(true, std::memory_order_acquire)) return;
    while (s.locked.load(std::memory_order_relaxed)) cpu_relax();
  }
}

bool TimerWheel::pending(size_t idx) const {
  uint32_t first = uint32_t(taken_.load(std::memory_order_acquire) + 1);
  return uint32_t(filed(idx).load(std::memory_order_relaxed) - first) < kTicks;
}

void TimerWheel::note(size_t idx, uint64_t t_ms) {
  uint64_t base = taken_.load(std::memory_order_acquire);
  uint64_t tick = std::min(std::max(tick_of(t_ms), base + 1), base + kTicks);
  // Filed at a tick to come no later than this one: that visit will see the new expiry.
  uint32_t at = uint32_t(filed(idx).load(std::memory_order_relaxed) - uint32_t(base + 1));
  if (at < kTicks && at <= uint32_t(tick - (base + 1))) return;
  file_at(idx, t_ms);
}

void TimerWheel::refile(size_t idx, uint64_t t_ms) { file_at(idx, t_ms); }

void TimerWheel::forget(size_t idx) {
  // A tick already taken is never pending.
  filed(idx).store(uint32_t(taken_.load(std::memory_order_acquire)), std::memory_order_relaxed);
}

void TimerWheel::file_at(size_t idx, uint64_t t_ms) {
  const size_t s = my_shard();
  for (;;) {
    uint64_t base = taken_.load(std::memory_order_acquire);
    uint64_t tick = std::min(std::max(tick_of(t_ms), base + 1), base + kTicks);
    Shard& sh = shard(tick, s);
    lock(sh);
    // take_due() moves taken_ before it locks a tick's shards to swap them out: seen here under
    // the lock, a tick not yet taken will be swapped out after this copy goes in.
    if (taken_.load(std::memory_order_relaxed) >= tick) {
      unlock(sh);
      continue;
    }
    int64_t total = 0;
    for (const ShardCount& c : counts_) total += c.n.load(std::memory_order_relaxed);
    if (total >= cap_) {
      unlock(sh);
      overflowed_.store(true, std::memory_order_release);
      return;
    }
    sh.slots.push_back(uint32_t(idx));
    filed(idx).store(uint32_t(tick), std::memory_order_relaxed);
    unlock(sh);
    counts_[s].n.fetch_add(1, std::memory_order_relaxed);
    return;
  }
}

std::vector<uint32_t> TimerWheel::take_tick(uint64_t tick) {
  std::vector<uint32_t> out;
  for (size_t s = 0; s < kShards; ++s) {
    Shard& sh = shard(tick, s);
    std::vector<uint32_t> mine;
    lock(sh);
    mine.swap(sh.slots);
    unlock(sh);
    if (mine.empty()) continue;
    counts_[s].n.fetch_sub(int64_t(mine.size()), std::memory_order_relaxed);
    if (out.empty()) out.swap(mine);
    else out.insert(out.end(), mine.begin(), mine.end());
  }
  return out;
}

void TimerWheel::reset() {
  for (uint64_t tick = 0; tick < kTicks; ++tick) take_tick(tick);
  overflowed_.store(false, std::memory_order_release);
}

size_t TimerWheel::copies() const {
  int64_t total = 0;
  for (const ShardCount& c : counts_) total += c.n.load(std::memory_order_relaxed);
  return size_t(std::max<int64_t>(total, 0));
}

}  // namespace pivs
