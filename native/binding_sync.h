// The high-availability methods of the Dataplane binding (setActiveAddresses, MAC membership,
// connection sync). DataplaneWrap forwards to these; arguments were checked in src/dataplane/.
#pragma once

#include <napi.h>

#include <cstdint>
#include <set>

#include "dataplane.h"
#include "worker.h"

namespace pivs {

struct HaBinding {
  Napi::ThreadSafeFunction tsfn;
  bool has_tsfn = false;
  std::set<uint64_t> macs;  // added MACs, also kept without an interface
};

// setActiveAddresses(null | [{family, addr}])
Napi::Value HaSetActiveAddresses(const Napi::CallbackInfo& info, Dataplane& dp, uint64_t now);
// addMacAddress(mac) / removeMacAddress(mac); workers is null without an interface.
Napi::Value HaMacAddress(const Napi::CallbackInfo& info, Workers* workers, HaBinding& ha, bool add);
// configureSync(syncId, maxMessageSize, flushDelayMs, threshold, period)
Napi::Value HaConfigureSync(const Napi::CallbackInfo& info, Dataplane& dp);
Napi::Value HaOnSyncMessages(const Napi::CallbackInfo& info, Dataplane& dp, HaBinding& ha);
// flushSync(): seals the partial message and returns every waiting message (Buffer[]).
Napi::Value HaFlushSync(const Napi::CallbackInfo& info, Dataplane& dp);
Napi::Value HaInstallSync(const Napi::CallbackInfo& info, Dataplane& dp, uint64_t now);
Napi::Value HaExportSync(const Napi::CallbackInfo& info, Dataplane& dp, uint64_t now);
// Before the wrap goes away (after the workers stopped).
void HaRelease(Dataplane* dp, HaBinding& ha);

}  // namespace pivs
