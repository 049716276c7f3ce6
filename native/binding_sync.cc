#include "binding_sync.h"

#include <string>
#include <vector>

namespace pivs {

namespace {
Napi::Array buffers(Napi::Env env, const std::vector<std::vector<uint8_t>>& msgs) {
  auto arr = Napi::Array::New(env, msgs.size());
  for (uint32_t i = 0; i < msgs.size(); ++i) {
    arr.Set(i, Napi::Buffer<uint8_t>::Copy(env, msgs[i].data(), msgs[i].size()));
  }
  return arr;
}
}  // namespace

Napi::Value HaSetActiveAddresses(const Napi::CallbackInfo& info, Dataplane& dp, uint64_t now) {
  Napi::Env env = info.Env();
  if (!info[0].IsArray()) {
    dp.set_active(true, {}, now);
    return env.Undefined();
  }
  auto arr = info[0].As<Napi::Array>();
  std::vector<Addr> addrs;
  for (uint32_t i = 0; i < arr.Length(); ++i) {
    auto o = arr.Get(i).As<Napi::Object>();
    Addr a;
    a.family = uint8_t(o.Get(address::family).As<Napi::Number>().Uint32Value());
    auto b = o.Get(address::addr).As<Napi::Buffer<uint8_t>>();
    if (b.Length() >= 16) std::memcpy(a.bytes, b.Data(), 16);
    addrs.push_back(a);
  }
  dp.set_active(false, std::move(addrs), now);
  return env.Undefined();
}

Napi::Value HaMacAddress(const Napi::CallbackInfo& info, Workers* workers, HaBinding& ha, bool add) {
  Napi::Env env = info.Env();
  uint64_t mac = uint64_t(info[0].As<Napi::Number>().Int64Value()) & 0xffffffffffffull;
  bool known = ha.macs.count(mac) != 0;
  if (add == known) return env.Undefined();  // the kernel counts memberships; we keep one
  std::string err;
  if (workers && !(add ? workers->add_mac(mac, &err) : workers->remove_mac(mac, &err))) {
    Napi::Error::New(env, err).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (add) ha.macs.insert(mac);
  else ha.macs.erase(mac);
  return env.Undefined();
}

Napi::Value HaConfigureSync(const Napi::CallbackInfo& info, Dataplane& dp) {
  SyncSettings s;
  s.syncid = uint8_t(info[0].As<Napi::Number>().Uint32Value());
  s.max_size = info[1].As<Napi::Number>().Uint32Value();
  s.flush_delay_ms = info[2].As<Napi::Number>().Uint32Value();
  s.threshold = info[3].As<Napi::Number>().Uint32Value();
  s.period = info[4].As<Napi::Number>().Uint32Value();
  dp.sync().configure(s);
  return info.Env().Undefined();
}

Napi::Value HaOnSyncMessages(const Napi::CallbackInfo& info, Dataplane& dp, HaBinding& ha) {
  Napi::Env env = info.Env();
  dp.sync().set_notify(nullptr);
  if (ha.has_tsfn) ha.tsfn.Release();
  ha.tsfn = Napi::ThreadSafeFunction::New(env, info[0].As<Napi::Function>(), "pivsSyncMessages", 0, 1);
  ha.has_tsfn = true;
  Napi::ThreadSafeFunction tsfn = ha.tsfn;
  SyncQueue* queue = &dp.sync();
  queue->set_notify([tsfn, queue]() mutable {
    tsfn.NonBlockingCall([queue](Napi::Env env, Napi::Function fn) {
      if (!env || !fn) return;
      auto msgs = queue->drain();
      if (msgs.empty()) return;
      fn.Call({buffers(env, msgs)});
    });
  });
  return env.Undefined();
}

Napi::Value HaFlushSync(const Napi::CallbackInfo& info, Dataplane& dp) {
  dp.sync().flush();
  return buffers(info.Env(), dp.sync().drain());
}

Napi::Value HaInstallSync(const Napi::CallbackInfo& info, Dataplane& dp, uint64_t now) {
  Napi::Env env = info.Env();
  auto b = info[0].As<Napi::Buffer<uint8_t>>();
  std::string err;
  int n = dp.install_sync(b.Data(), b.Length(), now, &err);
  if (n < 0) {
    Napi::TypeError::New(env, err).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  return Napi::Number::New(env, n);
}

Napi::Value HaExportSync(const Napi::CallbackInfo& info, Dataplane& dp, uint64_t now) {
  Napi::Env env = info.Env();
  if (!dp.sync().enabled()) {
    Napi::Error::New(env, "configureSync() must be called before exportSync().").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  return buffers(env, dp.export_sync(now));
}

void HaRelease(Dataplane* dp, HaBinding& ha) {
  if (dp) dp->sync().set_notify(nullptr);
  if (ha.has_tsfn) {
    ha.tsfn.Release();
    ha.has_tsfn = false;
  }
}

}  // namespace pivs
