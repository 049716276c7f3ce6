// sh and dh: a 256-bucket table maps a hash of the client (sh) or destination (dh) address to a
// real server, so the same key keeps reaching the same server while the list is unchanged.
#include <array>

#include "sched_common.h"

namespace pivs {
namespace {

constexpr unsigned kTabBits = 8;
constexpr uint32_t kTabSize = 1u << kTabBits;
constexpr uint32_t kTabMask = kTabSize - 1;

using Buckets = std::array<int32_t, kTabSize>;

// sh: weighted; a real server fills `weight` consecutive buckets before the next one starts
// (one bucket if its weight is 0, which then never takes a flow), wrapping over the list.
class SourceHash final : public Scheduler {
 public:
  SourceHash(bool fallback, bool use_port) : fallback_(fallback), use_port_(use_port) {
    buckets_.fill(-1);
  }

  void update(const RealList& reals) override {
    buckets_.fill(-1);
    if (reals.empty()) return;
    size_t p = 0;
    int32_t count = 0;
    for (uint32_t i = 0; i < kTabSize; ++i) {
      buckets_[i] = int32_t(p);
      if (++count >= weight_of(*reals[p])) {
        p = (p + 1) % reals.size();
        count = 0;
      }
    }
  }

  int pick(const RealList& reals, const FlowInfo& flow) override {
    const uint32_t key = (use_port_ ? flow.client_port : 0) + addr_fold(flow.client);
    const uint32_t ihash = hash_32(key, kTabBits);
    int idx = at(reals, ihash);
    if (idx < 0) return -1;
    if (eligible(*reals[idx])) return idx;
    if (!fallback_) return -1;
    // sh-fallback: walk the table from the client's bucket to the next usable real server, in
    // the order IPVS walks it, so every director with the same list falls back alike.
    for (uint32_t offset = 0; offset < kTabSize; ++offset) {
      uint32_t roffset = (offset + ihash) & kTabMask;
      idx = at(reals, (roffset + ihash) & kTabMask);
      if (idx < 0) return -1;
      if (eligible(*reals[idx])) return idx;
    }
    return -1;
  }

 private:
  int at(const RealList& reals, uint32_t bucket) const {
    int32_t idx = buckets_[bucket];
    return idx >= 0 && size_t(idx) < reals.size() ? idx : -1;
  }

  bool fallback_, use_port_;
  Buckets buckets_{};
};

// dh: unweighted; buckets are dealt to the real servers in turn. No fallback, as in IPVS: a
// destination whose server is unusable gets no server.
class DestinationHash final : public Scheduler {
 public:
  DestinationHash() { buckets_.fill(-1); }

  void update(const RealList& reals) override {
    buckets_.fill(-1);
    if (reals.empty()) return;
    for (uint32_t i = 0; i < kTabSize; ++i) buckets_[i] = int32_t(i % reals.size());
  }

  int pick(const RealList& reals, const FlowInfo& flow) override {
    int32_t idx = buckets_[hash_32(addr_fold(flow.vaddr), kTabBits)];
    if (idx < 0 || size_t(idx) >= reals.size() || !eligible(*reals[idx])) return -1;
    return idx;
  }

 private:
  Buckets buckets_{};
};

}  // namespace

std::unique_ptr<Scheduler> make_sh(bool fallback, bool use_port) {
  return std::make_unique<SourceHash>(fallback, use_port);
}
std::unique_ptr<Scheduler> make_dh() { return std::make_unique<DestinationHash>(); }

}  // namespace pivs
