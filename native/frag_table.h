// Which real server the fragments of a datagram go to. Only a datagram's first fragment carries
// its ports, so the real server picked for it is remembered by (family, protocol, source,
// destination, identification) for the later ones, as long as IPv4 reassembly would wait
// (ipfrag_time, 30 s; IPv6 60 s). Fixed size: a newer datagram takes the slot of an older one,
// so a flood of fragments costs nothing but the flood's own later fragments.
#pragma once

#include <cstdint>
#include <mutex>

#include "parse.h"

namespace pivs {

class FragTable {
 public:
  static constexpr size_t kSlots = 4096;
  FragTable();
  // Called for a forwarded first fragment.
  void remember(const ParsedFrame& p, uint32_t real_id, uint64_t now_ms);
  // The real server of a later fragment's datagram, or 0.
  uint32_t lookup(const ParsedFrame& p, uint64_t now_ms) const;

 private:
  struct Key {
    uint8_t family, proto;
    uint32_t id;
    uint8_t saddr[16], daddr[16];
  };
  struct Entry {
    Key key{};
    uint32_t real_id = 0;
    uint64_t expires_ms = 0;
  };
  static constexpr size_t kStripes = 64;
  static Key key_of(const ParsedFrame& p);
  size_t slot_of(const Key& k) const;

  Entry entries_[kSlots];
  mutable std::mutex stripes_[kStripes];
  uint32_t seed_;
};

}  // namespace pivs
