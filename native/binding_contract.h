#pragma once
#include <napi.h>
namespace pivs {
// Exports contract: the lists of contract.h as this build of the addon has them.
void InitContractBinding(Napi::Env env, Napi::Object exports);
}
