// Large arrays of the fast path as anonymous mappings: zero pages until written, so an idle
// table (or the IPv6 side of a table that only sees IPv4) costs no resident memory.
#pragma once
#include <cstddef>

namespace pivs {
// Throws std::bad_alloc when the mapping cannot be made.
void* map_zeroed(size_t bytes);
void unmap_zeroed(void* p, size_t bytes);
}  // namespace pivs
