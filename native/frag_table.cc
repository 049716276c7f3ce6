#include "frag_table.h"

#include <cstring>
#include <random>

namespace pivs {

namespace {
constexpr uint64_t kIpv4FragMs = 30000, kIpv6FragMs = 60000;
}

FragTable::FragTable() {
  std::random_device rd;
  seed_ = rd();
}

FragTable::Key FragTable::key_of(const ParsedFrame& p) {
  Key k{};
  k.family = p.family;
  k.proto = p.proto;
  k.id = p.frag_id;
  size_t alen = p.family == 4 ? 4 : 16;
  std::memcpy(k.saddr, p.saddr, alen);
  std::memcpy(k.daddr, p.daddr, alen);
  return k;
}

size_t FragTable::slot_of(const Key& k) const {
  // Keyed, so that nobody on the LAN can aim many datagrams at one slot.
  uint64_t h = 1469598103934665603ull ^ seed_;
  const auto* b = reinterpret_cast<const uint8_t*>(&k);
  for (size_t i = 0; i < sizeof k; ++i) h = (h ^ b[i]) * 1099511628211ull;
  h ^= h >> 29;
  return size_t(h % kSlots);
}

void FragTable::remember(const ParsedFrame& p, uint32_t real_id, uint64_t now) {
  Key k = key_of(p);
  size_t i = slot_of(k);
  std::lock_guard<std::mutex> g(stripes_[i % kStripes]);
  entries_[i].key = k;
  entries_[i].real_id = real_id;
  entries_[i].expires_ms = now + (p.family == 4 ? kIpv4FragMs : kIpv6FragMs);
}

uint32_t FragTable::lookup(const ParsedFrame& p, uint64_t now) const {
  Key k = key_of(p);
  size_t i = slot_of(k);
  std::lock_guard<std::mutex> g(stripes_[i % kStripes]);
  const Entry& e = entries_[i];
  if (e.expires_ms <= now || std::memcmp(&e.key, &k, sizeof k) != 0) return 0;
  return e.real_id;
}

}  // namespace pivs
