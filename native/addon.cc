// Module entry: one addon, one init per exposed area (better-sqlite3 style).
#include <napi.h>

#include "binding_contract.h"
#include "binding_dataplane.h"
#include "binding_sched.h"
#include "peer_cred.h"
#include "sd_notify.h"

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  pivs::InitContractBinding(env, exports);
  pivs::InitDataplaneBinding(env, exports);
  pivs::InitSchedBinding(env, exports);
  pivs::InitSdNotifyBinding(env, exports);
  pivs::InitPeerCredBinding(env, exports);
  return exports;
}

NODE_API_MODULE(pivs_native, Init)
