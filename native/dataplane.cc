#include "dataplane.h"

#include <algorithm>

#include "checksum.h"
#include "xmit_dr.h"

namespace pivs {

size_t ServiceKeyHash::operator()(const ServiceKey& k) const {
  uint64_t h = 1469598103934665603ull;
  auto step = [&h](uint8_t b) { h = (h ^ b) * 1099511628211ull; };
  step(k.proto);
  step(k.family);
  step(uint8_t(k.port));
  step(uint8_t(k.port >> 8));
  for (int i = 0; i < (k.family == 4 ? 4 : 16); ++i) step(k.addr[i]);
  return size_t(h);
}

ServiceKey make_service_key(uint8_t proto, uint8_t family, const uint8_t* addr, uint16_t port) {
  ServiceKey k{};
  k.proto = proto;
  k.family = family;
  k.port = port;
  std::memcpy(k.addr, addr, family == 4 ? 4 : 16);
  return k;
}

const Service* Snapshot::match(uint8_t proto, uint8_t family, const uint8_t* daddr,
                               uint16_t dport) const {
  if (by_key.empty()) return nullptr;
  ServiceKey k = make_service_key(proto, family, daddr, dport);
  auto it = by_key.find(k);
  if (it != by_key.end()) return it->second;
  k.port = 0;
  it = by_key.find(k);
  return it == by_key.end() ? nullptr : it->second;
}

bool Snapshot::is_vip(uint8_t family, const uint8_t* daddr) const {
  for (const Addr& a : vips)
    if (a.family == family && std::memcmp(a.bytes, daddr, family == 4 ? 4 : 16) == 0) return true;
  return false;
}

static std::string service_key_string(const ServiceConfig& c) {
  std::string s;
  s.push_back(char(c.proto));
  s.push_back(char(c.addr.family));
  s.append(reinterpret_cast<const char*>(c.addr.bytes), 16);
  s.push_back(char(c.port >> 8));
  s.push_back(char(c.port));
  return s;
}

static std::string addr_key(const Addr& a) {
  std::string s(1, char(a.family));
  s.append(reinterpret_cast<const char*>(a.bytes), 16);
  return s;
}

Dataplane::Dataplane(size_t conn_capacity, uint32_t mh_table_size)
    : table_(conn_capacity), mh_table_size_(mh_table_size),
      snap_(std::make_shared<Snapshot>()) {}

// ---------------------------------------------------------------------------------------------
// Per frame

Dataplane::Verdict Dataplane::to_control(const uint8_t* frame, uint32_t len) {
  if (!control_.push(frame, len)) counters_.dropped.fetch_add(1, std::memory_order_relaxed);
  return V_CONTROL;
}

Dataplane::Verdict Dataplane::process(uint8_t* frame, uint32_t len, uint64_t now,
                                      bool csum_not_ready, const Snapshot& snap) {
  counters_.rx.fetch_add(1, std::memory_order_relaxed);
  ParsedFrame p = parse_frame(frame, len);
  if (p.kind == FRAME_ARP) return to_control(frame, len);
  auto ignore = [this] {
    counters_.ignored.fetch_add(1, std::memory_order_relaxed);
    return V_IGNORE;
  };
  if (p.kind != FRAME_IP) return ignore();
  // VRRP (IP protocol 112, v2 and v3, IPv4 and IPv6) is the election's business, in JS.
  if (p.proto == 112) return to_control(frame, len);
  if (p.proto == 1 && p.family == 4) {
    return snap.is_active_vip(4, p.daddr) ? to_control(frame, len) : ignore();
  }
  if (p.proto == 58 && p.family == 6 && p.l4_complete) {
    // Neighbour discovery (router/neighbour solicitation/advertisement, redirect) always;
    // echo only when it asks about a VIP.
    if (p.icmp_type >= 133 && p.icmp_type <= 137) return to_control(frame, len);
    if (p.icmp_type == 128 && snap.is_active_vip(6, p.daddr)) return to_control(frame, len);
    return ignore();
  }
  if ((p.proto != PROTO_TCP && p.proto != PROTO_UDP) || !p.l4_complete) return ignore();
  const Service* svc = snap.match(p.proto, p.family, p.daddr, p.dport);
  if (!svc || !svc->active) return ignore();

  ConnKey k;
  k.family = p.family;
  k.proto = p.proto;
  k.cport = p.sport;
  k.vport = p.dport;
  std::memcpy(k.caddr, p.saddr, p.family == 4 ? 4 : 16);
  std::memcpy(k.vaddr, p.daddr, p.family == 4 ? 4 : 16);
  uint32_t h = ConnTable::hash(k);

  uint32_t real_id = 0;
  SlotView view;
  int64_t idx = table_.find(k, h, &view);
  if (idx >= 0) real_id = touch_conn(size_t(idx), k, p, now);
  if (!real_id) {
    bool opens = p.proto == PROTO_UDP ||
                 ((p.tcp_flags & (TCP_SYN | TCP_ACK | TCP_RST)) == TCP_SYN) || svc->cfg.sloppy;
    if (opens) real_id = new_conn(*svc, k, h, p, now);
  }
  Real* real = real_id ? registry_.get(real_id) : nullptr;
  uint64_t mac = real ? real->mac.load(std::memory_order_relaxed) : 0;
  if (!mac) {
    counters_.dropped.fetch_add(1, std::memory_order_relaxed);
    return V_DROP;
  }
  if (csum_not_ready) complete_l4_checksum(frame, len, p);
  rewrite_dr(frame, mac, own_mac_);
  svc->stats->inpkts.fetch_add(1, std::memory_order_relaxed);
  svc->stats->inbytes.fetch_add(p.ip_len, std::memory_order_relaxed);
  real->stats.inpkts.fetch_add(1, std::memory_order_relaxed);
  real->stats.inbytes.fetch_add(p.ip_len, std::memory_order_relaxed);
  counters_.tx.fetch_add(1, std::memory_order_relaxed);
  return V_FORWARD;
}

void Dataplane::count_change(Real* r, int d_active, int d_inact, int d_persist) {
  if (!r) return;
  if (d_active) r->activeconns.fetch_add(d_active, std::memory_order_relaxed);
  if (d_inact) r->inactconns.fetch_add(d_inact, std::memory_order_relaxed);
  if (d_persist) r->persistconns.fetch_add(d_persist, std::memory_order_relaxed);
  update_overload(*r);
}

uint32_t Dataplane::touch_conn(size_t idx, const ConnKey& k, const ParsedFrame& p, uint64_t now) {
  Slot& s = table_.lock(idx);
  if (s.life != SLOT_FULL || !table_.matches(idx, k)) {
    table_.unlock(idx);
    return 0;
  }
  if (s.expires_ms <= now) {
    expire_locked(idx, now);
    return 0;
  }
  int d_active = 0, d_inact = 0;
  bool state_changed = false;
  if (p.proto == PROTO_TCP) {
    uint8_t next = tcp_next_state(s.state, p.tcp_flags);
    state_changed = next != s.state;
    // IPVS's set_tcp_state(): only ESTABLISHED counts as active.
    if (!(s.flags & SF_INACTIVE) && next != CS_ESTABLISHED) {
      s.flags |= SF_INACTIVE;
      d_active = -1;
      d_inact = 1;
    } else if ((s.flags & SF_INACTIVE) && next == CS_ESTABLISHED) {
      s.flags &= uint8_t(~SF_INACTIVE);
      d_active = 1;
      d_inact = -1;
    }
    s.state = next;
    s.timeout_s = timeouts_.get(next);
  } else {
    s.timeout_s = timeouts_.get(CS_UDP);
  }
  s.expires_ms = now + uint64_t(s.timeout_s) * 1000;
  note_expiry(s.expires_ms);
  uint32_t real_id = s.real_id;
  uint32_t pkts = ++table_.pkts(idx);
  uint8_t rec[kSyncV6Size];
  size_t rec_len = 0;
  uint32_t tpl = s.aux;
  if (sync_.enabled() &&
      (state_changed || (sync_state_periodic(s.proto, s.state) && sync_.due(pkts)))) {
    SlotView v;
    table_.view_locked(idx, &v);
    rec_len = sync_record(v, rec);
  }
  table_.unlock(idx);
  if (d_active || d_inact) count_change(registry_.get(real_id), d_active, d_inact, 0);
  if (rec_len) sync_queue_conn(rec, rec_len, tpl, now);
  return real_id;
}

uint32_t Dataplane::schedule(const Service& svc, const ConnKey& k, uint64_t now) {
  FlowInfo flow;
  flow.client = to_addr(k.family, k.caddr);
  flow.client_port = k.cport;
  flow.vaddr = to_addr(k.family, k.vaddr);
  flow.vport = k.vport;
  flow.proto = k.proto;
  flow.now_ms = now;
  SchedSlot& ss = *svc.sched;
  std::shared_lock<std::shared_mutex> g(ss.mu);
  int i = ss.sched->pick(ss.reals, flow);
  if (i < 0 || size_t(i) >= ss.reals.size()) return 0;
  const Real& r = *ss.reals[size_t(i)];
  if (!r.available() || r.weight.load(std::memory_order_relaxed) <= 0) return 0;
  return ss.real_ids[size_t(i)];
}

uint32_t Dataplane::new_conn(const Service& svc, const ConnKey& k, uint32_t h,
                             const ParsedFrame& p, uint64_t now) {
  uint32_t real_id = 0;
  int64_t tpl = -1;
  if (svc.cfg.persist_timeout) {
    // IPVS's template: <proto, masked client, 0, vip, vport or 0 for port-0 services>.
    ConnKey tk;
    tk.family = k.family;
    tk.proto = k.proto;
    tk.is_template = true;
    tk.vport = svc.cfg.port;
    std::memcpy(tk.vaddr, k.vaddr, 16);
    for (int i = 0; i < 16; ++i) tk.caddr[i] = k.caddr[i] & svc.cfg.netmask.bytes[i];
    size_t ti;
    bool created;
    if (table_.insert_locked(tk, ConnTable::hash(tk), &ti, &created) < 0) return 0;
    Slot& ts = table_.at(ti);
    bool valid = !created && !(ts.expires_ms <= now && ts.aux == 0);
    if (valid) {
      // A template to a real server no longer in the service is stale (IPVS checks the same);
      // a quiescent one keeps its clients, as with expire_quiescent_template off.
      valid = std::find(svc.real_ids.begin(), svc.real_ids.end(), ts.real_id) != svc.real_ids.end();
    }
    if (!valid) {
      uint32_t picked = schedule(svc, k, now);
      if (!picked) {
        if (created) table_.remove_locked(ti);
        table_.unlock(ti);
        return 0;
      }
      Real* old = created ? nullptr : registry_.get(ts.real_id);
      ts.real_id = picked;
      ts.state = CS_NONE;
      ts.flags |= SF_INACTIVE;
      if (old) count_change(old, 0, 0, -1);
      count_change(registry_.get(picked), 0, 0, 1);
    }
    ts.timeout_s = svc.cfg.persist_timeout;
    ts.expires_ms = now + uint64_t(ts.timeout_s) * 1000;
    note_expiry(ts.expires_ms);
    ts.aux += 1;
    real_id = ts.real_id;
    tpl = int64_t(ti);
    table_.unlock(ti);
  } else {
    real_id = schedule(svc, k, now);
    if (!real_id) return 0;
  }
  auto release_template = [this, tpl] {
    if (tpl < 0) return;
    Slot& ts = table_.lock(size_t(tpl));
    if (ts.aux) ts.aux -= 1;
    table_.unlock(size_t(tpl));
  };

  size_t ci;
  bool created;
  if (table_.insert_locked(k, h, &ci, &created) < 0) {
    release_template();
    return 0;
  }
  if (!created) {
    // Another worker created this flow meanwhile: follow its entry.
    table_.unlock(ci);
    release_template();
    return touch_conn(ci, k, p, now);
  }
  Slot& cs = table_.at(ci);
  cs.real_id = real_id;
  cs.aux = uint32_t(tpl + 1);
  uint8_t state;
  if (p.proto == PROTO_UDP) {
    state = CS_UDP;
  } else if (p.tcp_flags & TCP_SYN) {
    state = tcp_next_state(CS_NONE, p.tcp_flags);
  } else {
    // Sloppy pick of a flow already under way (e.g. after a failover): the input-only table
    // would call an ACK from NONE "CLOSE" and expire it in 10 s; treat it as established.
    state = (p.tcp_flags & (TCP_RST | TCP_FIN)) ? tcp_next_state(CS_NONE, p.tcp_flags)
                                                : uint8_t(CS_ESTABLISHED);
  }
  cs.state = state;
  bool active = state == CS_ESTABLISHED;
  cs.flags |= active ? 0 : SF_INACTIVE;
  cs.timeout_s = timeouts_.get(state);
  cs.expires_ms = now + uint64_t(cs.timeout_s) * 1000;
  note_expiry(cs.expires_ms);
  table_.pkts(ci) = 1;
  uint8_t rec[kSyncV6Size];
  size_t rec_len = 0;
  if (sync_.enabled()) {
    SlotView v;
    table_.view_locked(ci, &v);
    rec_len = sync_record(v, rec);
  }
  table_.unlock(ci);
  if (rec_len) sync_queue_conn(rec, rec_len, uint32_t(tpl + 1), now);

  Real* r = registry_.get(real_id);
  if (r) r->stats.conns.fetch_add(1, std::memory_order_relaxed);
  svc.stats->conns.fetch_add(1, std::memory_order_relaxed);
  count_change(r, active ? 1 : 0, active ? 0 : 1, 0);
  return real_id;
}

bool Dataplane::expire_locked(size_t idx, uint64_t now) {
  Slot& s = table_.at(idx);
  Real* r = registry_.get(s.real_id);
  if (s.flags & SF_TEMPLATE) {
    if (s.aux > 0) {
      // IPVS keeps a template while connections it controls live.
      s.expires_ms = now + uint64_t(s.timeout_s) * 1000;
      note_expiry(s.expires_ms);
      table_.unlock(idx);
      return false;
    }
    table_.remove_locked(idx);
    table_.unlock(idx);
    count_change(r, 0, 0, -1);
    return true;
  }
  bool inactive = s.flags & SF_INACTIVE;
  uint32_t tpl = s.aux;
  table_.remove_locked(idx);
  table_.unlock(idx);
  count_change(r, inactive ? 0 : -1, inactive ? -1 : 0, 0);
  if (tpl) {
    Slot& ts = table_.lock(tpl - 1);
    if (ts.life == SLOT_FULL && ts.aux) ts.aux -= 1;
    table_.unlock(tpl - 1);
  }
  return true;
}

uint64_t Dataplane::sweep(uint64_t now, size_t begin, size_t end) {
  end = std::min(end, table_.slots());
  uint64_t earliest = UINT64_MAX;
  for (size_t i = begin; i < end; ++i) {
    Slot& s = table_.at(i);
    // Unlocked peek first: most slots are empty or far from expiry.
    if (__atomic_load_n(&s.life, __ATOMIC_RELAXED) != SLOT_FULL) continue;
    uint64_t exp = __atomic_load_n(&s.expires_ms, __ATOMIC_RELAXED);
    if (exp > now) {
      earliest = std::min(earliest, exp);
      continue;
    }
    table_.lock(i);
    if (s.life == SLOT_FULL && s.expires_ms <= now) {
      if (!expire_locked(i, now)) earliest = std::min(earliest, s.expires_ms);
    } else {
      if (s.life == SLOT_FULL) earliest = std::min(earliest, s.expires_ms);
      table_.unlock(i);
    }
  }
  return earliest;
}

void Dataplane::sweep_if_due(uint64_t now) {
  if (now < earliest_.load(std::memory_order_relaxed)) return;
  earliest_.store(UINT64_MAX, std::memory_order_relaxed);
  note_expiry(sweep(now, 0, table_.slots()));
  maintain_table();
}

void Dataplane::maintain_table() {
  if (table_.tombstones() > table_.slots() / 8) table_.compact();
}

// ---------------------------------------------------------------------------------------------
// Control side

void Dataplane::apply(std::vector<ServiceConfig> services, uint64_t now) {
  std::lock_guard<std::mutex> g(ctl_mu_);
  configs_ = std::move(services);
  rebuild_locked(now);
}

void Dataplane::rebuild_locked(uint64_t now) {
  auto snap = std::make_shared<Snapshot>();
  std::unordered_map<std::string, std::shared_ptr<Counters>> stats;
  std::unordered_map<std::string, std::shared_ptr<SchedSlot>> scheds;
  std::vector<uint32_t> live;
  for (const ServiceConfig& cfg : configs_) {
    auto svc = std::make_unique<Service>();
    svc->cfg = cfg;
    std::string skey = service_key_string(cfg);
    auto old = service_stats_.find(skey);
    svc->stats = old != service_stats_.end() ? old->second : std::make_shared<Counters>();
    stats[skey] = svc->stats;
    for (const RealConfig& rc : cfg.reals) {
      std::string rkey = skey + addr_key(rc.addr);
      rkey.push_back(char(rc.port >> 8));
      rkey.push_back(char(rc.port));
      uint32_t id = registry_.find(rkey);
      RealPtr real;
      if (id) {
        real = registry_.ptr(id);
      } else {
        real = std::make_shared<Real>();
        real->addr = rc.addr;
        real->port = rc.port;
        auto n = neighbours_.find(addr_key(rc.addr));
        real->mac = n == neighbours_.end() ? 0 : n->second;
        auto l = loads_.find(addr_key(rc.addr));
        real->load = l == loads_.end() ? -1.0 : l->second;
        id = registry_.add(rkey, real);
        if (!id) continue;  // 65535 real servers: the rest get no traffic
      }
      real->weight.store(rc.weight);
      real->u_threshold = rc.u_threshold;
      real->l_threshold = rc.l_threshold;
      update_overload(*real);
      svc->reals.push_back(real);
      svc->real_ids.push_back(id);
      live.push_back(id);
    }
    std::shared_ptr<SchedSlot>& ss = scheds[skey];
    auto prev = scheds_.find(skey);
    if (prev != scheds_.end() && prev->second->kind == cfg.sched &&
        prev->second->flags == cfg.sched_flags) {
      ss = prev->second;
    } else {
      ss = std::make_shared<SchedSlot>();
      ss->sched = make_scheduler(cfg.sched, cfg.sched_flags, mh_table_size_);
      ss->kind = cfg.sched;
      ss->flags = cfg.sched_flags;
    }
    {
      std::unique_lock<std::shared_mutex> g(ss->mu);
      ss->reals = svc->reals;
      ss->real_ids = svc->real_ids;
      ss->sched->update(ss->reals);
    }
    svc->sched = ss;
    snap->by_key[make_service_key(cfg.proto, cfg.addr.family, cfg.addr.bytes, cfg.port)] = svc.get();
    svc->active = active_all_ || std::find(active_.begin(), active_.end(), cfg.addr) != active_.end();
    if (svc->active && !snap->is_active_vip(cfg.addr.family, cfg.addr.bytes)) {
      snap->active_vips.push_back(cfg.addr);
    }
    if (!snap->is_vip(cfg.addr.family, cfg.addr.bytes)) snap->vips.push_back(cfg.addr);
    snap->services.push_back(std::move(svc));
  }
  service_stats_ = std::move(stats);
  scheds_ = std::move(scheds);
  registry_.retire_others(live, now);
  std::atomic_store(&snap_, std::shared_ptr<const Snapshot>(std::move(snap)));
}

void Dataplane::set_neighbour(const Addr& addr, uint64_t mac, uint64_t now) {
  std::lock_guard<std::mutex> g(ctl_mu_);
  if (mac) neighbours_[addr_key(addr)] = mac;
  else neighbours_.erase(addr_key(addr));
  bool availability_changed = false;
  registry_.for_each([&](uint32_t, Real& r) {
    if (!(r.addr == addr)) return;
    uint64_t old = r.mac.exchange(mac);
    if ((old == 0) != (mac == 0)) availability_changed = true;
  });
  // Schedulers may cache which real servers can take flows: give them an update().
  if (availability_changed) rebuild_locked(now);
}

void Dataplane::set_load(const Addr& addr, double load) {
  std::lock_guard<std::mutex> g(ctl_mu_);
  if (load >= 0) loads_[addr_key(addr)] = load;
  else loads_.erase(addr_key(addr));
  registry_.for_each([&](uint32_t, Real& r) {
    if (r.addr == addr) r.load.store(load < 0 ? -1.0 : load, std::memory_order_relaxed);
  });
}

std::vector<ConnInfo> Dataplane::connections(uint64_t now, size_t limit) const {
  std::vector<ConnInfo> out;
  std::lock_guard<std::mutex> g(ctl_mu_);  // keeps registry entries alive while we read them
  for (size_t i = 0; i < table_.slots() && out.size() < limit; ++i) {
    SlotView v;
    table_.read(i, &v);
    if (v.life != SLOT_FULL || v.expires_ms <= now) continue;
    ConnKey k;
    table_.key_of_view(v, &k);
    ConnInfo c{};
    c.proto = v.proto;
    c.is_template = v.flags & SF_TEMPLATE;
    c.state = c.is_template ? uint8_t(CS_NONE) : v.state;
    c.caddr = to_addr(k.family, k.caddr);
    c.vaddr = to_addr(k.family, k.vaddr);
    c.cport = k.cport;
    c.vport = k.vport;
    const Real* r = registry_.get(v.real_id);
    if (r) {
      c.raddr = r->addr;
      // Direct routing never changes the port: a flow of a port-0 service goes to the port the
      // client asked for.
      c.rport = c.is_template ? r->port : k.vport;
    }
    c.expires_in_ms = int64_t(v.expires_ms - now);
    out.push_back(c);
  }
  return out;
}

void Dataplane::zero(const ServiceKey* key) {
  auto snap = snapshot();
  for (const auto& svc : snap->services) {
    if (key && !(make_service_key(svc->cfg.proto, svc->cfg.addr.family, svc->cfg.addr.bytes,
                                  svc->cfg.port) == *key)) {
      continue;
    }
    svc->stats->zero();
    for (const auto& r : svc->reals) r->stats.zero();
  }
}

}  // namespace pivs
