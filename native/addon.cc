// Module entry: one addon, one init per exposed area (better-sqlite3 style).
#include <napi.h>

#include "binding_dataplane.h"
#include "binding_sched.h"

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  pivs::InitDataplaneBinding(env, exports);
  pivs::InitSchedBinding(env, exports);
  return exports;
}

NODE_API_MODULE(pivs_native, Init)
