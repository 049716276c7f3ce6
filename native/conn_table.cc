#include "conn_table.h"

#include <algorithm>
#include <random>
#include <stdexcept>

#include "cpu_relax.h"
#include "zero_pages.h"

namespace pivs {

namespace {

inline uint32_t load32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

inline uint64_t load64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

// wyhash's mum: the 128-bit product of two words, its halves folded together. Multiplications
// that do not wait for each other, where a chain of 32-bit rounds made every step wait for the
// one before.
inline uint64_t mum(uint64_t a, uint64_t b) {
  unsigned __int128 r = (unsigned __int128)a * b;
  return uint64_t(r) ^ uint64_t(r >> 64);
}

inline uint32_t fold16(const uint8_t* a) {
  return load32(a) ^ load32(a + 4) ^ load32(a + 8) ^ load32(a + 12);
}

// IPv6 addresses in and out of the side array, a relaxed word at a time.
inline void load_v6(const V6Words& from, V6Addrs* to) {
  uint64_t w[4];
  for (int i = 0; i < 4; ++i) w[i] = from.w[i].load();
  std::memcpy(to, w, sizeof w);
}

inline void store_v6(V6Words& to, const uint8_t* c, const uint8_t* v) {
  uint64_t w[4];
  std::memcpy(&w[0], c, 16);
  std::memcpy(&w[2], v, 16);
  for (int i = 0; i < 4; ++i) to.w[i].store(w[i]);
}

}  // namespace

ConnTable::ConnTable(size_t capacity) : capacity_(capacity) {
  // At most 3/4 full, so linear probes stay short.
  nslots_ = capacity + capacity / 3 + 64;
  map_bytes_ = nslots_ * sizeof(Slot);
  v6_bytes_ = nslots_ * sizeof(V6Words);
  slots_ = static_cast<Slot*>(map_zeroed(map_bytes_));
  v6_ = static_cast<V6Words*>(map_zeroed(v6_bytes_));
  std::random_device rd;
  for (uint64_t& s : seed_) s = uint64_t(rd()) << 32 | rd();
}

ConnTable::~ConnTable() {
  unmap_zeroed(slots_, map_bytes_);
  unmap_zeroed(v6_, v6_bytes_);
}

uint32_t ConnTable::hash(const ConnKey& k) const {
  // As wyhash does for a short key: the key in two words, each under a secret, mixed, and the mix
  // mixed again under a third, so that whoever chooses the keys cannot know where they land.
  uint64_t meta = uint64_t(k.cport) << 48 | uint64_t(k.vport) << 32 |
                  uint64_t(k.is_template ? 1 : 0) << 16 | uint64_t(k.proto) << 8 | k.family;
  uint64_t addrs;
  if (k.family == 4) {
    addrs = uint64_t(load32(k.caddr)) << 32 | load32(k.vaddr);
  } else {
    addrs = mum(load64(k.caddr) ^ seed_[3], load64(k.caddr + 8) ^ seed_[4]) ^
            mum(load64(k.vaddr) ^ seed_[5], load64(k.vaddr + 8) ^ seed_[6]);
  }
  uint64_t h = mum(mum(addrs ^ seed_[0], meta ^ seed_[1]) ^ seed_[2], 0x9e3779b97f4a7c15ull);
  return uint32_t(h ^ (h >> 32));
}

void ConnTable::read(size_t idx, SlotView* v) const {
  const Slot& s = slots_[idx];
  for (;;) {
    uint32_t s1 = s.seq.load(std::memory_order_acquire);
    if (s1 & 1) {
      cpu_relax();
      continue;
    }
    // A copy made while a writer races is thrown away by the sequence check below.
    view_locked(idx, v);
    std::atomic_thread_fence(std::memory_order_acquire);
    if (s.seq.load(std::memory_order_relaxed) == s1) return;
  }
}

bool ConnTable::view_matches(const SlotView& v, const ConnKey& k) const {
  if (v.life != SLOT_FULL || v.proto != k.proto || v.cport != k.cport || v.vport != k.vport) {
    return false;
  }
  if (bool(v.flags & SF_TEMPLATE) != k.is_template) return false;
  if (k.family == 4) {
    return !(v.flags & SF_V6) && v.caddr == load32(k.caddr) && v.vaddr == load32(k.vaddr);
  }
  return (v.flags & SF_V6) && std::memcmp(v.v6.c, k.caddr, 16) == 0 &&
         std::memcmp(v.v6.v, k.vaddr, 16) == 0;
}

int64_t ConnTable::find(const ConnKey& k, uint32_t h, SlotView* view) const {
  size_t idx = home(h);
  uint32_t want_v4c = k.family == 4 ? load32(k.caddr) : fold16(k.caddr);
  for (size_t n = 0; n < kMaxProbe && n < nslots_; ++n) {
    // Cheap unlocked pre-check on the inline words before a consistent read.
    const Slot& s = slots_[idx];
    uint8_t life = s.life;
    if (life == SLOT_EMPTY) {
      SlotView v;
      read(idx, &v);
      if (v.life == SLOT_EMPTY) return -1;
      if (view_matches(v, k)) {
        *view = v;
        return int64_t(idx);
      }
    } else if (life == SLOT_FULL && s.caddr == want_v4c && s.cport == k.cport) {
      read(idx, view);
      if (view_matches(*view, k)) return int64_t(idx);
    }
    if (++idx == nslots_) idx = 0;
  }
  return -1;
}

int64_t ConnTable::find_locked(const ConnKey& k, uint32_t h) {
  size_t idx = home(h);
  uint32_t want_v4c = k.family == 4 ? load32(k.caddr) : fold16(k.caddr);
  for (size_t n = 0; n < kMaxProbe && n < nslots_; ++n) {
    const Slot& s = slots_[idx];
    uint8_t life = s.life;
    bool maybe = life == SLOT_FULL && s.caddr == want_v4c && s.cport == k.cport;
    if (life == SLOT_EMPTY) {
      // As find(): an empty look is made sure of, past a writer that may be filling the slot.
      SlotView v;
      read(idx, &v);
      if (v.life == SLOT_EMPTY) return -1;
      maybe = view_matches(v, k);
    }
    if (maybe) {
      lock(idx);
      if (s.life == SLOT_FULL && matches(idx, k)) return int64_t(idx);
      unlock(idx);
    }
    if (++idx == nslots_) idx = 0;
  }
  return -1;
}

Slot& ConnTable::lock(size_t idx) {
  Slot& s = slots_[idx];
  for (;;) {
    uint32_t v = s.seq.load(std::memory_order_relaxed);
    if (!(v & 1) && s.seq.compare_exchange_weak(v, v + 1, std::memory_order_acquire)) break;
    cpu_relax();
  }
  std::atomic_thread_fence(std::memory_order_release);
  return s;
}

void ConnTable::unlock(size_t idx) {
  Slot& s = slots_[idx];
  s.seq.store(s.seq.load(std::memory_order_relaxed) + 1, std::memory_order_release);
}

bool ConnTable::matches(size_t idx, const ConnKey& k) const {
  SlotView v;
  const Slot& s = slots_[idx];
  v.life = s.life;
  v.proto = s.proto;
  v.flags = s.flags;
  v.cport = s.cport;
  v.vport = s.vport;
  v.caddr = s.caddr;
  v.vaddr = s.vaddr;
  if (v.flags & SF_V6) load_v6(v6_[idx], &v.v6);
  return view_matches(v, k);
}

void ConnTable::key_of_view(const SlotView& v, ConnKey* k) const {
  k->proto = v.proto;
  k->cport = v.cport;
  k->vport = v.vport;
  k->is_template = v.flags & SF_TEMPLATE;
  std::memset(k->caddr, 0, 16);
  std::memset(k->vaddr, 0, 16);
  if (v.flags & SF_V6) {
    k->family = 6;
    std::memcpy(k->caddr, v.v6.c, 16);
    std::memcpy(k->vaddr, v.v6.v, 16);
  } else {
    k->family = 4;
    std::memcpy(k->caddr, &v.caddr, 4);
    std::memcpy(k->vaddr, &v.vaddr, 4);
  }
}

void ConnTable::view_locked(size_t idx, SlotView* v) const {
  const Slot& s = slots_[idx];
  v->life = s.life;
  v->proto = s.proto;
  v->flags = s.flags;
  v->state = s.state;
  v->cport = s.cport;
  v->vport = s.vport;
  v->caddr = s.caddr;
  v->vaddr = s.vaddr;
  v->real_id = s.real_id;
  v->timeout_s = s.timeout_s;
  v->aux = s.aux;
  v->expires_ms = s.expires_ms;
  if (v->flags & SF_V6) load_v6(v6_[idx], &v->v6);
}

void ConnTable::key_of(size_t idx, ConnKey* k) const {
  SlotView v;
  read(idx, &v);
  key_of_view(v, k);
}

void ConnTable::write_key(size_t idx, const ConnKey& k) {
  Slot& s = slots_[idx];
  s.proto = k.proto;
  s.cport = k.cport;
  s.vport = k.vport;
  s.flags = uint8_t((k.family == 6 ? SF_V6 : 0) | (k.is_template ? SF_TEMPLATE : 0));
  if (k.family == 4) {
    s.caddr = load32(k.caddr);
    s.vaddr = load32(k.vaddr);
  } else {
    store_v6(v6_[idx], k.caddr, k.vaddr);
    s.caddr = fold16(k.caddr);
    s.vaddr = fold16(k.vaddr);
  }
  s.state = 0;
  s.real_id = 0;
  s.timeout_s = 0;
  s.aux = 0;
  s.expires_ms = 0;
  s.pkts = 0;
}

int ConnTable::insert_locked(const ConnKey& k, uint32_t h, size_t* out, bool* created) {
  compact_gate_.enter();
  struct Leave {
    Gate& g;
    ~Leave() { g.leave(); }
  } leave{compact_gate_};
  std::lock_guard<std::mutex> stripe(stripes_[h & (kStripes - 1)]);
  for (;;) {
    size_t idx = home(h);
    int64_t free_idx = -1;
    uint32_t want_v4c = k.family == 4 ? load32(k.caddr) : fold16(k.caddr);
    for (size_t n = 0; n < kMaxProbe && n < nslots_; ++n) {
      // As find(): a consistent read only where the unlocked peek says the key may be.
      const Slot& peek = slots_[idx];
      uint8_t life = peek.life;
      // The port too: a flood from few addresses shares them.
      if (life == SLOT_FULL && (peek.caddr != want_v4c || peek.cport != k.cport)) {
        if (++idx == nslots_) idx = 0;
        continue;
      }
      SlotView v;
      read(idx, &v);
      if (v.life == SLOT_FULL) {
        if (view_matches(v, k)) {
          lock(idx);
          if (matches(idx, k)) {
            *out = idx;
            *created = false;
            return 0;
          }
          unlock(idx);
          break;  // removed meanwhile: probe again
        }
      } else {
        if (free_idx < 0) free_idx = int64_t(idx);
        if (v.life == SLOT_EMPTY) break;
      }
      if (++idx == nslots_) idx = 0;
    }
    if (free_idx < 0) return -1;
    // Take the place in the count first: inserts under other stripes run concurrently, and a
    // check followed by an increment would let each of them take the last place.
    size_t n = count_.load(std::memory_order_relaxed);
    do {
      if (n >= capacity_) return -1;
    } while (!count_.compare_exchange_weak(n, n + 1, std::memory_order_relaxed));
    Slot& s = lock(size_t(free_idx));
    if (s.life == SLOT_FULL) {  // another key's insert won this slot
      unlock(size_t(free_idx));
      count_.fetch_sub(1, std::memory_order_relaxed);
      continue;
    }
    if (s.life == SLOT_TOMB) tombs_.fetch_sub(1, std::memory_order_relaxed);
    write_key(size_t(free_idx), k);
    s.life = SLOT_FULL;
    *out = size_t(free_idx);
    *created = true;
    return 0;
  }
}

void ConnTable::remove_locked(size_t idx) {
  slots_[idx].life = SLOT_TOMB;
  count_.fetch_sub(1, std::memory_order_relaxed);
  tombs_.fetch_add(1, std::memory_order_relaxed);
}

void ConnTable::compact(size_t begin, size_t end) {
  end = std::min(end, nslots_);
  if (begin >= end) return;
  std::lock_guard<std::mutex> one(compact_mu_);
  compact_gate_.close();
  struct Open {
    Gate& g;
    ~Open() { g.open(); }
  } open{compact_gate_};
  bool next_empty = slots_[end % nslots_].life == SLOT_EMPTY;
  for (size_t idx = end; idx-- > begin;) {
    Slot& s = slots_[idx];
    if (s.life == SLOT_TOMB && next_empty) {
      lock(idx);
      if (s.life == SLOT_TOMB) {
        s.life = SLOT_EMPTY;
        tombs_.fetch_sub(1, std::memory_order_relaxed);
      }
      unlock(idx);
    }
    next_empty = s.life == SLOT_EMPTY;
  }
}

}  // namespace pivs
