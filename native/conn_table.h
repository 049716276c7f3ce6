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
//    slot are turned back into empty slots, a range at a time, with no insert in flight. No key
//    lives more than kMaxProbe slots from its home, so churn cannot make probes long.
//
//  - Readers copy a slot while a writer may be changing it, so every field a reader loads (the
//    slot's, its IPv6 addresses', its packet count's) is a relaxed atomic (Relaxed<T> of
//    relaxed.h) and the sequence word orders them: acquire load, relaxed copies, acquire fence,
//    relaxed re-load on the reader's side; odd CAS, release fence, relaxed stores, release store
//    on the writer's.
//    That is the seqlock of Boehm, "Can seqlocks get along with programming language memory
//    models?" (MSPC 2012): no data race in the C++ sense, and on x86 and arm64 the relaxed loads
//    and stores are the plain moves the non-atomic fields compiled to.
//
// Entry size: one 64-byte cache line per slot, aligned, with IPv4 addresses, the packet count and
// the timer wheel's word inline, so that a lookup that hits its home slot touches one line. IPv6
// entries keep their two addresses in a parallel 32-byte array that is mmap'd lazily, so it costs
// memory only where IPv6 is used.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <thread>
#include <type_traits>

#include "relaxed.h"
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
enum SlotFlags : uint8_t { SF_V6 = 1, SF_TEMPLATE = 2, SF_INACTIVE = 4, SF_EMBRYONIC = 8 };

struct alignas(64) Slot {
  std::atomic<uint32_t> seq;  // odd while a writer holds the slot
  Relaxed<uint8_t> life;
  Relaxed<uint8_t> proto;
  Relaxed<uint8_t> flags;
  Relaxed<uint8_t> state;     // ConnState
  Relaxed<uint16_t> cport, vport;
  Relaxed<uint32_t> caddr, vaddr;  // IPv4, or a fold of the IPv6 addresses (the full ones: v6_)
  Relaxed<uint32_t> real_id;
  Relaxed<uint32_t> timeout_s;
  Relaxed<uint32_t> aux;      // connection: template slot + 1 (0 none); template: controlled conns
  Relaxed<uint64_t> expires_ms;
  Relaxed<uint32_t> pkts;     // packets seen (IPVS's in_pkts, for the sync rule)
  // The timer wheel's word for this slot (TimerWheel), here rather than in an array of its own so
  // that filing a new entry misses no other line. The table never reads or writes it.
  std::atomic<uint32_t> wheel;
};
static_assert(sizeof(Slot) == 64, "a conn table slot is one cache line");
static_assert(std::is_trivially_default_constructible<Slot>::value,
              "slots are zeroed mmap'd memory, never constructed");

struct V6Addrs {
  uint8_t c[16], v[16];
};

// The table's copy of an entry's IPv6 addresses: the bytes of V6Addrs as four relaxed words.
struct V6Words {
  Relaxed<uint64_t> w[4];
};
static_assert(sizeof(V6Words) == sizeof(V6Addrs), "IPv6 side array must stay compact");

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

  // Keyed with the table's random seed, so nobody on the LAN can choose keys that collide.
  uint32_t hash(const ConnKey& k) const;
  // The first slot a key with hash h probes.
  size_t home_of(uint32_t h) const { return home(h); }

  // Lock-free lookup; fills *view when found. Returns the slot index or -1.
  int64_t find(const ConnKey& k, uint32_t h, SlotView* view) const;
  // The slot holding k, returned LOCKED, or -1: the packet path's lookup, which goes on to change
  // the entry and so needs no consistent copy of it first.
  int64_t find_locked(const ConnKey& k, uint32_t h);

  // Writer access to one slot; the caller checks life/key again after locking.
  Slot& lock(size_t idx);
  void unlock(size_t idx);
  Slot& at(size_t idx) { return slots_[idx]; }
  bool matches(size_t idx, const ConnKey& k) const;  // call with the slot locked
  void key_of(size_t idx, ConnKey* k) const;         // call with the slot locked or from a view
  void key_of_view(const SlotView& v, ConnKey* k) const;
  void view_locked(size_t idx, SlotView* v) const;   // call with the slot locked
  // The timer wheel's words: slot i's at wheel_words() + i * kWheelStride bytes.
  std::atomic<uint32_t>* wheel_words() { return &slots_[0].wheel; }
  static constexpr size_t kWheelStride = sizeof(Slot);
  // Where slot idx is, so that a caller can have it on its way while it does something else.
  void prefetch(uint32_t h) const { __builtin_prefetch(&slots_[home(h)]); }

  // Finds k or claims a free slot for it. On success the slot is returned LOCKED in *idx; *created
  // says whether it is new (key written, life FULL, other fields zero). -1: table full.
  int insert_locked(const ConnKey& k, uint32_t h, size_t* idx, bool* created);

  // With the slot locked and FULL: mark it removed.
  void remove_locked(size_t idx);

  // Consistent copy of any slot (for sweeps and listings).
  void read(size_t idx, SlotView* view) const;

  // Turns tombstones in [begin, end) that are followed by an empty slot back into empty slots,
  // from the end backwards, so a run ending there becomes empty in one pass. Inserts wait
  // meanwhile (one of them may have chosen a slot past a tombstone it saw full).
  void compact(size_t begin, size_t end);
  void compact() { compact(0, nslots_); }
  size_t tombstones() const { return tombs_.load(std::memory_order_relaxed); }

  // A key lives at most this many slots from its home, so that no lookup, insert or eviction
  // looks further, however many tombstones churn leaves behind.
  static constexpr size_t kMaxProbe = 128;

 private:
  static constexpr size_t kStripes = 1024;
  size_t home(uint32_t h) const { return size_t((uint64_t(h) * nslots_) >> 32); }
  void write_key(size_t idx, const ConnKey& k);
  bool view_matches(const SlotView& v, const ConnKey& k) const;

  size_t capacity_;
  size_t nslots_;
  Slot* slots_ = nullptr;
  V6Words* v6_ = nullptr;
  size_t map_bytes_ = 0, v6_bytes_ = 0;
  std::atomic<size_t> count_{0};
  std::atomic<size_t> tombs_{0};
  uint64_t seed_[7];
  std::mutex stripes_[kStripes];
  // Inserts pass through it in parallel; compact() closes it, waits for those inside, and keeps
  // new ones out until it is done. Unlike a reader-preferring rwlock, a flood of inserts cannot
  // starve the compaction (Dekker-style: both sides store, then load, sequentially consistent).
  class Gate {
   public:
    void enter() {
      for (;;) {
        while (closed_.load()) std::this_thread::yield();
        inside_.fetch_add(1);
        if (!closed_.load()) return;
        inside_.fetch_sub(1);
      }
    }
    void leave() { inside_.fetch_sub(1); }
    void close() {
      closed_.store(true);
      while (inside_.load() != 0) std::this_thread::yield();
    }
    void open() { closed_.store(false); }

   private:
    std::atomic<bool> closed_{false};
    std::atomic<int> inside_{0};
  };
  Gate compact_gate_;
  std::mutex compact_mu_;  // one compaction at a time
};

}  // namespace pivs
