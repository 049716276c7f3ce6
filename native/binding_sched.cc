// simulateSchedule(spec): runs one scheduler over synthetic flows and returns the picks. Lets
// tests and benches exercise the same C++ schedulers the dataplane uses, without packets.
#include <arpa/inet.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "binding_sched.h"
#include "sched.h"

namespace pivs {
namespace {

constexpr uint32_t kMaxTableSize = 1048573;

struct SchedName {
  const char* name;
  SchedKind kind;
};
#define PIVS_SCHED_NAME(e, name, id) {name, SchedKind::e},
constexpr SchedName kSchedNames[] = {PIVS_SCHEDULERS(PIVS_SCHED_NAME)};
#undef PIVS_SCHED_NAME

struct FlagName {
  const char* name;
  uint32_t flag;
};
#define PIVS_FLAG_NAME(e, name, bit) {name, SCHED_F_##e},
constexpr FlagName kFlagNames[] = {PIVS_SCHED_FLAGS(PIVS_FLAG_NAME)};
#undef PIVS_FLAG_NAME

// "a, b, c": the names a value must be one of, for an error message.
template <typename Named, size_t N>
std::string name_list(const Named (&names)[N]) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + std::string(n.name);
  return out;
}

// Collects the first validation error; later checks are skipped once one is recorded.
struct Parser {
  std::string error;

  bool fail(const std::string& msg) {
    if (error.empty()) error = "simulateSchedule: " + msg;
    return false;
  }

  bool address(const Napi::Value& v, const std::string& what, Addr& out) {
    if (!v.IsString()) return fail(what + " must be an IPv4 or IPv6 address string.");
    std::string text = v.As<Napi::String>().Utf8Value();
    out = Addr{};
    if (inet_pton(AF_INET, text.c_str(), out.bytes) == 1) {
      out.family = 4;
      return true;
    }
    if (inet_pton(AF_INET6, text.c_str(), out.bytes) == 1) {
      out.family = 6;
      return true;
    }
    return fail(what + " \"" + text + "\" is not an IPv4 or IPv6 address.");
  }

  // Optional integer in [lo, hi]; absent or undefined keeps `out`.
  bool integer(const Napi::Object& o, const char* key, const std::string& what, double lo,
               double hi, double& out) {
    Napi::Value v = o.Get(key);
    if (v.IsUndefined()) return true;
    double d = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : NAN;
    if (!std::isfinite(d) || std::floor(d) != d || d < lo || d > hi) {
      return fail(what + "." + key + " must be an integer from " + std::to_string(int64_t(lo)) +
                  " to " + std::to_string(int64_t(hi)) + ".");
    }
    out = d;
    return true;
  }

  bool boolean(const Napi::Object& o, const char* key, const std::string& what, bool& out) {
    Napi::Value v = o.Get(key);
    if (v.IsUndefined()) return true;
    if (!v.IsBoolean()) return fail(what + "." + key + " must be a boolean.");
    out = v.As<Napi::Boolean>().Value();
    return true;
  }
};

bool is_prime(uint32_t n) {
  if (n < 2) return false;
  for (uint32_t d = 2; uint64_t(d) * d <= n; ++d) {
    if (n % d == 0) return false;
  }
  return true;
}

bool parse_real(Parser& p, const Napi::Value& v, size_t i, Real& real) {
  const std::string what = std::string(schedule_spec::reals) + "[" + std::to_string(i) + "]";
  if (!v.IsObject()) return p.fail(what + " must be an object.");
  Napi::Object o = v.As<Napi::Object>();
  if (!p.address(o.Get(schedule_real::address), what + '.' + schedule_real::address, real.addr)) return false;
  double weight = NAN, port = 0, active = 0, inactive = 0, upper = 0, lower = 0;
  if (o.Get(schedule_real::weight).IsUndefined()) {
    return p.fail(what + '.' + schedule_real::weight + " is required.");
  }
  bool mac = true;
  if (!p.integer(o, schedule_real::weight, what, 0, 65535, weight) ||
      !p.integer(o, schedule_real::port, what, 0, 65535, port) ||
      !p.integer(o, schedule_real::activeConns, what, 0, 1e9, active) ||
      !p.integer(o, schedule_real::inactiveConns, what, 0, 1e9, inactive) ||
      !p.integer(o, schedule_real::upperThreshold, what, 0, 1e9, upper) ||
      !p.integer(o, schedule_real::lowerThreshold, what, 0, 1e9, lower) ||
      !p.boolean(o, schedule_real::mac, what, mac)) {
    return false;
  }
  real.port = uint16_t(port);
  real.weight = int32_t(weight);
  real.activeconns = int32_t(active);
  real.inactconns = int32_t(inactive);
  real.u_threshold = uint32_t(upper);
  real.l_threshold = uint32_t(lower);
  // Any non-zero value means "resolved"; make it unique per real server for readability.
  real.mac = mac ? 0x020000000000ull + i + 1 : 0;
  real.mac_valid = mac;
  // An agent's load index (has): any finite number >= 0; absent = no report.
  Napi::Value load = o.Get(schedule_real::load);
  if (!load.IsUndefined()) {
    double d = load.IsNumber() ? load.As<Napi::Number>().DoubleValue() : NAN;
    if (!std::isfinite(d) || d < 0) {
      return p.fail(what + '.' + schedule_real::load + " must be a finite number >= 0.");
    }
    real.load = d;
  }
  update_overload(real);
  return true;
}

bool parse_flow(Parser& p, const Napi::Value& v, size_t i, FlowInfo& flow) {
  const std::string what = std::string(schedule_spec::flows) + "[" + std::to_string(i) + "]";
  if (!v.IsObject()) return p.fail(what + " must be an object.");
  Napi::Object o = v.As<Napi::Object>();
  flow = FlowInfo{};
  if (!p.address(o.Get(schedule_flow::client), what + '.' + schedule_flow::client, flow.client)) return false;
  if (o.Get(schedule_flow::clientPort).IsUndefined()) {
    return p.fail(what + '.' + schedule_flow::clientPort + " is required.");
  }
  double client_port = 0, vport = 80, now = 0;
  if (!p.integer(o, schedule_flow::clientPort, what, 0, 65535, client_port) ||
      !p.integer(o, schedule_flow::vport, what, 0, 65535, vport) ||
      !p.integer(o, schedule_flow::nowMs, what, 0, 9007199254740991.0, now)) {
    return false;
  }
  Napi::Value vaddr = o.Get(schedule_flow::vaddr);
  if (vaddr.IsUndefined()) {
    flow.vaddr.family = flow.client.family;  // the unspecified address of the client's family
  } else if (!p.address(vaddr, what + '.' + schedule_flow::vaddr, flow.vaddr)) {
    return false;
  }
  flow.client_port = uint16_t(client_port);
  flow.vport = uint16_t(vport);
  flow.proto = PROTO_TCP;
  flow.now_ms = uint64_t(now);
  return true;
}

Napi::Value SimulateSchedule(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Parser p;
  auto throw_error = [&]() {
    Napi::TypeError::New(env, p.error).ThrowAsJavaScriptException();
    return env.Undefined();
  };
  if (info.Length() < 1 || !info[0].IsObject()) {
    p.fail("the argument must be a spec object.");
    return throw_error();
  }
  Napi::Object spec = info[0].As<Napi::Object>();

  Napi::Value sched_v = spec.Get(schedule_spec::scheduler);
  std::string sched_name = sched_v.IsString() ? sched_v.As<Napi::String>().Utf8Value() : "";
  const SchedName* sched = nullptr;
  for (const auto& s : kSchedNames) {
    if (sched_name == s.name) sched = &s;
  }
  if (sched == nullptr) {
    p.fail("scheduler \"" + sched_name + "\" is not one of " + name_list(kSchedNames) + ".");
    return throw_error();
  }

  uint32_t flags = 0;
  Napi::Value flags_v = spec.Get(schedule_spec::flags);
  if (!flags_v.IsUndefined()) {
    if (!flags_v.IsArray()) {
      p.fail(std::string(schedule_spec::flags) + " must be an array of scheduler flag names.");
      return throw_error();
    }
    Napi::Array arr = flags_v.As<Napi::Array>();
    for (uint32_t i = 0; i < arr.Length(); ++i) {
      Napi::Value f = arr.Get(i);
      std::string name = f.IsString() ? f.As<Napi::String>().Utf8Value() : "";
      const FlagName* found = nullptr;
      for (const auto& fl : kFlagNames) {
        if (name == fl.name) found = &fl;
      }
      if (found == nullptr) {
        p.fail("flag \"" + name + "\" is not one of " + name_list(kFlagNames) + ".");
        return throw_error();
      }
      flags |= found->flag;
    }
  }

  double table_size = 65537;
  if (!p.integer(spec, schedule_spec::mhTableSize, "spec", 3, kMaxTableSize, table_size)) {
    return throw_error();
  }
  if (!is_prime(uint32_t(table_size))) {
    p.fail(std::string(schedule_spec::mhTableSize) + " " + std::to_string(uint32_t(table_size)) +
           " is not a prime number.");
    return throw_error();
  }
  bool bind = false;
  if (!p.boolean(spec, schedule_spec::bindConnections, "spec", bind)) return throw_error();

  Napi::Value reals_v = spec.Get(schedule_spec::reals), flows_v = spec.Get(schedule_spec::flows);
  if (!reals_v.IsArray()) {
    p.fail(std::string(schedule_spec::reals) + " must be an array.");
    return throw_error();
  }
  if (!flows_v.IsArray()) {
    p.fail(std::string(schedule_spec::flows) + " must be an array.");
    return throw_error();
  }
  Napi::Array reals_arr = reals_v.As<Napi::Array>(), flows_arr = flows_v.As<Napi::Array>();

  RealList reals;
  for (uint32_t i = 0; i < reals_arr.Length(); ++i) {
    auto real = std::make_shared<Real>();
    if (!parse_real(p, reals_arr.Get(i), i, *real)) return throw_error();
    reals.push_back(std::move(real));
  }
  std::vector<FlowInfo> flows(flows_arr.Length());
  for (uint32_t i = 0; i < flows_arr.Length(); ++i) {
    if (!parse_flow(p, flows_arr.Get(i), i, flows[i])) return throw_error();
  }

  auto scheduler = make_scheduler(sched->kind, flags, uint32_t(table_size));
  scheduler->update(reals);
  Napi::Int32Array picks = Napi::Int32Array::New(env, flows.size());
  for (size_t i = 0; i < flows.size(); ++i) {
    int idx = scheduler->pick(reals, flows[i]);
    picks[i] = idx;
    if (bind && idx >= 0) {
      // What the dataplane does when it binds a new connection to the chosen server.
      reals[idx]->activeconns.fetch_add(1, std::memory_order_relaxed);
      update_overload(*reals[idx]);
    }
  }
  return picks;
}

}  // namespace

void InitSchedBinding(Napi::Env env, Napi::Object exports) {
  exports.Set(addon_exports::simulateSchedule,
              Napi::Function::New(env, SimulateSchedule, addon_exports::simulateSchedule));
}

}  // namespace pivs
