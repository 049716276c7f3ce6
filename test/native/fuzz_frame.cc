// libFuzzer target: the per-frame path. One dataplane with the synthetic table of fixture.h lives
// across inputs, so connections, templates and expiries accumulate as on a director. An input is
// [flags][seconds][frame] (FuzzFrameFlags in fixture.h); the frame is copied into a buffer of
// exactly its size, so AddressSanitizer catches any read past its end.
// Checks beyond the sanitizers': a forwarded frame goes to a real server's MAC from the
// director's, the table stays within capacity, what the sync queue produces decodes, and the real
// servers' connection counts are those of the table's entries.
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "fixture.h"

using namespace pivs_test;
using pivs::Dataplane;

namespace {

Dataplane* g_dp = nullptr;
pivs::WorkerSlot* g_worker = nullptr;
uint64_t g_now = 1000000;
uint64_t g_inputs = 0;

void check(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "fuzz_frame: %s\n", what);
  std::abort();
}

void drain_queues(Dataplane& dp) {
  dp.control().drain();
  dp.sync().flush();
  for (const auto& m : dp.sync().drain()) {
    std::vector<pivs::SyncRecord> records;
    std::string err;
    check(pivs::decode_sync_message(m.data(), m.size(), kSyncId, &records, &err),
          "a message of the sync queue does not decode");
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  g_dp = new Dataplane(1024, 251);
  setup(*g_dp, g_now);
  g_worker = g_dp->attach_worker();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  Dataplane& dp = *g_dp;
  const uint8_t flags = data[0];
  g_now += uint64_t(data[1]) * 1000 + 1;
  const size_t len = size - 2;
  std::unique_ptr<uint8_t[]> frame(new uint8_t[len]);
  std::memcpy(frame.get(), data + 2, len);
  const bool csum = flags & FUZZ_CSUM_NOT_READY;

  for (int pass = 0; pass < ((flags & FUZZ_TWICE) ? 2 : 1); ++pass) {
    Dataplane::Verdict v =
        dp.process(*g_worker, frame.get(), uint32_t(len), g_now, csum, *dp.snapshot());
    if (v == Dataplane::V_FORWARD) {
      check(len >= 14, "forwarded a frame shorter than an Ethernet header");
      check(is_real_mac(get_mac(&frame[0])), "forwarded to a MAC that is no real server's");
      check(get_mac(&frame[6]) == kDirectorMac, "forwarded from a MAC that is not the director's");
    }
  }
  check(dp.table().count() <= dp.table().capacity(), "the table is over capacity");

  if (flags & FUZZ_SWEEP) dp.sweep(g_now, 0, dp.table().slots());
  if (++g_inputs % 64 == 0) {
    dp.sweep(g_now, 0, dp.table().slots());
    dp.maintain_table();
    drain_queues(dp);
    std::string why = census_mismatch(dp);
    if (!why.empty()) {
      std::fprintf(stderr, "fuzz_frame: counts differ from the table: %s\n", why.c_str());
      std::abort();
    }
  }
  return 0;
}
