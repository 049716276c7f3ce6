// A snapshot's virtual services by <proto, family, address, port>, for the per-packet match: open
// addressing at most half full, built once per snapshot and only read after, so that a lookup is
// a multiply over three words and, mostly, one compare (an std::unordered_map costs a byte-wise
// hash, a division and a node to chase).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace pivs {

struct Service;

class ServiceIndex {
 public:
  // Control side, before the snapshot is published. A key added twice keeps the last service.
  void add(uint8_t proto, uint8_t family, const uint8_t* addr, uint16_t port, const Service* svc);
  const Service* find(uint8_t proto, uint8_t family, const uint8_t* addr, uint16_t port) const;
  bool empty() const { return count_ == 0; }

 private:
  struct Key {
    uint64_t a, b, c;  // proto, family, port and the address's first 4 bytes; its other 12
    bool operator==(const Key& o) const { return a == o.a && b == o.b && c == o.c; }
  };
  struct Entry {
    Key key;
    const Service* svc;  // nullptr: free
  };
  static Key key_of(uint8_t proto, uint8_t family, const uint8_t* addr, uint16_t port);
  size_t home(const Key& k) const;
  void put(const Key& k, const Service* svc);

  std::vector<Entry> entries_;
  size_t count_ = 0;
  unsigned shift_ = 64;
};

}  // namespace pivs
