#include "service_index.h"

#include <cstring>

namespace pivs {

ServiceIndex::Key ServiceIndex::key_of(uint8_t proto, uint8_t family, const uint8_t* addr,
                                       uint16_t port) {
  uint32_t head;
  std::memcpy(&head, addr, 4);
  Key k{uint64_t(proto) | uint64_t(family) << 8 | uint64_t(port) << 16 | uint64_t(head) << 32, 0, 0};
  if (family != 4) {
    uint32_t last;
    std::memcpy(&k.b, addr + 4, 8);
    std::memcpy(&last, addr + 12, 4);
    k.c = last;
  }
  return k;
}

size_t ServiceIndex::home(const Key& k) const {
  // Fibonacci hashing: the keys are the configuration's, the top bits of the product spread them.
  uint64_t h = (k.a ^ (k.b * 0x9e3779b97f4a7c15ull) ^ (k.c * 0xc2b2ae3d27d4eb4full)) *
               0x9e3779b97f4a7c15ull;
  return size_t(h >> shift_);
}

void ServiceIndex::put(const Key& k, const Service* svc) {
  size_t mask = entries_.size() - 1;
  for (size_t i = home(k);; i = (i + 1) & mask) {
    Entry& e = entries_[i];
    if (!e.svc || e.key == k) {
      if (!e.svc) ++count_;
      e.key = k;
      e.svc = svc;
      return;
    }
  }
}

void ServiceIndex::add(uint8_t proto, uint8_t family, const uint8_t* addr, uint16_t port,
                       const Service* svc) {
  if ((count_ + 1) * 2 > entries_.size()) {
    std::vector<Entry> old = std::move(entries_);
    size_t n = 8;
    unsigned bits = 3;
    while (n < (count_ + 1) * 2) {
      n *= 2;
      ++bits;
    }
    entries_.assign(n, Entry{{0, 0, 0}, nullptr});
    shift_ = 64 - bits;
    count_ = 0;
    for (const Entry& e : old) {
      if (e.svc) put(e.key, e.svc);
    }
  }
  put(key_of(proto, family, addr, port), svc);
}

const Service* ServiceIndex::find(uint8_t proto, uint8_t family, const uint8_t* addr,
                                  uint16_t port) const {
  if (count_ == 0) return nullptr;
  Key k = key_of(proto, family, addr, port);
  size_t mask = entries_.size() - 1;
  for (size_t i = home(k);; i = (i + 1) & mask) {
    const Entry& e = entries_[i];
    if (!e.svc) return nullptr;
    if (e.key == k) return e.svc;
  }
}

}  // namespace pivs
