// Expiry by due time: which connection-table slots may expire in which second, so that the sweeper
// visits the entries that may be due instead of every slot of the table each second.
//
// An entry's expiry moves on every packet, so the wheel files lazily. A slot is filed at the tick
// (second) of its expiry when its entry is created, or when its expiry moves earlier than the tick
// it is filed at (a FIN shortens the timeout); a refresh that moves it later changes nothing here.
// When a tick comes due, each slot filed there is checked against its current expiry and either
// expired or filed again at its new tick (the caller does both, with the slot locked).
//
// filed(slot) is the tick a slot is filed at. A bucket may also hold stale copies of a slot: an
// earlier expiry files it anew and leaves the old copy behind, and expiry leaves nothing behind
// when the slot is reused. A copy is only worth a look while its slot is not filed at a tick still
// to come (pending()); looking at one anyway is harmless, as the check is against the slot itself.
// Copies are capped at a small multiple of the table's slots: past that the wheel stops filing and
// says so (overflowed()), and the sweeper files every live slot again from one walk of the table.
// Memory: a 4-byte word per slot, which the connection table keeps in the slot for it, plus at most
// kCopiesPerSlot copies of 4 bytes per slot.
//
// Ticks beyond the wheel's horizon (kTicks seconds) are filed at the horizon and filed again from
// there. A tick already due (an expiry in the past) is filed at the next tick to come.
//
// Concurrency: note(), refile() and forget() are called with the slot's lock held, so a slot's
// filed word has one writer at a time, and a slot is looked at by take() and filed by a worker
// one after the other. Each bucket is split in shards, one per thread by a thread-local index,
// each with its own spin lock, so workers filing new connections in the same second rarely meet;
// take() reads which ticks are due under the same locks (see file_at()).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace pivs {

class TimerWheel {
 public:
  static constexpr uint64_t kTickMs = 1000;
  static constexpr uint64_t kTicks = 4096;  // the horizon: about 68 minutes
  static constexpr size_t kShards = 4;
  static constexpr size_t kCopiesPerSlot = 2;

  // Slot i's word (zero at first) is at words + i * stride bytes; it outlives the wheel.
  TimerWheel(size_t slots, std::atomic<uint32_t>* words, size_t stride);
  TimerWheel(const TimerWheel&) = delete;
  TimerWheel& operator=(const TimerWheel&) = delete;

  // Slot idx locked: its entry now expires at t_ms. Files it unless it is filed no later already.
  void note(size_t idx, uint64_t t_ms);
  // Slot idx locked: files it at t_ms's tick whatever filed() says (a copy taken, or a rebuild).
  void refile(size_t idx, uint64_t t_ms);
  // Slot idx locked: it is filed nowhere (its entry is gone).
  void forget(size_t idx);
  // Whether slot idx is filed at a tick still to come (its copy there will be taken).
  bool pending(size_t idx) const;

  // The ticks due at now_ms: marks them taken, then calls visit(idx) for every copy filed at them
  // whose slot is not filed at a later tick since. visit() locks the slot and expires its entry
  // or refile()s it. Returns the copies looked at. One caller at a time (the sweeper, or
  // simulate()).
  template <class Visit>
  size_t take_due(uint64_t now_ms, Visit visit);
  // The copies of the tick now_ms falls in, not due as a whole yet: calls visit(idx) for each
  // (simulate()'s expiry to the millisecond). Same caller as take_due(), after it.
  template <class Visit>
  size_t take_current(uint64_t now_ms, Visit visit);

  // Filing stopped at the cap: every live slot must be filed again (reset(), then refile() each).
  bool overflowed() const { return overflowed_.load(std::memory_order_acquire); }
  // Drops every copy and clears the overflow; one caller at a time, as take_due().
  void reset();
  size_t copies() const;

 private:
  struct alignas(64) Shard {
    std::atomic<bool> locked{false};
    std::vector<uint32_t> slots;
  };
  struct alignas(64) ShardCount {
    std::atomic<int64_t> n{0};
  };
  static uint64_t tick_of(uint64_t t_ms) { return (t_ms + kTickMs - 1) / kTickMs; }
  static size_t my_shard();
  Shard& shard(uint64_t tick, size_t s) { return buckets_[(tick % kTicks) * kShards + s]; }
  static void lock(Shard& s);
  static void unlock(Shard& s) { s.locked.store(false, std::memory_order_release); }
  // Files idx at the tick of t_ms, clamped into the ticks still to come (re-read under the lock).
  void file_at(size_t idx, uint64_t t_ms);
  // Swaps out one tick's copies.
  std::vector<uint32_t> take_tick(uint64_t tick);

  // The tick slot idx is filed at.
  std::atomic<uint32_t>& filed(size_t idx) const {
    return *reinterpret_cast<std::atomic<uint32_t>*>(words_ + idx * stride_);
  }

  uint8_t* words_;
  size_t stride_;
  std::unique_ptr<Shard[]> buckets_;
  ShardCount counts_[kShards];
  int64_t cap_;
  // Every tick up to this one has been taken; files go to the ticks after it.
  std::atomic<uint64_t> taken_{0};
  std::atomic<bool> overflowed_{false};
};

template <class Visit>
size_t TimerWheel::take_due(uint64_t now_ms, Visit visit) {
  uint64_t due = now_ms / kTickMs;
  uint64_t taken = taken_.load(std::memory_order_relaxed);
  if (due <= taken) return 0;
  // After a jump of more than the horizon, every bucket once (a tick's bucket also holds those
  // kTicks later, all due by then).
  uint64_t from = due - taken > kTicks ? due - kTicks + 1 : taken + 1;
  taken_.store(due, std::memory_order_release);
  size_t seen = 0;
  for (uint64_t tick = from; tick <= due; ++tick) {
    std::vector<uint32_t> copies = take_tick(tick);
    seen += copies.size();
    for (uint32_t idx : copies) {
      if (!pending(idx)) visit(size_t(idx));
    }
  }
  return seen;
}

template <class Visit>
size_t TimerWheel::take_current(uint64_t now_ms, Visit visit) {
  uint64_t tick = taken_.load(std::memory_order_relaxed) + 1;
  if (now_ms <= (tick - 1) * kTickMs) return 0;
  std::vector<uint32_t> copies = take_tick(tick);
  for (uint32_t idx : copies) {
    // This tick's own copies; a stale one has nothing to say. Those not due yet are filed at
    // this tick again by the visit.
    if (filed(idx).load(std::memory_order_relaxed) == uint32_t(tick)) visit(size_t(idx));
  }
  return copies.size();
}

}  // namespace pivs
