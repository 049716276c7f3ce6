// Sync records queued by the workers, batched into IPVS v1 messages and handed up to JS.
// Each worker fills a message of its own (SyncBatch): a record costs that worker's lock, which
// nobody else wants, and no wake-up. A message is sealed when the next record would not fit (or
// it holds 255), or about flush_delay_ms after its first record: by a small timer thread that
// looks at the batches a few times per delay when workers run, by simulate()'s clock or flush()
// otherwise. Sealed messages wait (bounded) until JS drains them; one notify per batch.
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

// One worker's message being filled. Its lock is taken by another thread only when the timer,
// flush() or configure() looks at the batch.
struct SyncBatch {
  std::mutex mu;
  std::unique_ptr<SyncMessageBuilder> builder;
  uint32_t generation = 0;  // of the settings the builder was made with
  uint64_t first_ms = 0;    // when its first record came
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

  // A batch to look into from now on; it outlives the queue's timer.
  void attach(SyncBatch* batch);
  // Worker side: one encoded record (36 or 72 bytes) into the worker's batch.
  void push(SyncBatch& batch, const uint8_t* record, size_t len, uint64_t now_ms);
  // Seals the partial messages whose delay has passed by now_ms.
  void flush_due(uint64_t now_ms);
  // Seals the partial messages whatever their age.
  void flush();
  std::vector<std::vector<uint8_t>> drain();
  void set_notify(std::function<void()> notify);
  uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }

  // Timer thread on the monotonic clock (only with ring workers).
  void start_timer();
  void stop_timer();

 private:
  // Starts the batch's builder afresh after a settings change, its records sealed into *out.
  void renew_locked(SyncBatch& b, uint32_t generation, std::vector<std::vector<uint8_t>>* out);
  // Seals each batch's partial message for which due(its first record's time, now, delay).
  void seal_where(bool (*due)(uint64_t first_ms, uint64_t now_ms, uint32_t delay_ms), uint64_t now_ms);
  void deliver(std::vector<std::vector<uint8_t>> messages);
  void run_timer();

  std::atomic<bool> enabled_{false};
  std::atomic<uint32_t> threshold_{3}, period_{50};
  // The settings a batch's builder is made with, readable without mu_: generation_ is stored
  // last, so a worker that sees it changed sees these new.
  std::atomic<uint8_t> syncid_{0};
  std::atomic<uint32_t> max_size_{1472}, flush_delay_ms_{1000};
  std::atomic<uint32_t> generation_{0};
  mutable std::mutex mu_;
  SyncSettings settings_;
  std::vector<SyncBatch*> batches_;
  std::deque<std::vector<uint8_t>> ready_;
  std::function<void()> notify_;
  bool pending_ = false;
  std::atomic<uint64_t> dropped_{0};

  std::condition_variable cv_;
  std::thread timer_;
  bool stop_ = false;
};

}  // namespace pivs
