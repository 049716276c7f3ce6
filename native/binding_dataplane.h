#pragma once
#include <napi.h>
namespace pivs {
// Exports the Dataplane class (see src/dataplane/native.ts for its JS-side type).
void InitDataplaneBinding(Napi::Env env, Napi::Object exports);
}
