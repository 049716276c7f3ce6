// libFuzzer target: IPVS sync messages from a peer. The input is one message (syncid kSyncId of
// fixture.h), copied into a buffer of exactly its size:
//  - decode_sync_message() accepts it or says why not;
//  - what it accepts re-encodes (encode_sync_record + SyncMessageBuilder) into a message that
//    decodes to the same records, and whose records re-encode to the same bytes;
//  - install_sync() into a dataplane with the synthetic table accepts exactly what decode
//    accepts, installs no more records than there are, and keeps the real servers' counts equal
//    to the table's entries; now and then the table is swept and exported, and the export must
//    decode and install again.
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "../../native/sync.h"
#include "fixture.h"

using namespace pivs_test;
using pivs::Dataplane;
using pivs::SyncRecord;

namespace {

Dataplane* g_dp = nullptr;
uint64_t g_now = 1000000;
uint64_t g_inputs = 0;

void check(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "fuzz_sync: %s\n", what);
  std::abort();
}

bool same(const SyncRecord& a, const SyncRecord& b) {
  return a.family == b.family && a.proto == b.proto && a.flags == b.flags && a.state == b.state &&
         a.cport == b.cport && a.vport == b.vport && a.dport == b.dport && a.fwmark == b.fwmark &&
         a.timeout_s == b.timeout_s && std::memcmp(a.caddr, b.caddr, 16) == 0 &&
         std::memcmp(a.vaddr, b.vaddr, 16) == 0 && std::memcmp(a.daddr, b.daddr, 16) == 0;
}

void round_trip(const std::vector<SyncRecord>& records) {
  pivs::SyncMessageBuilder builder(kSyncId, 65535);
  std::vector<std::vector<uint8_t>> encodings;
  for (const SyncRecord& r : records) {
    std::vector<uint8_t> e(pivs::sync_record_size(r.family));
    pivs::encode_sync_record(r, e.data());
    std::vector<uint8_t> sealed;
    check(!builder.add(e.data(), e.size(), &sealed), "at most 255 records filled a 64 KiB message");
    encodings.push_back(std::move(e));
  }
  if (records.empty()) return;
  std::vector<uint8_t> msg = builder.seal();
  std::vector<SyncRecord> again;
  std::string err;
  check(pivs::decode_sync_message(msg.data(), msg.size(), kSyncId, &again, &err),
        "re-encoded records do not decode");
  check(again.size() == records.size(), "re-encoded records decode to another count");
  for (size_t i = 0; i < records.size(); ++i) {
    check(same(again[i], records[i]), "a record changed through encode and decode");
    std::vector<uint8_t> e(pivs::sync_record_size(again[i].family));
    pivs::encode_sync_record(again[i], e.data());
    check(e == encodings[i], "a record's encoding changed through decode and encode");
  }
}

void check_census(const Dataplane& dp) {
  std::string why = census_mismatch(dp);
  if (!why.empty()) {
    std::fprintf(stderr, "fuzz_sync: counts differ from the table: %s\n", why.c_str());
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  g_dp = new Dataplane(1024, 251);
  setup(*g_dp, g_now);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Dataplane& dp = *g_dp;
  std::unique_ptr<uint8_t[]> msg(new uint8_t[size]);
  if (size) std::memcpy(msg.get(), data, size);
  g_now += 7001;

  std::vector<SyncRecord> records;
  std::string err;
  bool ok = pivs::decode_sync_message(msg.get(), size, kSyncId, &records, &err);
  check(ok || !err.empty(), "decode_sync_message() failed without a reason");
  if (ok) round_trip(records);

  std::string install_err;
  int n = dp.install_sync(msg.get(), size, g_now, &install_err);
  check((n >= 0) == ok, "install_sync() and decode_sync_message() disagree on a message");
  check(n < 0 || size_t(n) <= records.size(), "install_sync() installed more records than given");
  check(dp.table().count() <= dp.table().capacity(), "the table is over capacity");

  ++g_inputs;
  if (g_inputs % 16 == 0) check_census(dp);
  if (g_inputs % 32 == 0) dp.sweep(g_now, 0, dp.table().slots());
  if (g_inputs % 128 == 0) {
    dp.maintain_table();
    for (const auto& m : dp.export_sync(g_now)) {
      std::vector<SyncRecord> exported;
      std::string e;
      check(pivs::decode_sync_message(m.data(), m.size(), kSyncId, &exported, &e),
            "an exported message does not decode");
      check(dp.install_sync(m.data(), m.size(), g_now, &e) >= 0,
            "an exported message does not install");
    }
    check_census(dp);
  }
  return 0;
}
