// Helpers shared by the scheduler implementations (private to native/sched_*.cc).
#pragma once

#include <cstdint>
#include <memory>

#include "sched.h"

namespace pivs {

inline int32_t weight_of(const Real& r) { return r.weight.load(std::memory_order_relaxed); }
inline int32_t active_of(const Real& r) { return r.activeconns.load(std::memory_order_relaxed); }
inline int32_t inactive_of(const Real& r) { return r.inactconns.load(std::memory_order_relaxed); }

// The one test every scheduler applies before returning a real server: IPVS's "weight > 0 and not
// overloaded", plus a resolved MAC, without which direct routing cannot deliver the frame.
inline bool eligible(const Real& r) { return weight_of(r) > 0 && r.available(); }

// IPVS's connection overhead: an active connection costs 256 inactive ones.
inline int64_t conn_overhead(const Real& r) {
  return (int64_t(active_of(r)) << 8) + inactive_of(r);
}

// IPVS folds an IPv6 address into 32 bits by XOR before hashing; host order.
inline uint32_t addr_fold(const Addr& a) {
  auto word = [&](int i) {
    return (uint32_t(a.bytes[i]) << 24) | (uint32_t(a.bytes[i + 1]) << 16) |
           (uint32_t(a.bytes[i + 2]) << 8) | uint32_t(a.bytes[i + 3]);
  };
  if (a.family == 6) return word(0) ^ word(4) ^ word(8) ^ word(12);
  return word(0);
}

// The kernel's multiplicative hash_32(): the high bits of val * golden ratio.
inline uint32_t hash_32(uint32_t val, unsigned bits) {
  return (val * 0x61C88647u) >> (32 - bits);
}

uint32_t gcd_u32(uint32_t a, uint32_t b);

// The eligible real server with the highest weight that `accept` also takes; the first listed
// wins a tie; -1 when none (fo and ovf differ only in `accept`).
template <typename Accept>
int highest_weight(const RealList& reals, Accept accept) {
  int best = -1;
  int32_t hw = 0;
  for (size_t i = 0; i < reals.size(); ++i) {
    const Real& r = *reals[i];
    if (!eligible(r) || !accept(r)) continue;
    if (best < 0 || weight_of(r) > hw) {
      best = int(i);
      hw = weight_of(r);
    }
  }
  return best;
}

// Shared by wlc, sed, nq, lblc and lblcr: least overhead/weight, compared by cross-multiplication so that no
// division (and no rounding) is involved.
template <typename Overhead>
int least_weighted(const RealList& reals, Overhead overhead, bool idle_first) {
  int least = -1;
  int64_t loh = 0, lw = 0;
  for (size_t i = 0; i < reals.size(); ++i) {
    const Real& r = *reals[i];
    if (!eligible(r)) continue;
    // nq: a real server with no active connection takes the flow at once.
    if (idle_first && active_of(r) == 0) return int(i);
    int64_t doh = overhead(r), dw = weight_of(r);
    if (least < 0 || loh * dw > doh * lw) {
      least = int(i);
      loh = doh;
      lw = dw;
    }
  }
  return least;
}

// A round-robin position kept across update() by the identity of the last picked real server, so
// a reload or weight change does not send the next connection back to the first server. Not
// thread-safe: the scheduler holding it guards it with its own lock.
class RotationCursor {
 public:
  void rebind(const RealList& reals) {
    int found = -1;
    for (size_t i = 0; i < reals.size(); ++i) {
      if (reals[i].get() == last_real_) found = int(i);
    }
    last_ = found;
    if (found < 0) last_real_ = nullptr;
  }
  // The index a scan starts after: (start + step) % n for step 1..n visits every server once.
  int start(int n) const { return last_ < 0 || last_ >= n ? n - 1 : last_; }
  void picked(const RealList& reals, int i) {
    last_ = i;
    last_real_ = reals[i].get();
  }

 private:
  int last_ = -1;                    // index of the last pick, -1 = start of the list
  const Real* last_real_ = nullptr;  // identity only, never dereferenced
};

std::unique_ptr<Scheduler> make_rr();
std::unique_ptr<Scheduler> make_wrr();
std::unique_ptr<Scheduler> make_lc();
std::unique_ptr<Scheduler> make_wlc();
std::unique_ptr<Scheduler> make_sed();
std::unique_ptr<Scheduler> make_nq();
std::unique_ptr<Scheduler> make_sh(bool fallback, bool use_port);
std::unique_ptr<Scheduler> make_dh();
std::unique_ptr<Scheduler> make_mh(bool fallback, bool use_port, uint32_t table_size);
std::unique_ptr<Scheduler> make_fo();
std::unique_ptr<Scheduler> make_ovf();
std::unique_ptr<Scheduler> make_twos();
std::unique_ptr<Scheduler> make_lblc();
std::unique_ptr<Scheduler> make_lblcr();
std::unique_ptr<Scheduler> make_has();

}  // namespace pivs
