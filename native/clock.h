// Monotonic milliseconds for the workers; simulate() passes its own time instead (tests move it).
#pragma once
#include <cstdint>
#include <ctime>

namespace pivs {
inline uint64_t monotonic_ms() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * 1000 + uint64_t(ts.tv_nsec) / 1000000;
}
}  // namespace pivs
