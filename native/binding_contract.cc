// The contract export: every list of contract.h, shaped as CONTRACT in src/dataplane/contract.ts.
// src/dataplane/native.ts compares the two when it loads the addon, so that an addon and a dist/
// built from different versions of contract.h never run together.
#include "binding_contract.h"

#include "contract.h"

namespace pivs {

namespace {

Napi::Array names(Napi::Env env, std::initializer_list<const char*> list) {
  auto out = Napi::Array::New(env, list.size());
  uint32_t i = 0;
  for (const char* n : list) out.Set(i++, n);
  return out;
}

Napi::Object Contract(Napi::Env env) {
  auto contract = Napi::Object::New(env);
  auto schedulers = Napi::Object::New(env);
#define PIVS_SET_ID(e, name, id) schedulers.Set(name, id);
  PIVS_SCHEDULERS(PIVS_SET_ID)
#undef PIVS_SET_ID
  contract.Set("schedulers", schedulers);

  auto flags = Napi::Object::New(env);
#define PIVS_SET_BIT(e, name, bit) flags.Set(name, double(1u << bit));
  PIVS_SCHED_FLAGS(PIVS_SET_BIT)
#undef PIVS_SET_BIT
  contract.Set("schedFlags", flags);

#define PIVS_NAME(e, name) name,
  contract.Set("dropReasons", names(env, {PIVS_DROP_REASONS(PIVS_NAME)}));
#undef PIVS_NAME

  auto policy_bits = Napi::Object::New(env);
#define PIVS_SET_BIT(e, bit) policy_bits.Set(#e, double(1u << bit));
  PIVS_POLICY_BITS(PIVS_SET_BIT)
#undef PIVS_SET_BIT
  contract.Set("policyBits", policy_bits);

  auto record = Napi::Object::New(env);
#define PIVS_SET_OFFSET(field, offset) record.Set(#field, offset);
  PIVS_CONNECTION_RECORD(PIVS_SET_OFFSET)
#undef PIVS_SET_OFFSET
  contract.Set("connectionRecord", record);
  contract.Set("connectionRecordSize", PIVS_CONNECTION_RECORD_SIZE);

  auto properties = Napi::Object::New(env);
#define PIVS_NAME(name) #name,
#define PIVS_SET_LIST(ns, list) properties.Set(#ns, names(env, {list(PIVS_NAME)}));
  PIVS_PROPERTY_LISTS(PIVS_SET_LIST)
#undef PIVS_SET_LIST
#undef PIVS_NAME
  contract.Set("properties", properties);
  return contract;
}

}  // namespace

void InitContractBinding(Napi::Env env, Napi::Object exports) {
  exports.Set(addon_exports::contract, Contract(env));
}

}  // namespace pivs
