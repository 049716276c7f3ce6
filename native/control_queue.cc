#include "control_queue.h"

namespace pivs {

bool ControlQueue::push(const uint8_t* frame, uint32_t len, Lane lane) {
  std::function<void()> notify;
  {
    std::lock_guard<std::mutex> g(mu_);
    auto& q = lanes_[lane];
    if (q.size() >= kMaxFrames) return false;
    q.emplace_back(frame, frame + len);
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
  std::vector<std::vector<uint8_t>> out;
  for (auto& q : lanes_) {
    for (auto& f : q) out.push_back(std::move(f));
    q.clear();
  }
  return out;
}

void ControlQueue::set_notify(std::function<void()> notify) {
  bool fire;
  {
    std::lock_guard<std::mutex> g(mu_);
    notify_ = std::move(notify);
    fire = notify_ && !pending_ && (!lanes_[LANE_ELECTION].empty() || !lanes_[LANE_OTHER].empty());
    if (fire) pending_ = true;
  }
  if (fire) notify_();
}

}  // namespace pivs
