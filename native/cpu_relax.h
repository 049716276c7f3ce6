// The hint a spinning thread gives the CPU between two looks at a lock word.
#pragma once

namespace pivs {
inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}
}  // namespace pivs
