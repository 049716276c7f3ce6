#include "worker_slot.h"

#include "zero_pages.h"

namespace pivs {

namespace {
// As RealRegistry's: a worker loads the snapshot once per ring block (at most a few ms).
constexpr uint64_t kGraceMs = 10000;
constexpr size_t kRowBytes = WorkerSlot::kRows * sizeof(RowTally);
}  // namespace

WorkerSlot::WorkerSlot()
    : services_(static_cast<RowTally*>(map_zeroed(kRowBytes))),
      reals_(static_cast<RowTally*>(map_zeroed(kRowBytes))) {}

WorkerSlot::~WorkerSlot() {
  unmap_zeroed(services_, kRowBytes);
  unmap_zeroed(reals_, kRowBytes);
}

uint32_t RowPool::take(uint64_t now_ms) {
  if (!given_.empty() && given_.front().since_ms + kGraceMs <= now_ms) {
    uint32_t row = given_.front().row;
    given_.erase(given_.begin());
    return row;
  }
  return next_ < WorkerSlot::kRows ? next_++ : 0;
}

void RowPool::give_back(uint32_t row, uint64_t now_ms) {
  if (row) given_.push_back({row, now_ms});
}

}  // namespace pivs
