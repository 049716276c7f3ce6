// The Dataplane class seen from JS. src/dataplane/ validates and converts every argument before
// it gets here (addresses as 16-byte Buffers, MACs as numbers, schedulers as SchedKind), so this
// file only unpacks them; the checks left are those that keep a bad call from crashing the process.
#include "binding_dataplane.h"

#include <algorithm>
#include <cstring>
#include <memory>

#include "binding_sync.h"
#include "clock.h"
#include "dataplane.h"
#include "worker.h"

namespace pivs {

namespace {

Addr addr_arg(const Napi::Value& family, const Napi::Value& buf) {
  Addr a;
  a.family = uint8_t(family.As<Napi::Number>().Uint32Value());
  auto b = buf.As<Napi::Buffer<uint8_t>>();
  if (b.Length() >= 16) std::memcpy(a.bytes, b.Data(), 16);
  return a;
}

Napi::Buffer<uint8_t> addr_buf(Napi::Env env, const Addr& a) {
  return Napi::Buffer<uint8_t>::Copy(env, a.bytes, 16);
}

// Direct routing never sees the replies: no output packets or bytes (as IPVS shows for DR).
void set_counters(Napi::Object o, const CounterTotals& c) {
  o.Set(counters::conns, double(c.conns));
  o.Set(counters::inpkts, double(c.inpkts));
  o.Set(counters::inbytes, double(c.inbytes));
  o.Set(counters::outpkts, 0.0);
  o.Set(counters::outbytes, 0.0);
}

class DataplaneWrap : public Napi::ObjectWrap<DataplaneWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    namespace m = dataplane_members;
    return DefineClass(env, addon_exports::Dataplane,
                       {
                           InstanceAccessor<&DataplaneWrap::Mac>(m::mac),
                           InstanceMethod<&DataplaneWrap::Apply>(m::apply),
                           InstanceMethod<&DataplaneWrap::SetTimeouts>(m::setTimeouts),
                           InstanceMethod<&DataplaneWrap::SetConnPolicy>(m::setConnPolicy),
                           InstanceMethod<&DataplaneWrap::SetNeighbour>(m::setNeighbour),
                           InstanceMethod<&DataplaneWrap::SetLoad>(m::setLoad),
                           InstanceMethod<&DataplaneWrap::Stats>(m::stats),
                           InstanceMethod<&DataplaneWrap::Connections>(m::connections),
                           InstanceMethod<&DataplaneWrap::Zero>(m::zero),
                           InstanceMethod<&DataplaneWrap::Counters_>(m::counters),
                           InstanceMethod<&DataplaneWrap::Simulate>(m::simulate),
                           InstanceMethod<&DataplaneWrap::SendFrame>(m::sendFrame),
                           InstanceMethod<&DataplaneWrap::OnControlFrames>(m::onControlFrames),
                           InstanceMethod<&DataplaneWrap::Close>(m::close),
                           InstanceMethod<&DataplaneWrap::SetActiveAddresses>(m::setActiveAddresses),
                           InstanceMethod<&DataplaneWrap::AddMacAddress>(m::addMacAddress),
                           InstanceMethod<&DataplaneWrap::RemoveMacAddress>(m::removeMacAddress),
                           InstanceMethod<&DataplaneWrap::ConfigureSync>(m::configureSync),
                           InstanceMethod<&DataplaneWrap::OnSyncMessages>(m::onSyncMessages),
                           InstanceMethod<&DataplaneWrap::FlushSync>(m::flushSync),
                           InstanceMethod<&DataplaneWrap::InstallSync>(m::installSync),
                           InstanceMethod<&DataplaneWrap::ExportSync>(m::exportSync),
                           InstanceMethod<&DataplaneWrap::SetInterface>(m::setInterface),
                           InstanceMethod<&DataplaneWrap::ReleaseRetired>(m::releaseRetired),
                           InstanceMethod<&DataplaneWrap::Backend_>(m::backend),
                       });
  }

  // new Dataplane(interface: string | null, workers, connTableSize, mhTableSize, stateDir,
  //               { backend: 'auto' | 'af_xdp' | 'af_packet', xdpObject })
  explicit DataplaneWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<DataplaneWrap>(info) {
    Napi::Env env = info.Env();
    size_t cap = size_t(info[2].As<Napi::Number>().Int64Value());
    uint32_t mh = info[3].As<Napi::Number>().Uint32Value();
    if (info[4].IsString()) state_dir_ = info[4].As<Napi::String>().Utf8Value();
    if (info[5].IsObject()) {
      auto o = info[5].As<Napi::Object>();
      std::string kind = o.Get(backend_options::backend).ToString().Utf8Value();
      backend_.kind = kind == "auto" ? Backend::Auto : kind == "af_xdp" ? Backend::AfXdp : Backend::AfPacket;
      auto object = o.Get(backend_options::xdpObject);
      if (object.IsString()) backend_.xdp_object = object.As<Napi::String>().Utf8Value();
    }
    dp_ = std::make_unique<Dataplane>(cap, mh);
    if (info[0].IsString()) {
      workers_ = std::make_unique<Workers>(*dp_);
      std::string err;
      if (!workers_->start(info[0].As<Napi::String>().Utf8Value(),
                           int(info[1].As<Napi::Number>().Int32Value()), state_dir_, backend_, &err)) {
        workers_.reset();
        Napi::Error::New(env, err).ThrowAsJavaScriptException();
        return;
      }
    }
  }

  ~DataplaneWrap() override { Shutdown(); }

 private:
  uint64_t Now() const { return sim_clock_ ? sim_now_ : monotonic_ms(); }

  void Shutdown() {
    retiring_.reset();
    if (workers_) workers_->stop();
    workers_.reset();
    if (dp_) dp_->control().set_notify(nullptr);
    HaRelease(dp_.get(), ha_);
    if (has_tsfn_) {
      tsfn_.Release();
      has_tsfn_ = false;
    }
  }

  bool Usable(Napi::Env env) {
    if (closed_) {
      Napi::Error::New(env, "the dataplane is closed").ThrowAsJavaScriptException();
      return false;
    }
    return true;
  }

  Napi::Value Mac(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), double(dp_ ? dp_->own_mac() : 0));
  }

  // apply([service_spec]), each with reals: [real_spec].
  Napi::Value Apply(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!Usable(env)) return env.Undefined();
    auto arr = info[0].As<Napi::Array>();
    std::vector<ServiceConfig> services;
    for (uint32_t i = 0; i < arr.Length(); ++i) {
      auto o = arr.Get(i).As<Napi::Object>();
      ServiceConfig c;
      c.proto = uint8_t(o.Get(service_spec::proto).As<Napi::Number>().Uint32Value());
      c.addr = addr_arg(o.Get(service_spec::family), o.Get(service_spec::addr));
      c.port = uint16_t(o.Get(service_spec::port).As<Napi::Number>().Uint32Value());
      c.sched = SchedKind(o.Get(service_spec::sched).As<Napi::Number>().Uint32Value());
      c.sched_flags = o.Get(service_spec::schedFlags).As<Napi::Number>().Uint32Value();
      c.persist_timeout = o.Get(service_spec::persistTimeout).As<Napi::Number>().Uint32Value();
      c.netmask = addr_arg(o.Get(service_spec::family), o.Get(service_spec::netmask));
      c.sloppy = o.Get(service_spec::sloppy).ToBoolean().Value();
      auto reals = o.Get(service_spec::reals).As<Napi::Array>();
      for (uint32_t j = 0; j < reals.Length(); ++j) {
        auto r = reals.Get(j).As<Napi::Object>();
        RealConfig rc;
        rc.addr = addr_arg(r.Get(real_spec::family), r.Get(real_spec::addr));
        rc.port = uint16_t(r.Get(real_spec::port).As<Napi::Number>().Uint32Value());
        rc.weight = r.Get(real_spec::weight).As<Napi::Number>().Int32Value();
        rc.u_threshold = r.Get(real_spec::uThreshold).As<Napi::Number>().Uint32Value();
        rc.l_threshold = r.Get(real_spec::lThreshold).As<Napi::Number>().Uint32Value();
        rc.down = r.Get(real_spec::down).ToBoolean().Value();
        c.reals.push_back(rc);
      }
      services.push_back(std::move(c));
    }
    if (env.IsExceptionPending()) return env.Undefined();
    dp_->apply(std::move(services), monotonic_ms());
    return env.Undefined();
  }

  // setConnPolicy(policy): Policy (dataplane.h).
  Napi::Value SetConnPolicy(const Napi::CallbackInfo& info) {
    auto o = info[0].As<Napi::Object>();
    auto u32 = [&o](const char* k) { return o.Get(k).As<Napi::Number>().Uint32Value(); };
    Policy p;
    p.bits = u32(policy::bits);
    p.echo_per_second = u32(policy::echoPerSecond);
    p.arp_per_second = u32(policy::arpPerSecond);
    p.nd_per_second = u32(policy::ndPerSecond);
    p.pressure_entries = size_t(o.Get(policy::pressureEntries).As<Napi::Number>().Int64Value());
    p.pressure_timeout_s = u32(policy::pressureTimeoutS);
    if (info.Env().IsExceptionPending()) return info.Env().Undefined();
    dp_->set_policy(p);
    return info.Env().Undefined();
  }

  Napi::Value SetTimeouts(const Napi::CallbackInfo& info) {
    dp_->set_timeouts(info[0].As<Napi::Number>().Uint32Value(),
                      info[1].As<Napi::Number>().Uint32Value(),
                      info[2].As<Napi::Number>().Uint32Value());
    return info.Env().Undefined();
  }

  // setNeighbour(family, addr, mac) with mac 0 = unknown.
  Napi::Value SetNeighbour(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!Usable(env)) return env.Undefined();
    Addr a = addr_arg(info[0], info[1]);
    uint64_t mac = uint64_t(info[2].As<Napi::Number>().Int64Value()) & 0xffffffffffffull;
    dp_->set_neighbour(a, mac, monotonic_ms());
    return env.Undefined();
  }

  // setLoad(family, addr, load) with load < 0 = no report.
  Napi::Value SetLoad(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!Usable(env)) return env.Undefined();
    dp_->set_load(addr_arg(info[0], info[1]), info[2].As<Napi::Number>().DoubleValue());
    return env.Undefined();
  }

  Napi::Value Stats(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    auto snap = dp_->snapshot();
    auto out = Napi::Array::New(env, snap->services.size());
    uint32_t i = 0;
    for (const auto& svc : snap->services) {
      auto o = Napi::Object::New(env);
      o.Set(service_stats::proto, double(svc->cfg.proto));
      o.Set(service_stats::family, double(svc->cfg.addr.family));
      o.Set(service_stats::addr, addr_buf(env, svc->cfg.addr));
      o.Set(service_stats::port, double(svc->cfg.port));
      set_counters(o, dp_->service_counters(*svc));
      auto reals = Napi::Array::New(env, svc->reals.size());
      uint32_t j = 0;
      for (const auto& r : svc->reals) {
        auto ro = Napi::Object::New(env);
        ro.Set(service_stats::family, double(r->addr.family));
        ro.Set(service_stats::addr, addr_buf(env, r->addr));
        ro.Set(service_stats::port, double(r->port));
        set_counters(ro, dp_->real_counters(*r));
        ro.Set(real_stats::activeConns, double(r->activeconns.load()));
        ro.Set(real_stats::inactConns, double(r->inactconns.load()));
        ro.Set(real_stats::persistConns, double(r->persistconns.load()));
        ro.Set(real_stats::overloaded, r->overloaded.load());
        ro.Set(real_stats::macResolved, r->mac_valid.load());
        reals.Set(j++, ro);
      }
      o.Set(service_stats::reals, reals);
      out.Set(i++, o);
    }
    return out;
  }

  // connections(cursor, limit) -> {records, count, next, states}: one page (Dataplane::connections)
  // as one Buffer of records (connection_record, contract.h), so that a listing of a million
  // entries makes a thousand objects and not fourteen million (src/dataplane/index.ts reads them).
  // next is -1 once the whole table has been walked; states[n] names state n.
  Napi::Value Connections(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    size_t cursor = size_t(info[0].As<Napi::Number>().Int64Value());
    size_t limit = size_t(info[1].As<Napi::Number>().Int64Value());
    size_t next = 0;
    auto conns = dp_->connections(Now(), cursor, limit, &next);
    namespace rec = connection_record;
    auto records = Napi::Buffer<uint8_t>::New(env, std::max<size_t>(1, conns.size() * rec::size));
    uint8_t* r = records.Data();
    std::memset(r, 0, records.Length());
    auto u16 = [](uint8_t* at, uint16_t v) {
      at[0] = uint8_t(v);
      at[1] = uint8_t(v >> 8);
    };
    for (const ConnInfo& c : conns) {
      r[rec::proto] = c.proto;
      r[rec::family] = c.caddr.family;
      r[rec::state] = c.is_template ? uint8_t(CS_NONE) : c.state;
      r[rec::isTemplate] = c.is_template ? 1 : 0;
      u16(r + rec::cport, c.cport);
      u16(r + rec::vport, c.vport);
      u16(r + rec::rport, c.rport);
      double ms = double(c.expires_in_ms);
      uint64_t bits;
      std::memcpy(&bits, &ms, 8);
      for (int b = 0; b < 8; ++b) r[rec::expiresMs + b] = uint8_t(bits >> (8 * b));
      std::memcpy(r + rec::caddr, c.caddr.bytes, 16);
      std::memcpy(r + rec::vaddr, c.vaddr.bytes, 16);
      std::memcpy(r + rec::raddr, c.raddr.bytes, 16);
      r += rec::size;
    }
    auto states = Napi::Array::New(env, CS_COUNT);
    for (uint32_t st = 0; st < CS_COUNT; ++st) states.Set(st, conn_state_name(uint8_t(st)));
    auto page = Napi::Object::New(env);
    page.Set(connection_page::records, records);
    page.Set(connection_page::count, double(conns.size()));
    page.Set(connection_page::next, next >= dp_->table().slots() ? -1.0 : double(next));
    page.Set(connection_page::states, states);
    return page;
  }

  // zero(null) or zero(service_key)
  Napi::Value Zero(const Napi::CallbackInfo& info) {
    if (info[0].IsObject()) {
      auto o = info[0].As<Napi::Object>();
      Addr a = addr_arg(o.Get(service_key::family), o.Get(service_key::addr));
      ServiceKey k = make_service_key(uint8_t(o.Get(service_key::proto).As<Napi::Number>().Uint32Value()),
                                      a.family, a.bytes,
                                      uint16_t(o.Get(service_key::port).As<Napi::Number>().Uint32Value()));
      dp_->zero(&k);
    } else {
      dp_->zero(nullptr);
    }
    return info.Env().Undefined();
  }

  Napi::Value Counters_(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    GlobalCounters c = dp_->counters();
    auto o = Napi::Object::New(env);
    o.Set(dataplane_counters::rxPackets, double(c.rx));
    o.Set(dataplane_counters::txPackets, double(c.tx));
    o.Set(dataplane_counters::ignored, double(c.ignored));
    auto drops = Napi::Object::New(env);
    uint64_t dropped = 0;
    for (int i = 0; i < DROP_COUNT; ++i) {
      uint64_t n = c.drops[i];
      drops.Set(kDropReasonNames[i], double(n));
      if (i != DROP_EVICTED) dropped += n;
    }
    o.Set(dataplane_counters::dropped, double(dropped));
    o.Set(dataplane_counters::drops, drops);
    o.Set(dataplane_counters::connections, double(dp_->table().count()));
    o.Set(dataplane_counters::connTableSize, double(dp_->table().capacity()));
    o.Set(dataplane_counters::syncSkipped, double(dp_->sync_skipped()));
    o.Set(dataplane_counters::syncDropped, double(dp_->sync().dropped()));
    o.Set(dataplane_counters::expiryChecks, double(dp_->expiry_checks()));
    return o;
  }

  // simulate(frame, nowMs) with nowMs < 0 = the monotonic clock.
  Napi::Value Simulate(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!Usable(env)) return env.Undefined();
    auto in = info[0].As<Napi::Buffer<uint8_t>>();
    double now_arg = info[1].As<Napi::Number>().DoubleValue();
    if (now_arg >= 0) {
      sim_clock_ = true;
      sim_now_ = uint64_t(now_arg);
    }
    uint64_t now = Now();
    std::vector<uint8_t> frame(in.Data(), in.Data() + in.Length());
    auto snap = dp_->snapshot();
    // The JS thread's own worker slot, kept for the dataplane's life.
    if (!sim_worker_) sim_worker_ = dp_->attach_worker();
    if (!sim_worker_) {
      Napi::Error::New(env, "too many workers on this dataplane at once").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    auto verdict = dp_->process(*sim_worker_, frame.data(), uint32_t(frame.size()), now, false, *snap);
    // Without an interface there is no sweeper thread: simulate() drives expiry on its own clock.
    if (!workers_) {
      dp_->expire_due(now, true);
      // Compaction only after a change: a walk per frame would make a test's large table slow.
      if (dp_->table().tombstones() != sim_tombstones_) {
        dp_->maintain_table();
        sim_tombstones_ = dp_->table().tombstones();
      }
    }
    if (!workers_) dp_->sync().flush_due(now);
    if (verdict != Dataplane::V_FORWARD) return env.Null();
    return Napi::Buffer<uint8_t>::Copy(env, frame.data(), frame.size());
  }

  Napi::Value SendFrame(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!Usable(env)) return env.Undefined();
    if (!workers_) {
      Napi::Error::New(env, "the dataplane has no interface to send on").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    auto b = info[0].As<Napi::Buffer<uint8_t>>();
    std::string err;
    if (!workers_->send_frame(b.Data(), uint32_t(b.Length()), &err)) {
      Napi::Error::New(env, err).ThrowAsJavaScriptException();
    }
    return env.Undefined();
  }

  Napi::Value OnControlFrames(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!Usable(env)) return env.Undefined();
    dp_->control().set_notify(nullptr);
    if (has_tsfn_) tsfn_.Release();
    tsfn_ = Napi::ThreadSafeFunction::New(env, info[0].As<Napi::Function>(), "pivsControlFrames", 0, 1);
    has_tsfn_ = true;
    Napi::ThreadSafeFunction tsfn = tsfn_;
    ControlQueue* queue = &dp_->control();
    queue->set_notify([tsfn, queue]() mutable {
      tsfn.NonBlockingCall([queue](Napi::Env env, Napi::Function fn) {
        if (!env || !fn) return;
        auto frames = queue->drain();
        if (frames.empty()) return;
        auto arr = Napi::Array::New(env, frames.size());
        for (uint32_t i = 0; i < frames.size(); ++i) {
          arr.Set(i, Napi::Buffer<uint8_t>::Copy(env, frames[i].data(), frames[i].size()));
        }
        fn.Call({arr});
      });
    });
    return env.Undefined();
  }

  // High availability: binding_sync.cc.
  Napi::Value SetActiveAddresses(const Napi::CallbackInfo& info) {
    return Usable(info.Env()) ? HaSetActiveAddresses(info, *dp_, monotonic_ms()) : info.Env().Undefined();
  }
  Napi::Value AddMacAddress(const Napi::CallbackInfo& info) {
    return Usable(info.Env()) ? HaMacAddress(info, workers_.get(), ha_, true) : info.Env().Undefined();
  }
  Napi::Value RemoveMacAddress(const Napi::CallbackInfo& info) {
    return Usable(info.Env()) ? HaMacAddress(info, workers_.get(), ha_, false) : info.Env().Undefined();
  }
  Napi::Value ConfigureSync(const Napi::CallbackInfo& info) {
    return Usable(info.Env()) ? HaConfigureSync(info, *dp_) : info.Env().Undefined();
  }
  Napi::Value OnSyncMessages(const Napi::CallbackInfo& info) {
    return Usable(info.Env()) ? HaOnSyncMessages(info, *dp_, ha_) : info.Env().Undefined();
  }
  Napi::Value FlushSync(const Napi::CallbackInfo& info) {
    return Usable(info.Env()) ? HaFlushSync(info, *dp_) : info.Env().Undefined();
  }
  Napi::Value InstallSync(const Napi::CallbackInfo& info) {
    return Usable(info.Env()) ? HaInstallSync(info, *dp_, Now()) : info.Env().Undefined();
  }
  Napi::Value ExportSync(const Napi::CallbackInfo& info) {
    return Usable(info.Env()) ? HaExportSync(info, *dp_, Now()) : info.Env().Undefined();
  }

  // setInterface(name, workers): link failover (src/link/). The new rings and workers start
  // before the old ones stop, so forwarding never pauses; the connection table, snapshot,
  // counters and virtual-MAC memberships are the Dataplane's and the binding's, and stay.
  Napi::Value SetInterface(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!Usable(env)) return env.Undefined();
    retiring_.reset();
    auto next = std::make_unique<Workers>(*dp_);
    std::string err;
    if (!next->start(info[0].As<Napi::String>().Utf8Value(), int(info[1].As<Napi::Number>().Int32Value()),
                     state_dir_, backend_, &err)) {
      RestoreCurrent();
      Napi::Error::New(env, err).ThrowAsJavaScriptException();
      return env.Undefined();
    }
    for (uint64_t mac : ha_.macs) {
      if (!next->add_mac(mac, &err)) {
        next->stop();
        RestoreCurrent();
        Napi::Error::New(env, err).ThrowAsJavaScriptException();
        return env.Undefined();
      }
    }
    // The old threads end on their own (within their 100 ms poll) and are joined at the next
    // switch or at close: the JS thread goes on at once to announce the new link.
    if (workers_) workers_->request_stop();
    retiring_ = std::move(workers_);
    workers_ = std::move(next);
    // A retired worker set's stop() stops the sync flush timer the new ones share.
    dp_->sync().start_timer();
    return env.Undefined();
  }

  // Joins the worker set setInterface() replaced and closes its sockets (their threads have ended
  // on their own by then); the shared sync flush timer is started again.
  Napi::Value ReleaseRetired(const Napi::CallbackInfo& info) {
    if (retiring_ && !closed_) {
      retiring_.reset();
      dp_->sync().start_timer();
    }
    return info.Env().Undefined();
  }

  // backend(): { backend: 'af_xdp' | 'af_packet' | null (no interface), xdpMode, fallback }
  Napi::Value Backend_(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    auto o = Napi::Object::New(env);
    namespace r = running_backend;
    o.Set(r::backend, workers_ ? Napi::Value(Napi::String::New(env, workers_->backend())) : env.Null());
    o.Set(r::xdpMode, workers_ ? workers_->xdp_mode() : std::string());
    o.Set(r::fallback, workers_ ? workers_->fallback_reason() : std::string());
    return o;
  }

  // A failed setInterface() started and stopped workers of its own: the current ones get back
  // their MAC and the shared sync flush timer.
  void RestoreCurrent() {
    if (!workers_) return;
    dp_->set_own_mac(workers_->info().mac);
    dp_->sync().start_timer();
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    closed_ = true;
    Shutdown();
    return info.Env().Undefined();
  }

  std::unique_ptr<Dataplane> dp_;
  WorkerSlot* sim_worker_ = nullptr;  // simulate()'s
  std::unique_ptr<Workers> workers_;
  // The worker set a setInterface() replaced, until joined (see SetInterface).
  std::unique_ptr<Workers> retiring_;
  Napi::ThreadSafeFunction tsfn_;
  bool has_tsfn_ = false;
  HaBinding ha_;
  bool closed_ = false;
  bool sim_clock_ = false;
  std::string state_dir_;  // offload records (offload_record.h); empty: none
  BackendOptions backend_;
  uint64_t sim_now_ = 0;
  size_t sim_tombstones_ = 0;  // after simulate()'s last compaction
};

}  // namespace

void InitDataplaneBinding(Napi::Env env, Napi::Object exports) {
  exports.Set(addon_exports::Dataplane, DataplaneWrap::Define(env));
}

}  // namespace pivs
