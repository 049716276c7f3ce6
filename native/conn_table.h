// The connection table: fixed-size open addressing (linear probing) keyed by the 5-tuple.
//
// Concurrency (lock-free reads, per-slot seqlock, striped insert locks):
//  - Every slot has a sequence word. Readers copy a slot and retry if the word was odd or changed,
//    so lookups never block. Writers (state change, refresh, expiry) take the slot by CAS-ing the
//    word from even to odd and release it with +1.
//  - Inserts of one key are serialised by a stripe lock chosen by the key's hash, so two workers
//    (PACKET_FANOUT, or two flows creating the same persistence template) never insert one key
//    twice. The free slot itself is claimed under its slot lock.
//  - Removal leaves a tombstone, so entries never move and a slot index stays valid while its
//    entry lives (connections point at their template by index). Tombstones followed by an empty
//    slot are turned back into empty slots with every stripe lock held (no insert in flight).
//
// Entry size: 40 bytes per slot with IPv4 addresses inline. IPv6 entries keep their two addresses
// in a parallel 32-byte array that is mmap'd lazily, so it costs memory only where IPv6 is used.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>

#include "tables.h"

namespace pivs {

struct ConnKey {
  uint8_t family = 4;
  uint8_t proto = 0;
  bool is_template = false;
  uint16_t cport = 0, vport = 0;
  uint8_t caddr[16] = {};
  uint8_t vaddr[16] = {};
};

enum SlotLife : uint8_t { SLOT_EMPTY = 0, SLOT_FULL = 1, SLOT_TOMB = 2 };
enum SlotFlags : uint8_t { SF_V6 = 1, SF_TEMPLATE = 2, SF_INACTIVE = 4 };

struct Slot {
  std::atomic<uint32_t> seq;  // odd while a writer holds the slot
  uint8_t life;
  uint8_t proto;
  uint8_t flags;
  uint8_t state;              // ConnState
  uint16_t cport, vport;
  uint32_t caddr, vaddr;      // IPv4, or a fold of the IPv6 addresses (the full ones are in v6_)
  uint32_t real_id;
  uint32_t timeout_s;
  uint32_t aux;               // connection: template slot + 1 (0 none); template: controlled conns
  uint64_t expires_ms;
};
static_assert(sizeof(Slot) == 40, "conn table slot must stay compact");

struct V6Addrs {
  uint8_t c[16], v[16];
};

// Plain copy of a slot's fields, as read consistently by a reader.
struct SlotView {
  uint8_t life, proto, flags, state;
  uint16_t cport, vport;
  uint32_t caddr, vaddr, real_id, timeout_s, aux;
  uint64_t expires_ms;
  V6Addrs v6;
};

class ConnTable {
 public:
  explicit ConnTable(size_t capacity);
  ~ConnTable();
  ConnTable(const ConnTable&) = delete;
  ConnTable& operator=(const ConnTable&) = delete;

  size_t capacity() const { return capacity_; }
  size_t slots() const { return nslots_; }
  size_t count() const { return count_.load(std::memory_order_relaxed); }

  static uint32_t hash(const ConnKey& k);

  // Lock-free lookup; fills *view when found. Returns the slot index or -1.
  int64_t find(const ConnKey& k, uint32_t h, SlotView* view) const;

  // Writer access to one slot; the caller checks life/key again after locking.
  Slot& lock(size_t idx);
  void unlock(size_t idx);
  Slot& at(size_t idx) { return slots_[idx]; }
  bool matches(size_t idx, const ConnKey& k) const;  // call with the slot locked
  void key_of(size_t idx, ConnKey* k) const;         // call with the slot locked or from a view
  void key_of_view(const SlotView& v, ConnKey* k) const;
  void view_locked(size_t idx, SlotView* v) const;   // call with the slot locked
  // Packets seen for the entry in slot idx (IPVS's in_pkts, for the sync rule); slot locked.
  uint32_t& pkts(size_t idx) { return pkts_[idx]; }

  // Finds k or claims a free slot for it. On success the slot is returned LOCKED in *idx; *created
  // says whether it is new (key written, life FULL, other fields zero). -1: table full.
  int insert_locked(const ConnKey& k, uint32_t h, size_t* idx, bool* created);

  // With the slot locked and FULL: mark it removed.
  void remove_locked(size_t idx);

  // Consistent copy of any slot (for sweeps and listings).
  void read(size_t idx, SlotView* view) const;

  // Turn tombstone runs that end in an empty slot back into empty slots.
  void compact();
  size_t tombstones() const { return tombs_.load(std::memory_order_relaxed); }

 private:
  static constexpr size_t kStripes = 1024;
  size_t home(uint32_t h) const { return size_t((uint64_t(h) * nslots_) >> 32); }
  void write_key(size_t idx, const ConnKey& k);
  bool view_matches(const SlotView& v, const ConnKey& k) const;

  size_t capacity_;
  size_t nslots_;
  Slot* slots_ = nullptr;
  V6Addrs* v6_ = nullptr;
  uint32_t* pkts_ = nullptr;
  size_t map_bytes_ = 0, v6_bytes_ = 0, pkts_bytes_ = 0;
  std::atomic<size_t> count_{0};
  std::atomic<size_t> tombs_{0};
  uint32_t seed_;
  std::mutex stripes_[kStripes];
};

}  // namespace pivs
