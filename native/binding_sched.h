#pragma once
#include <napi.h>
namespace pivs {
// Exports simulateSchedule(): runs one scheduler over synthetic flows (tests and benches).
void InitSchedBinding(Napi::Env env, Napi::Object exports);
}
