#include "dataplane.h"

#include <algorithm>

#include "checksum.h"
#include "xmit_dr.h"

namespace pivs {

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
  const Service* svc = by_key.find(proto, family, daddr, dport);
  return svc ? svc : by_key.find(proto, family, daddr, 0);
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
      snap_(std::make_shared<Snapshot>()),
      wheel_(table_.slots(), table_.wheel_words(), ConnTable::kWheelStride) {}

Dataplane::~Dataplane() {
  sync_.stop_timer();  // it looks into the slots' sync batches
  for (auto& w : workers_) delete w.load(std::memory_order_relaxed);
}

// ---------------------------------------------------------------------------------------------
// Worker slots and the sums of their counters

WorkerSlot* Dataplane::attach_worker() {
  std::lock_guard<std::mutex> g(workers_mu_);
  size_t n = nworkers_.load(std::memory_order_relaxed);
  for (size_t i = 0; i < n; ++i) {
    if (!worker_busy_[i]) {
      worker_busy_[i] = true;
      return workers_[i].load(std::memory_order_relaxed);
    }
  }
  if (n == kMaxWorkers) return nullptr;
  auto* slot = new WorkerSlot;
  sync_.attach(&slot->sync);
  workers_[n].store(slot, std::memory_order_release);
  worker_busy_[n] = true;
  nworkers_.store(n + 1, std::memory_order_release);
  return workers_[n].load(std::memory_order_relaxed);
}

void Dataplane::detach_worker(WorkerSlot* w) {
  std::lock_guard<std::mutex> g(workers_mu_);
  for (size_t i = 0; i < nworkers_.load(std::memory_order_relaxed); ++i) {
    if (workers_[i].load(std::memory_order_relaxed) == w) worker_busy_[i] = false;
  }
}

GlobalCounters Dataplane::counters() const {
  GlobalCounters c;
  for (size_t i = 0, n = nworkers_.load(std::memory_order_acquire); i < n; ++i) {
    const FrameTally& f = workers_[i].load(std::memory_order_acquire)->frames;
    c.rx += f.rx;
    c.tx += f.tx;
    c.ignored += f.ignored;
    for (int d = 0; d < DROP_COUNT; ++d) c.drops[d] += f.drops[d];
  }
  return c;
}

CounterTotals Dataplane::row_sums(bool service, uint32_t row) const {
  CounterTotals t;
  for (size_t i = 0, n = nworkers_.load(std::memory_order_acquire); i < n; ++i) {
    const WorkerSlot& w = *workers_[i].load(std::memory_order_acquire);
    const RowTally& r = service ? w.service(row) : w.real(row);
    t.conns += r.conns;
    t.inpkts += r.inpkts;
    t.inbytes += r.inbytes;
  }
  return t;
}

static CounterTotals less_zeroed(CounterTotals t, const CounterRow& c) {
  // Rows only grow, so what zero() took is never more than what is there.
  t.conns -= c.conns0.load(std::memory_order_relaxed);
  t.inpkts -= c.inpkts0.load(std::memory_order_relaxed);
  t.inbytes -= c.inbytes0.load(std::memory_order_relaxed);
  return t;
}

static void zero_at(CounterRow& c, const CounterTotals& now) {
  c.conns0.store(now.conns, std::memory_order_relaxed);
  c.inpkts0.store(now.inpkts, std::memory_order_relaxed);
  c.inbytes0.store(now.inbytes, std::memory_order_relaxed);
}

CounterTotals Dataplane::service_counters(const Service& svc) const {
  return less_zeroed(row_sums(true, svc.stats->row), *svc.stats);
}

CounterTotals Dataplane::real_counters(const Real& r) const {
  return less_zeroed(row_sums(false, r.stats.row), r.stats);
}

// ---------------------------------------------------------------------------------------------
// Per frame

Dataplane::Verdict Dataplane::to_control(WorkerSlot& w, const uint8_t* frame, uint32_t len,
                                         ControlQueue::Lane lane) {
  if (!control_.push(frame, len, lane)) w.frames.drop(DROP_CONTROL_QUEUE_FULL);
  return V_CONTROL;
}

Dataplane::Verdict Dataplane::process_arp(WorkerSlot& w, const uint8_t* frame, uint32_t len,
                                          const ParsedFrame& p, uint64_t now) {
  // Replies have a budget apart, so that a flood of requests cannot keep the answers to pivsd's
  // own requests (real servers' MACs) out.
  bool reply = len >= p.l3_off + 8 && frame[p.l3_off + 6] == 0 && frame[p.l3_off + 7] == 2;
  RateBudget& budget = reply ? arp_reply_budget_ : arp_request_budget_;
  return budget.take(now) ? to_control(w, frame, len) : drop(w, DROP_ARP_RATE_LIMITED);
}

static ConnKey conn_key(uint8_t family, uint8_t proto, const uint8_t* caddr, uint16_t cport,
                        const uint8_t* vaddr, uint16_t vport) {
  ConnKey k;
  k.family = family;
  k.proto = proto;
  k.cport = cport;
  k.vport = vport;
  // Two constant sizes rather than one variable one: each copy is then a move or two, not a call.
  if (family == 4) {
    std::memcpy(k.caddr, caddr, 4);
    std::memcpy(k.vaddr, vaddr, 4);
  } else {
    std::memcpy(k.caddr, caddr, 16);
    std::memcpy(k.vaddr, vaddr, 16);
  }
  return k;
}

Dataplane::Verdict Dataplane::forward(WorkerSlot& w, uint8_t* frame, const ParsedFrame& p,
                                      uint32_t real_id, const Real& real, uint32_t service_row) {
  rewrite_dr(frame, real.mac.load(std::memory_order_relaxed), own_mac());
  RowTally& s = w.service(service_row);
  ++s.inpkts;
  s.inbytes += p.ip_len;
  RowTally& r = w.real(real_id);
  ++r.inpkts;
  r.inbytes += p.ip_len;
  ++w.frames.tx;
  return V_FORWARD;
}

void Dataplane::prefetch_flow(const uint8_t* frame, uint32_t len) const {
  // A small table stays in the caches: the second parse and hash would only cost.
  if (table_.count() < kPrefetchFromEntries) return;
  ParsedFrame p = parse_frame(frame, len);
  if (p.kind != FRAME_IP || (p.proto != PROTO_TCP && p.proto != PROTO_UDP) || !p.first_fragment) return;
  table_.prefetch(table_.hash(conn_key(p.family, p.proto, p.saddr, p.sport, p.daddr, p.dport)));
}

Dataplane::Verdict Dataplane::process(WorkerSlot& w, uint8_t* frame, uint32_t len, uint64_t now,
                                      bool csum_not_ready, const Snapshot& snap, uint32_t max_len) {
  ++w.frames.rx;
  ParsedFrame p = parse_frame(frame, len);
  if (p.kind == FRAME_ARP) {
    return len > max_len ? drop(w, DROP_TOO_BIG) : process_arp(w, frame, len, p, now);
  }
  if (p.kind == FRAME_MALFORMED) return drop(w, DROP_MALFORMED);
  if (p.kind != FRAME_IP) return ignore(w);
  // VRRP (IP protocol 112, v2 and v3, IPv4 and IPv6) is the election's business, in JS.
  if (p.proto == IPPROTO_VRRP) {
    return len > max_len ? drop(w, DROP_TOO_BIG)
                         : to_control(w, frame, len, ControlQueue::LANE_ELECTION);
  }
  // The protocol alone first: tested together with the family, the two bytes parse_frame() has
  // just stored apart are loaded as one word, which waits for both stores to retire.
  if (p.proto == IPPROTO_ICMP4 || p.proto == IPPROTO_ICMP6) {
    if ((p.proto == IPPROTO_ICMP4) != (p.family == 4)) return ignore(w);
    return process_icmp(w, frame, len, p, now, csum_not_ready, snap, max_len);
  }
  if (p.proto != PROTO_TCP && p.proto != PROTO_UDP) return ignore(w);
  if (!p.first_fragment) return process_later_fragment(w, frame, len, p, now, snap, max_len);
  ConnKey k = conn_key(p.family, p.proto, p.saddr, p.sport, p.daddr, p.dport);
  uint32_t h = table_.hash(k);
  // The entry's line is on its way while the service is looked up.
  table_.prefetch(h);
  const Service* svc = snap.match(p.proto, p.family, p.daddr, p.dport);
  if (!svc || !svc->active) return ignore(w);
  if (len > max_len) return drop(w, DROP_TOO_BIG);

  uint32_t real_id = 0;
  int64_t idx = table_.find_locked(k, h);
  if (idx >= 0) real_id = touch_conn(w, size_t(idx), p, now);
  if (!real_id) {
    bool opens = p.proto == PROTO_UDP ||
                 ((p.tcp_flags & (TCP_SYN | TCP_ACK | TCP_RST)) == TCP_SYN) || svc->cfg.sloppy;
    if (!opens) return drop(w, DROP_NO_CONNECTION);
    DropReason why = DROP_NO_REAL_SERVER;
    real_id = new_conn(w, *svc, k, h, p, now, &why);
    if (!real_id) return drop(w, why);
  }
  Real* real = registry_.get(real_id);
  // An established flow keeps the last MAC its real server answered from; only a real server
  // never heard from has none.
  if (!real || !real->mac.load(std::memory_order_relaxed)) return drop(w, DROP_MAC_UNKNOWN);
  if (p.fragment) frags_.remember(p, real_id, now);
  if (csum_not_ready) complete_l4_checksum(frame, len, p);
  return forward(w, frame, p, real_id, *real, svc->stats_row);
}

Dataplane::Verdict Dataplane::process_later_fragment(WorkerSlot& w, uint8_t* frame, uint32_t len,
                                                     const ParsedFrame& p, uint64_t now,
                                                     const Snapshot& snap, uint32_t max_len) {
  if (!snap.is_active_vip(p.family, p.daddr)) return ignore(w);
  if (len > max_len) return drop(w, DROP_TOO_BIG);
  uint32_t real_id = frags_.lookup(p, now);
  Real* real = real_id ? registry_.get(real_id) : nullptr;
  if (!real) return drop(w, DROP_FRAGMENT_UNKNOWN);
  // The service is the one whose real server took the first fragment.
  for (const auto& svc : snap.services) {
    for (uint32_t id : svc->real_ids) {
      if (id == real_id) return forward(w, frame, p, real_id, *real, svc->stats_row);
    }
  }
  return drop(w, DROP_FRAGMENT_UNKNOWN);
}

Dataplane::Verdict Dataplane::process_icmp(WorkerSlot& w, uint8_t* frame, uint32_t len,
                                           const ParsedFrame& p, uint64_t now, bool csum_not_ready,
                                           const Snapshot& snap, uint32_t max_len) {
  // Neighbour discovery (router/neighbour solicitation/advertisement, redirect) always.
  if (p.family == 6 && p.icmp_type >= 133 && p.icmp_type <= 137) {
    if (len > max_len) return drop(w, DROP_TOO_BIG);
    // Advertisements apart, as ARP replies are.
    RateBudget& budget = p.icmp_type == 136 ? nd_advert_budget_ : nd_budget_;
    return budget.take(now) ? to_control(w, frame, len) : drop(w, DROP_ND_RATE_LIMITED);
  }
  if (!snap.is_active_vip(p.family, p.daddr)) return ignore(w);
  // An ICMP message to a VIP in several fragments can be neither answered nor matched.
  if (p.fragment || len > max_len) return drop(w, DROP_TOO_BIG);
  if (!csum_not_ready && !icmp_checksum_ok(frame, p)) return drop(w, DROP_MALFORMED);
  if (is_icmp_echo(p.family, p.icmp_type)) {
    return echo_budget_.take(now) ? to_control(w, frame, len) : drop(w, DROP_ECHO_RATE_LIMITED);
  }
  if (!is_icmp_error(p.family, p.icmp_type)) return ignore(w);
  // As IPVS's ip_vs_in_icmp: the quoted packet is the real server's reply (VIP -> client), so the
  // connection is found by the reversed tuple, and the error goes to the real server that sent it.
  const IcmpQuote& q = p.quote;
  size_t alen = p.family == 4 ? 4 : 16;
  if (!q.ok || std::memcmp(q.saddr, p.daddr, alen) != 0) return drop(w, DROP_ICMP_UNMATCHED);
  const Service* svc = snap.match(q.proto, p.family, q.saddr, q.sport);
  if (!svc || !svc->active) return drop(w, DROP_ICMP_UNMATCHED);
  ConnKey k = conn_key(p.family, q.proto, q.daddr, q.dport, q.saddr, q.sport);
  SlotView v;
  if (table_.find(k, table_.hash(k), &v) < 0 || v.expires_ms <= now) {
    return drop(w, DROP_ICMP_UNMATCHED);
  }
  Real* real = registry_.get(v.real_id);
  if (!real || !real->mac.load(std::memory_order_relaxed)) return drop(w, DROP_MAC_UNKNOWN);
  return forward(w, frame, p, v.real_id, *real, svc->stats_row);
}

void Dataplane::count_change(Real* r, int d_active, int d_inact, int d_persist) {
  if (!r) return;
  if (d_active) r->activeconns.fetch_add(d_active, std::memory_order_relaxed);
  if (d_inact) r->inactconns.fetch_add(d_inact, std::memory_order_relaxed);
  if (d_persist) r->persistconns.fetch_add(d_persist, std::memory_order_relaxed);
  update_overload(*r);
}

uint32_t Dataplane::touch_conn(WorkerSlot& w, size_t idx, const ParsedFrame& p, uint64_t now) {
  Slot& s = table_.at(idx);
  if (s.expires_ms <= now || must_reschedule(s, registry_.get(s.real_id), p)) {
    expire_locked(idx, now);
    return 0;
  }
  // Anything but a retransmitted SYN proves the flow: the client's ACK of a SYN/ACK, or a second
  // packet of one picked up mid-way (sloppy).
  if (p.proto != PROTO_TCP || (p.tcp_flags & (TCP_SYN | TCP_ACK)) != TCP_SYN) {
    s.flags &= uint8_t(~SF_EMBRYONIC);
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
    s.timeout_s = (s.flags & SF_EMBRYONIC) ? embryonic_timeout(timeouts_.get(next)) : timeouts_.get(next);
  } else {
    s.timeout_s = timeouts_.get(CS_UDP);
  }
  uint64_t was = s.expires_ms;
  s.expires_ms = now + uint64_t(s.timeout_s) * 1000;
  note_expiry(idx, s.expires_ms, was);
  uint32_t real_id = s.real_id;
  uint32_t pkts = ++s.pkts;
  uint8_t rec[kSyncV6Size];
  size_t rec_len = 0;
  uint32_t tpl = s.aux;
  if (sync_.enabled() &&
      (state_changed || (sync_state_periodic(s.proto, s.state) && sync_.due(pkts)))) {
    SlotView v;
    table_.view_locked(idx, &v);
    rec_len = sync_record(v, rec);
  }
  // Counted before the slot is released: once it is, another worker may expire the entry and
  // take back what this change has not yet given.
  if (d_active || d_inact) count_change(registry_.get(real_id), d_active, d_inact, 0);
  table_.unlock(idx);
  if (rec_len) sync_queue_conn(w, rec, rec_len, tpl, now);
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

uint32_t Dataplane::embryonic_timeout(uint32_t state_timeout_s) const {
  if (table_.count() < pressure_entries_.load(std::memory_order_relaxed)) return state_timeout_s;
  return std::min(state_timeout_s, pressure_timeout_s_.load(std::memory_order_relaxed));
}

bool Dataplane::evict_embryonic(WorkerSlot& w, uint32_t h, uint64_t now) {
  // Where the new key may live; a SYN flood fills every such window with its own entries.
  constexpr size_t kWindow = ConnTable::kMaxProbe;
  size_t idx = table_.home_of(h);
  int64_t victim = -1;
  uint64_t oldest = UINT64_MAX;
  for (size_t n = 0; n < kWindow; ++n) {
    // Unlocked peeks: the choice needs no consistent copy, the victim is checked again locked.
    const Slot& peek = table_.at(idx);
    if (peek.life == SLOT_FULL && (peek.flags & (SF_EMBRYONIC | SF_TEMPLATE)) == SF_EMBRYONIC) {
      // The least recently seen goes first: its last packet came timeout_s before its expiry.
      uint64_t seen = uint64_t(peek.expires_ms) - uint64_t(peek.timeout_s) * 1000;
      if (seen < oldest) {
        victim = int64_t(idx);
        oldest = seen;
      }
    }
    if (++idx == table_.slots()) idx = 0;
  }
  if (victim < 0) return false;
  Slot& s = table_.lock(size_t(victim));
  if (s.life != SLOT_FULL || (s.flags & (SF_EMBRYONIC | SF_TEMPLATE)) != SF_EMBRYONIC) {
    table_.unlock(size_t(victim));
    return false;
  }
  expire_locked(size_t(victim), now);
  w.frames.drop(DROP_EVICTED);
  return true;
}

bool Dataplane::must_reschedule(const Slot& s, const Real* real, const ParsedFrame& p) const {
  if (s.flags & SF_TEMPLATE) return false;
  uint32_t policy = policy_.load(std::memory_order_relaxed);
  if (!real || real->nodest()) {
    if (policy & (p.proto == PROTO_UDP ? POLICY_EXPIRE_NODEST_UDP : POLICY_EXPIRE_NODEST_TCP)) {
      return true;
    }
  }
  // IPVS's conn_reuse_mode (bit 2 too, for direct routing): a SYN on a connection that has ended
  // is a new connection from a reused client port. One under a template stays with it.
  if (p.proto != PROTO_TCP || (p.tcp_flags & (TCP_SYN | TCP_ACK | TCP_RST)) != TCP_SYN || s.aux) {
    return false;
  }
  uint8_t st = s.state;
  return st == CS_FIN_WAIT || st == CS_TIME_WAIT || st == CS_CLOSE || st == CS_CLOSE_WAIT;
}

bool Dataplane::template_valid(const Service& svc, const Slot& ts, uint64_t now) const {
  if (ts.real_id == 0 || (ts.expires_ms <= now && ts.aux == 0)) return false;
  // A template to a real server no longer in the service is stale (IPVS checks the same), and so
  // is one to a real server held Down; one to a quiescent server keeps its clients unless
  // expire_quiescent_template is set.
  if (std::find(svc.real_ids.begin(), svc.real_ids.end(), ts.real_id) == svc.real_ids.end()) {
    return false;
  }
  const Real* r = registry_.get(ts.real_id);
  if (!r || r->nodest()) return false;
  return !((policy_.load(std::memory_order_relaxed) & POLICY_EXPIRE_QUIESCENT_TEMPLATE) &&
           r->weight.load(std::memory_order_relaxed) <= 0);
}

uint32_t Dataplane::bind_template(const Service& svc, const ConnKey& k, uint64_t now,
                                  int64_t* tpl, DropReason* why) {
  // IPVS's template: <proto, masked client, 0, vip, vport or 0 for port-0 services>.
  ConnKey tk;
  tk.family = k.family;
  tk.proto = k.proto;
  tk.is_template = true;
  tk.vport = svc.cfg.port;
  std::memcpy(tk.vaddr, k.vaddr, 16);
  for (int i = 0; i < 16; ++i) tk.caddr[i] = k.caddr[i] & svc.cfg.netmask.bytes[i];
  uint32_t th = table_.hash(tk);
  // A few tries: the slot may expire or be rebound by another worker while we schedule.
  for (int attempt = 0; attempt < 3; ++attempt) {
    size_t ti;
    bool created;
    if (table_.insert_locked(tk, th, &ti, &created) < 0) {
      *why = DROP_TABLE_FULL;
      return 0;
    }
    Slot& ts = table_.at(ti);
    if (!template_valid(svc, ts, now)) {
      // The scheduler's locks are never taken under a slot's seqlock.
      table_.unlock(ti);
      uint32_t picked = schedule(svc, k, now);
      table_.lock(ti);
      if (ts.life != SLOT_FULL || !table_.matches(ti, tk)) {
        table_.unlock(ti);
        continue;
      }
      if (!template_valid(svc, ts, now)) {
        if (!picked) {
          if (ts.real_id == 0 && ts.aux == 0) table_.remove_locked(ti);
          table_.unlock(ti);
          *why = DROP_NO_REAL_SERVER;
          return 0;
        }
        Real* old = registry_.get(ts.real_id);
        ts.real_id = picked;
        ts.state = CS_NONE;
        ts.flags |= SF_INACTIVE;
        if (old) count_change(old, 0, 0, -1);
        count_change(registry_.get(picked), 0, 0, 1);
      }
    }
    ts.timeout_s = svc.cfg.persist_timeout;
    ts.expires_ms = now + uint64_t(ts.timeout_s) * 1000;
    note_expiry(ti, ts.expires_ms);
    ts.aux += 1;
    uint32_t real_id = ts.real_id;
    *tpl = int64_t(ti);
    table_.unlock(ti);
    return real_id;
  }
  *why = DROP_NO_REAL_SERVER;
  return 0;
}

uint32_t Dataplane::new_conn(WorkerSlot& w, const Service& svc, const ConnKey& k, uint32_t h,
                             const ParsedFrame& p, uint64_t now, DropReason* why) {
  int64_t tpl = -1;
  uint32_t real_id = svc.cfg.persist_timeout ? bind_template(svc, k, now, &tpl, why)
                                             : schedule(svc, k, now);
  if (!real_id) return 0;
  auto release_template = [this, tpl] {
    if (tpl < 0) return;
    Slot& ts = table_.lock(size_t(tpl));
    if (ts.aux) ts.aux -= 1;
    table_.unlock(size_t(tpl));
  };

  size_t ci;
  bool created;
  // A full table makes room first rather than after a probe that cannot succeed.
  if (table_.count() >= table_.capacity()) evict_embryonic(w, h, now);
  if (table_.insert_locked(k, h, &ci, &created) < 0 &&
      (!evict_embryonic(w, h, now) || table_.insert_locked(k, h, &ci, &created) < 0)) {
    release_template();
    *why = DROP_TABLE_FULL;
    return 0;
  }
  if (!created) {
    // Another worker created this flow meanwhile: follow its entry.
    table_.unlock(ci);
    release_template();
    *why = DROP_NO_CONNECTION;
    Slot& s = table_.lock(ci);
    if (s.life != SLOT_FULL || !table_.matches(ci, k)) {
      table_.unlock(ci);
      return 0;
    }
    return touch_conn(w, ci, p, now);
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
    // would call an ACK from NONE "CLOSE" and expire it in 10 s; treat it as established, but
    // only for as long as a half-open connection until a second packet proves it is one.
    state = (p.tcp_flags & (TCP_RST | TCP_FIN)) ? tcp_next_state(CS_NONE, p.tcp_flags)
                                                : uint8_t(CS_ESTABLISHED);
  }
  cs.state = state;
  bool active = state == CS_ESTABLISHED;
  cs.flags |= active ? 0 : SF_INACTIVE;
  bool unproven = p.proto == PROTO_TCP && !(p.tcp_flags & TCP_SYN) && state == CS_ESTABLISHED;
  bool embryonic = unproven || (p.proto == PROTO_TCP && state == CS_SYN_RECV);
  cs.timeout_s = timeouts_.get(unproven ? uint8_t(CS_SYN_RECV) : state);
  if (embryonic) {
    cs.flags |= SF_EMBRYONIC;
    cs.timeout_s = embryonic_timeout(cs.timeout_s);
  }
  cs.expires_ms = now + uint64_t(cs.timeout_s) * 1000;
  note_expiry(ci, cs.expires_ms);
  cs.pkts = 1;
  uint8_t rec[kSyncV6Size];
  size_t rec_len = 0;
  if (sync_.enabled()) {
    SlotView v;
    table_.view_locked(ci, &v);
    rec_len = sync_record(v, rec);
  }
  Real* r = registry_.get(real_id);
  count_change(r, active ? 1 : 0, active ? 0 : 1, 0);  // before unlock, as in touch_conn()
  table_.unlock(ci);
  if (rec_len) sync_queue_conn(w, rec, rec_len, uint32_t(tpl + 1), now);

  ++w.real(real_id).conns;
  ++w.service(svc.stats_row).conns;
  return real_id;
}

bool Dataplane::expire_locked(size_t idx, uint64_t now) {
  Slot& s = table_.at(idx);
  Real* r = registry_.get(s.real_id);
  if (s.flags & SF_TEMPLATE) {
    if (s.aux > 0) {
      // IPVS keeps a template while connections it controls live.
      s.expires_ms = now + uint64_t(s.timeout_s) * 1000;
      note_expiry(idx, s.expires_ms);
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
  if (begin < end) expiry_checks_.fetch_add(end - begin, std::memory_order_relaxed);
  for (size_t i = begin; i < end; ++i) {
    Slot& s = table_.at(i);
    // Unlocked peek first: most slots are empty or far from expiry.
    if (s.life != SLOT_FULL) continue;
    uint64_t exp = s.expires_ms;
    if (exp > now) {
      earliest = std::min(earliest, exp);
      continue;
    }
    table_.lock(i);
    if (s.life == SLOT_FULL && s.expires_ms <= now) {
      if (!expire_locked(i, now)) earliest = std::min<uint64_t>(earliest, s.expires_ms);
    } else {
      if (s.life == SLOT_FULL) earliest = std::min<uint64_t>(earliest, s.expires_ms);
      table_.unlock(i);
    }
  }
  return earliest;
}

void Dataplane::expire_filed(size_t idx, uint64_t now) {
  Slot& s = table_.lock(idx);
  if (s.life != SLOT_FULL) {
    wheel_.forget(idx);
    table_.unlock(idx);
  } else if (s.expires_ms <= now) {
    // Forgotten first: a template kept for its connections is filed again by its re-arm.
    wheel_.forget(idx);
    expire_locked(idx, now);
  } else {
    wheel_.refile(idx, s.expires_ms);
    table_.unlock(idx);
  }
}

void Dataplane::refile_all(uint64_t now) {
  wheel_.reset();
  for (size_t i = 0; i < table_.slots(); ++i) {
    // A free slot still marked as filed must be forgotten: its next entry files itself only when
    // the wheel does not already have it.
    if (table_.at(i).life == SLOT_FULL || wheel_.pending(i)) expire_filed(i, now);
  }
  expiry_checks_.fetch_add(table_.slots(), std::memory_order_relaxed);
}

void Dataplane::expire_due(uint64_t now, bool to_the_ms) {
  if (wheel_.overflowed()) refile_all(now);
  auto visit = [this, now](size_t idx) { expire_filed(idx, now); };
  size_t seen = wheel_.take_due(now, visit);
  if (to_the_ms) seen += wheel_.take_current(now, visit);
  if (seen) expiry_checks_.fetch_add(seen, std::memory_order_relaxed);
}

void Dataplane::maintain_table(size_t begin, size_t end) {
  if (table_.tombstones() > 0) table_.compact(begin, end);
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
  std::unordered_map<std::string, std::shared_ptr<CounterRow>> stats;
  std::unordered_map<std::string, std::shared_ptr<SchedSlot>> scheds;
  std::vector<uint32_t> live;
  for (const ServiceConfig& cfg : configs_) {
    auto svc = std::make_unique<Service>();
    svc->cfg = cfg;
    std::string skey = service_key_string(cfg);
    auto old = service_stats_.find(skey);
    if (old != service_stats_.end()) {
      svc->stats = old->second;
    } else {
      svc->stats = std::make_shared<CounterRow>();
      svc->stats->row = service_rows_.take(now);
      // A row given back keeps what its last service counted.
      zero_at(*svc->stats, row_sums(true, svc->stats->row));
    }
    svc->stats_row = svc->stats->row;
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
        if (n != neighbours_.end()) {
          real->mac = n->second.mac;
          real->mac_valid = n->second.valid;
        }
        auto l = loads_.find(addr_key(rc.addr));
        real->load = l == loads_.end() ? -1.0 : l->second;
        id = registry_.add(rkey, real);
        if (!id) continue;  // 65535 real servers: the rest get no traffic
        // An id freed and taken again keeps what its last real server counted.
        real->stats.row = id;
        zero_at(real->stats, row_sums(false, id));
      }
      real->weight.store(rc.weight);
      real->down.store(rc.down);
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
    snap->by_key.add(cfg.proto, cfg.addr.family, cfg.addr.bytes, cfg.port, svc.get());
    svc->active.store(forwards_for(cfg.addr), std::memory_order_relaxed);
    if (!snap->is_vip(cfg.addr.family, cfg.addr.bytes)) snap->vips.push_back(cfg.addr);
    snap->services.push_back(std::move(svc));
  }
  snap->vip_active.reset(new std::atomic<bool>[snap->vips.size()]);
  for (size_t i = 0; i < snap->vips.size(); ++i) {
    snap->vip_active[i].store(forwards_for(snap->vips[i]), std::memory_order_relaxed);
  }
  for (const auto& [skey, row] : service_stats_) {
    if (!stats.count(skey)) service_rows_.give_back(row->row, now);
  }
  service_stats_ = std::move(stats);
  scheds_ = std::move(scheds);
  registry_.retire_others(live, now);
  std::atomic_store(&snap_, std::shared_ptr<const Snapshot>(std::move(snap)));
}

void Dataplane::set_neighbour(const Addr& addr, uint64_t mac, uint64_t now) {
  std::lock_guard<std::mutex> g(ctl_mu_);
  // An unanswered re-confirmation keeps the last MAC for established flows; only new
  // scheduling avoids the real server.
  Neighbour& n = neighbours_[addr_key(addr)];
  if (mac) n.mac = mac;
  n.valid = mac != 0;
  bool availability_changed = false;
  registry_.for_each([&](uint32_t, Real& r) {
    if (!(r.addr == addr)) return;
    if (mac) r.mac.store(mac);
    if (r.mac_valid.exchange(mac != 0) != (mac != 0)) availability_changed = true;
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
  for (size_t cursor = 0; cursor < table_.slots() && out.size() < limit;) {
    std::vector<ConnInfo> page = connections(now, cursor, limit - out.size(), &cursor);
    out.insert(out.end(), page.begin(), page.end());
  }
  return out;
}

std::vector<ConnInfo> Dataplane::connections(uint64_t now, size_t cursor, size_t limit,
                                             size_t* next) const {
  std::vector<ConnInfo> out;
  std::lock_guard<std::mutex> g(ctl_mu_);  // keeps registry entries alive while we read them
  size_t end = std::min(table_.slots(), cursor + kListSlots);
  size_t i = cursor;
  for (; i < end && out.size() < limit; ++i) {
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
  *next = i;
  return out;
}

void Dataplane::zero(const ServiceKey* key) {
  auto snap = snapshot();
  for (const auto& svc : snap->services) {
    if (key && !(make_service_key(svc->cfg.proto, svc->cfg.addr.family, svc->cfg.addr.bytes,
                                  svc->cfg.port) == *key)) {
      continue;
    }
    zero_at(*svc->stats, row_sums(true, svc->stats->row));
    for (const auto& r : svc->reals) zero_at(r->stats, row_sums(false, r->stats.row));
  }
}

}  // namespace pivs
