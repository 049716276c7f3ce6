// Sync records queued by the workers, batched into IPVS v1 messages and handed up to JS.
// A message is sealed when the next record would not fit (or it holds 255), or flush_delay_ms
// after its first record: by a small timer thread when workers run, by simulate()'s clock or
// flush() otherwise. Sealed messages wait (bounded) until JS drains them; one notify per batch.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "sync.h"

namespace pivs {

struct SyncSettings {
  uint8_t syncid = 0;
  uint32_t max_size = 1472;
  uint32_t flush_delay_ms = 1000;
  uint32_t threshold = 3;
  uint32_t period = 50;
};

class SyncQueue {
 public:
  static constexpr size_t kMaxMessages = 4096;
  ~SyncQueue() { stop_timer(); }

  void configure(const SyncSettings& s);
  bool enabled() const { return enabled_.load(std::memory_order_acquire); }
  SyncSettings settings() const;
  // IPVS's rule for a connection at its pkts-th packet without a state change.
  bool due(uint32_t pkts) const {
    uint32_t t = threshold_.load(std::memory_order_relaxed);
    uint32_t p = period_.load(std::memory_order_relaxed);
    return p ? pkts % p == t : pkts == t;
  }
  uint32_t threshold() const { return threshold_.load(std::memory_order_relaxed); }

  // Worker side: one encoded record (36 or 72 bytes).
  void push(const uint8_t* record, size_t len, uint64_t now_ms);
  // Seals the partial message if its delay has passed by now_ms.
  void flush_due(uint64_t now_ms);
  // Seals the partial message whatever its age.
  void flush();
  std::vector<std::vector<uint8_t>> drain();
  void set_notify(std::function<void()> notify);
  uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }

  // Timer thread on the monotonic clock (only with ring workers).
  void start_timer();
  void stop_timer();

 private:
  void seal_locked(std::function<void()>* notify);
  void run_timer();

  std::atomic<bool> enabled_{false};
  std::atomic<uint32_t> threshold_{3}, period_{50};
  mutable std::mutex mu_;
  SyncSettings settings_;
  std::unique_ptr<SyncMessageBuilder> builder_;
  uint64_t first_ms_ = 0;
  std::deque<std::vector<uint8_t>> ready_;
  std::function<void()> notify_;
  bool pending_ = false;
  std::atomic<uint64_t> dropped_{0};

  std::condition_variable cv_;
  std::thread timer_;
  bool stop_ = false;
};

}  // namespace pivs
