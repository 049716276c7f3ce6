// Frames the workers hand up to JS (VRRP, ARP, ICMP to a VIP, IPv6 neighbour discovery). Bounded:
// when JS falls behind, frames are dropped and counted rather than queued without limit. VRRP has
// a queue of its own, drained first, so that no flood of the others can crowd out the election.
// One notify per batch: a new notify is only requested once JS has taken the previous batch.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <vector>

namespace pivs {

class ControlQueue {
 public:
  static constexpr size_t kMaxFrames = 4096;
  enum Lane { LANE_ELECTION, LANE_OTHER, LANE_COUNT };
  // False when that lane is full (the frame is dropped).
  bool push(const uint8_t* frame, uint32_t len, Lane lane = LANE_OTHER);
  // Every waiting frame, the election's first.
  std::vector<std::vector<uint8_t>> drain();
  // Called (from any thread) when frames are waiting and no delivery is pending.
  void set_notify(std::function<void()> notify);

 private:
  std::mutex mu_;
  std::deque<std::vector<uint8_t>> lanes_[LANE_COUNT];
  std::function<void()> notify_;
  bool pending_ = false;
};

}  // namespace pivs
