// A word with one writer at a time and readers on any thread: connection-table slot fields (written
// under the slot lock, read by lock-free readers and unlocked peeks) and a worker's own counters
// (written by that worker alone, summed by the control side).
#pragma once

#include <atomic>

namespace pivs {

// Reads and writes are relaxed atomic loads and stores; the compound assignments are a load and a
// store (not a locked read-modify-write instruction), which is right because there is one writer
// at a time. It converts to and assigns from T, so code written against plain fields
// (`s.state = next`, `s.flags |= SF_INACTIVE`, `if (s.expires_ms <= now)`) reads the same.
template <class T>
class Relaxed {
 public:
  Relaxed() = default;  // trivial: slots live in zeroed mmap'd pages and are never constructed
  Relaxed(const Relaxed&) = delete;
  Relaxed& operator=(const Relaxed&) = delete;

  T load() const { return v_.load(std::memory_order_relaxed); }
  void store(T x) { v_.store(x, std::memory_order_relaxed); }
  operator T() const { return load(); }
  T operator=(T x) {
    store(x);
    return x;
  }
  T operator|=(T x) { return *this = T(load() | x); }
  T operator&=(T x) { return *this = T(load() & x); }
  T operator+=(T x) { return *this = T(load() + x); }
  T operator-=(T x) { return *this = T(load() - x); }
  T operator++() { return *this += T(1); }

 private:
  std::atomic<T> v_;
  static_assert(std::atomic<T>::is_always_lock_free, "a Relaxed<T> must be a plain word");
};

}  // namespace pivs
