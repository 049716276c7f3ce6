#include "control_queue.h"

namespace pivs {

bool ControlQueue::push(const uint8_t* frame, uint32_t len) {
  std::function<void()> notify;
  {
    std::lock_guard<std::mutex> g(mu_);
    if (frames_.size() >= kMaxFrames) return false;
    frames_.emplace_back(frame, frame + len);
    if (!pending_ && notify_) {
      pending_ = true;
      notify = notify_;
    }
  }
  if (notify) notify();
  return true;
}

std::vector<std::vector<uint8_t>> ControlQueue::drain() {
  std::lock_guard<std::mutex> g(mu_);
  pending_ = false;
  std::vector<std::vector<uint8_t>> out(std::make_move_iterator(frames_.begin()),
                                        std::make_move_iterator(frames_.end()));
  frames_.clear();
  return out;
}

void ControlQueue::set_notify(std::function<void()> notify) {
  bool fire;
  {
    std::lock_guard<std::mutex> g(mu_);
    notify_ = std::move(notify);
    fire = notify_ && !frames_.empty() && !pending_;
    if (fire) pending_ = true;
  }
  if (fire) notify_();
}

}  // namespace pivs
