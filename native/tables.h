// The tables the fast path shares with its control side (src/dataplane/ through the binding).
// This header is the contract: the binding fills services and real servers, workers read them,
// schedulers pick among real servers, and the counters are summed from every worker's rows. The
// names and ids these take on the N-API side are contract.h's.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "contract.h"

namespace pivs {

enum Proto : uint8_t { PROTO_TCP = 6, PROTO_UDP = 17 };

struct Addr {
  uint8_t family = 0;      // 4 or 6
  uint8_t bytes[16] = {};  // IPv4 in bytes[0..3], rest zero
  bool operator==(const Addr& o) const {
    return family == o.family && std::memcmp(bytes, o.bytes, 16) == 0;
  }
};

// What a service or a real server has forwarded, as read back.
struct CounterTotals {
  uint64_t conns = 0, inpkts = 0, inbytes = 0;
};

// Where the counts of one service or real server are: row `row` of every worker's counters
// (worker_slot.h), summed on read, less the sums zero() took away. Workers never write here.
struct CounterRow {
  uint32_t row = 0;
  std::atomic<uint64_t> conns0{0}, inpkts0{0}, inbytes0{0};
};

// Why the fast path did not forward a frame it was responsible for: PIVS_DROP_REASONS.
#define PIVS_DROP_ENUMERATOR(e, name) DROP_##e,
enum DropReason : uint8_t { PIVS_DROP_REASONS(PIVS_DROP_ENUMERATOR) DROP_COUNT };
#undef PIVS_DROP_ENUMERATOR
#define PIVS_DROP_NAME(e, name) name,
inline const char* const kDropReasonNames[DROP_COUNT] = {PIVS_DROP_REASONS(PIVS_DROP_NAME)};
#undef PIVS_DROP_NAME

// One real server of one virtual service. Shared (shared_ptr) between table snapshots so that a
// reload keeps its counters and connections keep pointing at it. Workers read the first cache line
// per packet or per new flow; the second is theirs to write as connections change state, apart so
// that those writes do not take the first away from every other worker.
struct alignas(64) Real {
  Addr addr;
  uint16_t port = 0;
  std::atomic<int32_t> weight{1};      // 0 = quiescent
  std::atomic<uint32_t> u_threshold{0};  // 0 = none; set by apply(), read relaxed by workers
  std::atomic<uint32_t> l_threshold{0};  // 0 = 3/4 of u_threshold
  // 48-bit MAC in the low bits, 0 = never learnt. Kept when a re-confirmation goes unanswered, so
  // established flows still reach the server; mac_valid says whether new flows may go there.
  std::atomic<uint64_t> mac{0};
  std::atomic<bool> mac_valid{false};
  // Health checks or the agent hold it Down (it stays listed with weight 0), or it left the
  // service: its entries are "no destination" ones (IPVS's expire_nodest_conn).
  std::atomic<bool> down{false};
  std::atomic<bool> removed{false};
  // Load index its agent last reported (higher = more spare capacity), < 0 = no report. The has
  // scheduler reads it at pick time, so a report applies without a snapshot rebuild.
  std::atomic<double> load{-1.0};

  alignas(64) std::atomic<int32_t> activeconns{0};
  std::atomic<int32_t> inactconns{0};
  std::atomic<int32_t> persistconns{0};
  std::atomic<bool> overloaded{false};  // kept by update_overload() (sched.h)
  CounterRow stats;                     // row = its RealRegistry id

  // Usable for a new connection: the weight and the scheduler's own checks decide the rest.
  bool available() const {
    return mac_valid.load(std::memory_order_relaxed) && !overloaded.load(std::memory_order_relaxed);
  }
  bool nodest() const {
    return down.load(std::memory_order_relaxed) || removed.load(std::memory_order_relaxed);
  }
};
static_assert(offsetof(Real, activeconns) == 64, "a real server's read-mostly fields: one line");

using RealPtr = std::shared_ptr<Real>;
using RealList = std::vector<RealPtr>;

// A scoped enum: <memory> pulls in the system <sched.h>, whose SCHED_RR macro a plain enum would hit.
#define PIVS_SCHED_ENUMERATOR(e, name, id) e = id,
enum class SchedKind : uint8_t { PIVS_SCHEDULERS(PIVS_SCHED_ENUMERATOR) };
#undef PIVS_SCHED_ENUMERATOR

// ipvsadm -b flags.
#define PIVS_SCHED_FLAG_ENUMERATOR(e, name, bit) SCHED_F_##e = 1u << bit,
enum SchedFlags : uint32_t { PIVS_SCHED_FLAGS(PIVS_SCHED_FLAG_ENUMERATOR) };
#undef PIVS_SCHED_FLAG_ENUMERATOR

}  // namespace pivs
