// What each thread that runs Dataplane::process() keeps to itself, so that the per-packet path
// writes no cache line another thread writes: its counters, summed on read by the control side,
// and its batch of sync records. A worker attaches to one (Dataplane::attach_worker()) before its
// first frame and detaches after its last; its counts stay in the totals.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "relaxed.h"
#include "sync_queue.h"
#include "tables.h"

namespace pivs {

// One worker's count of one thing. Only that worker writes it, so an add is a plain load and
// store (no locked read-modify-write), and a reader on another thread sees a value it had.
using Tally = Relaxed<uint64_t>;

// One worker's counts of one service or real server (CounterRow::row).
struct RowTally {
  Tally conns, inpkts, inbytes;
};

// One worker's counts of every frame it was given.
struct alignas(64) FrameTally {
  Tally rx, tx, ignored;
  Tally drops[DROP_COUNT];
  void drop(DropReason why) { ++drops[why]; }
};

// The same, summed over the workers.
struct GlobalCounters {
  uint64_t rx = 0, tx = 0, ignored = 0;
  uint64_t drops[DROP_COUNT] = {};
};

class WorkerSlot {
 public:
  // Rows of real servers (their RealRegistry ids) and, apart, of services (RowPool). Row 0 of
  // each is never reported: what has no row of its own counts there.
  static constexpr uint32_t kRows = 1u << 16;

  WorkerSlot();
  ~WorkerSlot();
  WorkerSlot(const WorkerSlot&) = delete;
  WorkerSlot& operator=(const WorkerSlot&) = delete;

  FrameTally frames{};
  SyncBatch sync;
  RowTally& service(uint32_t row) { return services_[row]; }
  RowTally& real(uint32_t id) { return reals_[id]; }
  const RowTally& service(uint32_t row) const { return services_[row]; }
  const RowTally& real(uint32_t id) const { return reals_[id]; }

 private:
  // Zero pages until written: a worker's rows cost memory only for the rows it counts to.
  RowTally* services_;
  RowTally* reals_;
};

// Service rows. One that is given back is taken again only after a grace period, so that a worker
// still on an older snapshot does not count the old service's frames to the new one. Control side
// only (the dataplane's lock held).
class RowPool {
 public:
  // 0 when every row is taken.
  uint32_t take(uint64_t now_ms);
  void give_back(uint32_t row, uint64_t now_ms);

 private:
  struct Given {
    uint32_t row;
    uint64_t since_ms;
  };
  uint32_t next_ = 1;
  std::vector<Given> given_;  // oldest first
};

}  // namespace pivs
