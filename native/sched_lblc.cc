// lblc and lblcr: locality-based least connection. A table keyed by the flow's destination
// address remembers which real server (lblc) or set of servers (lblcr) serves it, so requests
// for one destination keep hitting the same cache server; a new server is chosen (wlc-like)
// only when the remembered one is unusable or overloaded. Entries idle longer than the
// expiration are forgotten, as IPVS's periodic check does, driven here by FlowInfo.now_ms.
#include <algorithm>
#include <mutex>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "sched_common.h"

namespace pivs {
namespace {

constexpr int64_t kCheckIntervalMs = 60 * 1000;
constexpr int64_t kEntryTimeoutMs = 6 * 60 * 1000;          // when the table is over-full
constexpr int64_t kExpirationMs = 24 * 60 * 60 * 1000LL;    // IPVS lblc(r)_expiration default
constexpr size_t kMaxEntries = 1024 * 16;

struct AddrHash {
  size_t operator()(const Addr& a) const {
    return size_t((uint64_t(addr_fold(a)) << 8 | a.family) * 0x9E3779B97F4A7C15ull);
  }
};

int64_t idle_ms(uint64_t now, uint64_t since) { return int64_t(now - since); }

int index_of(const RealList& reals, const Real* real) {
  for (size_t i = 0; i < reals.size(); ++i) {
    if (reals[i].get() == real) return int(i);
  }
  return -1;
}

// Least overhead per weight over every usable real server (IPVS's __ip_vs_lblc_schedule: wlc's rule).
int least_loaded(const RealList& reals) { return least_weighted(reals, conn_overhead, false); }

// IPVS's locality overload test: the server has more active connections than its weight while
// some other server is under half its own. Only usable servers count as "some other": spare
// capacity on a server that cannot take the flow is no reason to move the destination.
bool locality_overloaded(const RealList& reals, const Real& real) {
  if (active_of(real) <= weight_of(real)) return false;
  for (const auto& r : reals) {
    if (eligible(*r) && int64_t(active_of(*r)) * 2 < weight_of(*r)) return true;
  }
  return false;
}

std::unordered_set<const Real*> identities(const RealList& reals) {
  std::unordered_set<const Real*> ids;
  for (const auto& r : reals) ids.insert(r.get());
  return ids;
}

template <typename Entry>
class LocalityTable {
 protected:
  // Drops entries idle past the expiration; when the table is over-full, also those idle past
  // the shorter entry timeout. Runs at most once per check interval.
  void expire(uint64_t now) {
    if (swept_ && idle_ms(now, last_sweep_) < kCheckIntervalMs) return;
    swept_ = true;
    last_sweep_ = now;
    const int64_t limit = entries_.size() > kMaxEntries ? kEntryTimeoutMs : kExpirationMs;
    erase_if([&](const Entry& e) { return idle_ms(now, e.lastuse) > limit; });
  }

  // Removes every entry `drop` says to (drop may also trim the entry it keeps).
  template <typename Drop>
  void erase_if(Drop drop) {
    for (auto it = entries_.begin(); it != entries_.end();) {
      if (drop(it->second)) {
        it = entries_.erase(it);
      } else {
        ++it;
      }
    }
  }

  std::mutex mu_;
  std::unordered_map<Addr, Entry, AddrHash> entries_;
  bool swept_ = false;
  uint64_t last_sweep_ = 0;
};

struct LblcEntry {
  const Real* real;  // identity only; entries naming a removed server are purged by update()
  uint64_t lastuse;
};

class Lblc final : public Scheduler, private LocalityTable<LblcEntry> {
 public:
  void update(const RealList& reals) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto ids = identities(reals);
    erase_if([&](const LblcEntry& e) { return ids.count(e.real) == 0; });
  }

  int pick(const RealList& reals, const FlowInfo& flow) override {
    std::lock_guard<std::mutex> lock(mu_);
    expire(flow.now_ms);
    auto it = entries_.find(flow.vaddr);
    if (it != entries_.end()) {
      it->second.lastuse = flow.now_ms;
      int idx = index_of(reals, it->second.real);
      if (idx >= 0 && eligible(*reals[idx]) && !locality_overloaded(reals, *reals[idx])) {
        return idx;
      }
    }
    int idx = least_loaded(reals);
    if (idx < 0) return -1;
    entries_[flow.vaddr] = LblcEntry{reals[idx].get(), flow.now_ms};
    return idx;
  }
};

struct LblcrEntry {
  std::vector<const Real*> set;  // identities only; purged by update()
  uint64_t lastmod;              // last time the set grew
  uint64_t lastuse;
};

class Lblcr final : public Scheduler, private LocalityTable<LblcrEntry> {
 public:
  void update(const RealList& reals) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto ids = identities(reals);
    erase_if([&](LblcrEntry& e) {
      e.set.erase(std::remove_if(e.set.begin(), e.set.end(),
                                 [&](const Real* r) { return ids.count(r) == 0; }),
                  e.set.end());
      return e.set.empty();
    });
  }

  int pick(const RealList& reals, const FlowInfo& flow) override {
    std::lock_guard<std::mutex> lock(mu_);
    expire(flow.now_ms);
    auto it = entries_.find(flow.vaddr);
    if (it == entries_.end()) {
      int idx = least_loaded(reals);
      if (idx < 0) return -1;
      entries_[flow.vaddr] = LblcrEntry{{reals[idx].get()}, flow.now_ms, flow.now_ms};
      return idx;
    }
    LblcrEntry& en = it->second;
    en.lastuse = flow.now_ms;
    int idx = set_min(reals, en);
    // A set that has not needed to grow for a whole expiration period sheds its most loaded
    // member, so it shrinks back once the load on this destination is gone.
    if (en.set.size() > 1 && idle_ms(flow.now_ms, en.lastmod) > kExpirationMs) {
      int most = set_max(reals, en);
      if (most >= 0) {
        en.set.erase(std::find(en.set.begin(), en.set.end(), reals[most].get()));
      }
    }
    if (idx >= 0 && !locality_overloaded(reals, *reals[idx])) return idx;
    idx = least_loaded(reals);
    if (idx < 0) return -1;
    if (std::find(en.set.begin(), en.set.end(), reals[idx].get()) == en.set.end()) {
      en.set.push_back(reals[idx].get());
      en.lastmod = flow.now_ms;
    }
    return idx;
  }

 private:
  // Least loaded usable member of the set.
  static int set_min(const RealList& reals, const LblcrEntry& en) {
    int least = -1;
    int64_t loh = 0, lw = 0;
    for (const Real* member : en.set) {
      int i = index_of(reals, member);
      if (i < 0 || !eligible(*reals[i])) continue;
      int64_t doh = conn_overhead(*reals[i]), dw = weight_of(*reals[i]);
      if (least < 0 || loh * dw > doh * lw) {
        least = i;
        loh = doh;
        lw = dw;
      }
    }
    return least;
  }

  // Most loaded member; a quiescent (weight 0) member counts as the most loaded of all, as in
  // IPVS, so it is the first to leave. None when no member has a positive weight.
  static int set_max(const RealList& reals, const LblcrEntry& en) {
    int most = -1;
    int64_t moh = 0, mw = 0;
    for (const Real* member : en.set) {
      int i = index_of(reals, member);
      if (i < 0) continue;
      int64_t doh = conn_overhead(*reals[i]), dw = weight_of(*reals[i]);
      if (most < 0) {
        if (dw > 0) {
          most = i;
          moh = doh;
          mw = dw;
        }
        continue;
      }
      if (doh * mw > moh * dw || dw <= 0) {
        most = i;
        moh = doh;
        mw = dw;
      }
    }
    return most;
  }
};

}  // namespace

std::unique_ptr<Scheduler> make_lblc() { return std::make_unique<Lblc>(); }
std::unique_ptr<Scheduler> make_lblcr() { return std::make_unique<Lblcr>(); }

}  // namespace pivs
