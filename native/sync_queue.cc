#include "sync_queue.h"

#include <algorithm>
#include <chrono>

#include "clock.h"

namespace pivs {

void SyncQueue::configure(const SyncSettings& s) {
  std::vector<SyncBatch*> batches;
  {
    std::lock_guard<std::mutex> g(mu_);
    settings_ = s;
    threshold_.store(s.threshold, std::memory_order_relaxed);
    period_.store(s.period, std::memory_order_relaxed);
    syncid_.store(s.syncid, std::memory_order_relaxed);
    max_size_.store(s.max_size, std::memory_order_relaxed);
    flush_delay_ms_.store(s.flush_delay_ms, std::memory_order_relaxed);
    generation_.fetch_add(1, std::memory_order_release);
    enabled_.store(true, std::memory_order_release);
    batches = batches_;
  }
  // Records already batched keep the syncid they were queued under.
  std::vector<std::vector<uint8_t>> sealed;
  uint32_t gen = generation_.load(std::memory_order_acquire);
  for (SyncBatch* b : batches) {
    std::lock_guard<std::mutex> g(b->mu);
    if (b->generation != gen) renew_locked(*b, gen, &sealed);
  }
  deliver(std::move(sealed));
  cv_.notify_all();
}

SyncSettings SyncQueue::settings() const {
  std::lock_guard<std::mutex> g(mu_);
  return settings_;
}

void SyncQueue::attach(SyncBatch* batch) {
  std::lock_guard<std::mutex> g(mu_);
  batches_.push_back(batch);
}

void SyncQueue::renew_locked(SyncBatch& b, uint32_t generation, std::vector<std::vector<uint8_t>>* out) {
  if (b.builder && !b.builder->empty()) out->push_back(b.builder->seal());
  b.builder = std::make_unique<SyncMessageBuilder>(syncid_.load(std::memory_order_relaxed),
                                                   max_size_.load(std::memory_order_relaxed));
  b.generation = generation;
}

void SyncQueue::push(SyncBatch& b, const uint8_t* record, size_t len, uint64_t now_ms) {
  if (!enabled()) return;
  std::vector<std::vector<uint8_t>> sealed;
  {
    std::lock_guard<std::mutex> g(b.mu);
    uint32_t gen = generation_.load(std::memory_order_acquire);
    if (b.generation != gen || !b.builder) renew_locked(b, gen, &sealed);
    std::vector<uint8_t> full;
    if (b.builder->add(record, len, &full)) sealed.push_back(std::move(full));
    // This record opened a new message: the flush delay counts from it.
    if (b.builder->count() == 1) b.first_ms = now_ms;
  }
  if (!sealed.empty()) deliver(std::move(sealed));
}

void SyncQueue::seal_where(bool (*due)(uint64_t, uint64_t, uint32_t), uint64_t now_ms) {
  std::vector<SyncBatch*> batches;
  {
    std::lock_guard<std::mutex> g(mu_);
    batches = batches_;
  }
  uint32_t delay = flush_delay_ms_.load(std::memory_order_relaxed);
  std::vector<std::vector<uint8_t>> sealed;
  for (SyncBatch* b : batches) {
    std::lock_guard<std::mutex> g(b->mu);
    if (b->builder && !b->builder->empty() && due(b->first_ms, now_ms, delay)) {
      sealed.push_back(b->builder->seal());
    }
  }
  deliver(std::move(sealed));
}

void SyncQueue::flush_due(uint64_t now_ms) {
  seal_where([](uint64_t first, uint64_t now, uint32_t delay) { return now >= first + delay; }, now_ms);
}

void SyncQueue::flush() {
  seal_where([](uint64_t, uint64_t, uint32_t) { return true; }, 0);
}

void SyncQueue::deliver(std::vector<std::vector<uint8_t>> messages) {
  if (messages.empty()) return;
  std::function<void()> notify;
  {
    std::lock_guard<std::mutex> g(mu_);
    for (auto& m : messages) {
      if (ready_.size() >= kMaxMessages) {
        dropped_.fetch_add(1, std::memory_order_relaxed);
        continue;
      }
      ready_.push_back(std::move(m));
    }
    if (!pending_ && notify_ && !ready_.empty()) {
      pending_ = true;
      notify = notify_;
    }
  }
  if (notify) notify();
}

std::vector<std::vector<uint8_t>> SyncQueue::drain() {
  std::lock_guard<std::mutex> g(mu_);
  pending_ = false;
  std::vector<std::vector<uint8_t>> out(std::make_move_iterator(ready_.begin()),
                                        std::make_move_iterator(ready_.end()));
  ready_.clear();
  return out;
}

void SyncQueue::set_notify(std::function<void()> notify) {
  std::function<void()> fire;
  {
    std::lock_guard<std::mutex> g(mu_);
    notify_ = std::move(notify);
    if (notify_ && !ready_.empty() && !pending_) {
      pending_ = true;
      fire = notify_;
    }
  }
  if (fire) fire();
}

void SyncQueue::start_timer() {
  std::lock_guard<std::mutex> g(mu_);
  if (timer_.joinable()) return;
  stop_ = false;
  timer_ = std::thread(&SyncQueue::run_timer, this);
}

void SyncQueue::stop_timer() {
  {
    std::lock_guard<std::mutex> g(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (timer_.joinable()) timer_.join();
}

void SyncQueue::run_timer() {
  std::unique_lock<std::mutex> lk(mu_);
  while (!stop_) {
    // Four looks per delay: a message leaves at most a quarter of the delay late.
    uint32_t delay = flush_delay_ms_.load(std::memory_order_relaxed);
    uint32_t tick = std::clamp<uint32_t>(delay / 4, 5, 250);
    cv_.wait_for(lk, std::chrono::milliseconds(tick));
    if (stop_ || !enabled()) continue;
    lk.unlock();
    flush_due(monotonic_ms());
    lk.lock();
  }
}

}  // namespace pivs
