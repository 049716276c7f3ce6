#include "sync_queue.h"

#include <chrono>

#include "clock.h"

namespace pivs {

void SyncQueue::configure(const SyncSettings& s) {
  std::function<void()> notify;
  {
    std::lock_guard<std::mutex> g(mu_);
    // Records already batched keep the syncid they were queued under.
    if (builder_) seal_locked(&notify);
    settings_ = s;
    builder_ = std::make_unique<SyncMessageBuilder>(s.syncid, s.max_size);
    threshold_.store(s.threshold, std::memory_order_relaxed);
    period_.store(s.period, std::memory_order_relaxed);
    enabled_.store(true, std::memory_order_release);
  }
  cv_.notify_all();
  if (notify) notify();
}

SyncSettings SyncQueue::settings() const {
  std::lock_guard<std::mutex> g(mu_);
  return settings_;
}

void SyncQueue::seal_locked(std::function<void()>* notify) {
  if (!builder_ || builder_->empty()) return;
  std::vector<uint8_t> m = builder_->seal();
  if (ready_.size() >= kMaxMessages) {
    dropped_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  ready_.push_back(std::move(m));
  if (!pending_ && notify_) {
    pending_ = true;
    *notify = notify_;
  }
}

void SyncQueue::push(const uint8_t* record, size_t len, uint64_t now_ms) {
  std::function<void()> notify;
  {
    std::lock_guard<std::mutex> g(mu_);
    if (!builder_) return;
    std::vector<uint8_t> sealed;
    if (builder_->add(record, len, &sealed)) {
      if (ready_.size() >= kMaxMessages) {
        dropped_.fetch_add(1, std::memory_order_relaxed);
      } else {
        ready_.push_back(std::move(sealed));
        if (!pending_ && notify_) {
          pending_ = true;
          notify = notify_;
        }
      }
    }
    // This record opened a new message: the flush delay counts from it.
    if (builder_->count() == 1) first_ms_ = now_ms;
  }
  if (notify) notify();
  cv_.notify_all();
}

void SyncQueue::flush_due(uint64_t now_ms) {
  std::function<void()> notify;
  {
    std::lock_guard<std::mutex> g(mu_);
    if (!builder_ || builder_->empty()) return;
    if (now_ms < first_ms_ + settings_.flush_delay_ms) return;
    seal_locked(&notify);
  }
  if (notify) notify();
}

void SyncQueue::flush() {
  std::function<void()> notify;
  {
    std::lock_guard<std::mutex> g(mu_);
    seal_locked(&notify);
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
    if (!builder_ || builder_->empty()) {
      cv_.wait(lk);
      continue;
    }
    uint64_t due = first_ms_ + settings_.flush_delay_ms;
    uint64_t now = monotonic_ms();
    if (now < due) {
      cv_.wait_for(lk, std::chrono::milliseconds(due - now));
      continue;
    }
    std::function<void()> notify;
    seal_locked(&notify);
    if (notify) {
      lk.unlock();
      notify();
      lk.lock();
    }
  }
}

}  // namespace pivs
