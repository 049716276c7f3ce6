// The fast-path core: an immutable table snapshot (services, real servers, schedulers) swapped
// atomically by apply(), and process(), the per-frame code shared by the ring workers and
// simulate(). Every thread that calls process() brings its own WorkerSlot (worker_slot.h).
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "conn_table.h"
#include "control_queue.h"
#include "frag_table.h"
#include "parse.h"
#include "rate_budget.h"
#include "real_registry.h"
#include "sched.h"
#include "service_index.h"
#include "sync_queue.h"
#include "tcp_state.h"
#include "timer_wheel.h"
#include "worker_slot.h"

namespace pivs {

struct RealConfig {
  Addr addr;
  uint16_t port = 0;
  int32_t weight = 1;
  uint32_t u_threshold = 0, l_threshold = 0;
  bool down = false;  // health checks or the agent hold it Down (weight 0)
};

struct ServiceConfig {
  uint8_t proto = PROTO_TCP;
  Addr addr;
  uint16_t port = 0;  // 0 = any port (persistent services only)
  SchedKind sched = SchedKind::WLC;
  uint32_t sched_flags = 0;
  uint32_t persist_timeout = 0;  // seconds, 0 = no persistence
  Addr netmask;                  // client mask for persistence templates
  bool sloppy = false;
  std::vector<RealConfig> reals;
};

// One scheduler per virtual service, kept across snapshots while its kind and flags stay (rr keeps
// its position, mh its memory of quiescent servers). Workers still on an older snapshot may pick
// while apply() updates it, so pick() runs under the shared lock, update() under the exclusive
// one, and a pick always indexes the list the scheduler was last updated with.
struct SchedSlot {
  std::shared_mutex mu;
  std::unique_ptr<Scheduler> sched;
  SchedKind kind;
  uint32_t flags;
  RealList reals;
  std::vector<uint32_t> real_ids;
};

struct Service {
  ServiceConfig cfg;
  RealList reals;
  std::vector<uint32_t> real_ids;  // RealRegistry ids, parallel to reals
  std::shared_ptr<SchedSlot> sched;
  std::shared_ptr<CounterRow> stats;
  uint32_t stats_row = 0;  // stats->row, without the pointer chase per packet
  // Its address is one this director forwards for (setActiveAddresses): flipped in place by
  // set_active(), read by the workers.
  std::atomic<bool> active{true};
};

struct ServiceKey {
  uint8_t proto, family;
  uint16_t port;
  uint8_t addr[16];
  bool operator==(const ServiceKey& o) const {
    return proto == o.proto && family == o.family && port == o.port &&
           std::memcmp(addr, o.addr, 16) == 0;
  }
};
ServiceKey make_service_key(uint8_t proto, uint8_t family, const uint8_t* addr, uint16_t port);

struct Snapshot {
  std::vector<std::unique_ptr<Service>> services;
  ServiceIndex by_key;
  std::vector<Addr> vips;
  // Parallel to vips, flipped in place by set_active() as the services' active flags are.
  std::unique_ptr<std::atomic<bool>[]> vip_active;
  const Service* match(uint8_t proto, uint8_t family, const uint8_t* daddr, uint16_t dport) const;
  bool is_vip(uint8_t family, const uint8_t* daddr) const;
  bool is_active_vip(uint8_t family, const uint8_t* daddr) const;
};

// IPVS's expire_nodest_conn and expire_quiescent_template, as bits.
#define PIVS_POLICY_ENUMERATOR(e, bit) POLICY_##e = 1u << bit,
enum ConnPolicy : uint32_t { PIVS_POLICY_BITS(PIVS_POLICY_ENUMERATOR) };
#undef PIVS_POLICY_ENUMERATOR

// How the fast path treats gone real servers, a filling table, and what it hands up.
struct Policy {
  uint32_t bits = POLICY_EXPIRE_NODEST_UDP;  // ConnPolicy
  // Per-second budgets of frames handed up: ICMP echo to VIPs, ARP requests and (apart) ARP
  // replies, IPv6 neighbour discovery (advertisements apart). VRRP has none: its lane is never
  // crowded out.
  uint32_t echo_per_second = 1000, arp_per_second = 2000, nd_per_second = 2000;
  // IPVS's secure_tcp and drop_entry: from pressure_entries entries on, embryonic entries (SYN
  // seen, no ACK; sloppy picks not yet proven) live at most pressure_timeout_s, and a full table
  // evicts one of them to make room for a new connection.
  size_t pressure_entries = SIZE_MAX;
  uint32_t pressure_timeout_s = 5;
};

struct ConnInfo {
  uint8_t proto, state;
  bool is_template;
  Addr caddr, vaddr, raddr;
  uint16_t cport, vport, rport;
  int64_t expires_in_ms;
};

class Dataplane {
 public:
  enum Verdict { V_FORWARD, V_DROP, V_IGNORE, V_CONTROL };

  Dataplane(size_t conn_capacity, uint32_t mh_table_size);
  ~Dataplane();
  Dataplane(const Dataplane&) = delete;
  Dataplane& operator=(const Dataplane&) = delete;

  std::shared_ptr<const Snapshot> snapshot() const { return std::atomic_load(&snap_); }
  // Starts loading the connection entry a frame will need, for a worker to call a few frames ahead
  // of process(): the cache misses of a batch then overlap instead of each waiting its turn.
  void prefetch_flow(const uint8_t* frame, uint32_t len) const;
  // How many frames ahead: enough misses in flight to cover one, few enough to stay cached.
  static constexpr uint32_t kPrefetchAhead = 4;
  // From how many entries on (their slots, 64 bytes each, past a typical L2 cache).
  static constexpr size_t kPrefetchFromEntries = 16384;
  // Frame is rewritten in place when V_FORWARD. max_len: the largest frame the interface can
  // send; a bigger one that would be forwarded or handed up is dropped as too big. w: the calling
  // thread's own slot (attach_worker()), which no other thread uses meanwhile.
  Verdict process(WorkerSlot& w, uint8_t* frame, uint32_t len, uint64_t now_ms,
                  bool csum_not_ready, const Snapshot& snap, uint32_t max_len = kMaxFrame);
  static constexpr uint32_t kMaxFrame = 65535 + 22;  // an IP packet's limit, Ethernet + 802.1Q

  // A slot for one thread that calls process(), for as long as it does; nullptr when kMaxWorkers
  // are attached. A slot detached is handed to the next thread that attaches, counts and all.
  WorkerSlot* attach_worker();
  void detach_worker(WorkerSlot* w);
  // director.workers is at most 64, and a link switch runs two sets of workers for a moment.
  static constexpr size_t kMaxWorkers = 256;

  // Sums over every worker slot (a worker's latest counts may be a moment late).
  GlobalCounters counters() const;
  CounterTotals service_counters(const Service& svc) const;
  CounterTotals real_counters(const Real& r) const;

  // Control side (JS thread).
  void apply(std::vector<ServiceConfig> services, uint64_t now_ms);
  void set_neighbour(const Addr& addr, uint64_t mac, uint64_t now_ms);
  // An agent's load index for every real server at addr (< 0: no report); no rebuild needed.
  void set_load(const Addr& addr, double load);
  void set_timeouts(uint32_t tcp, uint32_t tcpfin, uint32_t udp) { timeouts_.set(tcp, tcpfin, udp); }
  void set_policy(const Policy& p) {
    policy_.store(p.bits, std::memory_order_relaxed);
    echo_budget_.set(p.echo_per_second);
    arp_request_budget_.set(p.arp_per_second);
    arp_reply_budget_.set(p.arp_per_second);
    nd_budget_.set(p.nd_per_second);
    nd_advert_budget_.set(p.nd_per_second);
    pressure_entries_.store(p.pressure_entries, std::memory_order_relaxed);
    pressure_timeout_s_.store(p.pressure_timeout_s, std::memory_order_relaxed);
  }
  // One page of the listing: live entries in slots from `cursor` on, at most `limit` of them and
  // at most kListSlots slots looked at, so that no call walks the whole table. *next: the cursor
  // of the next page, slots() when the table has been walked. An entry that lives throughout the
  // listing is listed once (entries never move); one created or gone meanwhile may be or not.
  std::vector<ConnInfo> connections(uint64_t now_ms, size_t cursor, size_t limit, size_t* next) const;
  static constexpr size_t kListSlots = 65536;
  // The first `limit` entries, page after page (the native harnesses).
  std::vector<ConnInfo> connections(uint64_t now_ms, size_t limit) const;
  void zero(const ServiceKey* key);

  // High availability (dataplane_sync.cc). all = forward for every virtual address. Flips the
  // current snapshot's active flags: a VRRP takeover rebuilds no scheduler.
  void set_active(bool all, std::vector<Addr> addrs, uint64_t now_ms);
  SyncQueue& sync() { return sync_; }
  // Installed records, or -1 with *err set (nothing installed) when the message is malformed.
  int install_sync(const uint8_t* msg, size_t len, uint64_t now_ms, std::string* err);
  std::vector<std::vector<uint8_t>> export_sync(uint64_t now_ms);
  uint64_t sync_skipped() const { return sync_skipped_.load(std::memory_order_relaxed); }

  // Expires the entries the timer wheel has filed at the seconds now_ms has passed (or, with
  // to_the_ms, every entry due by now_ms: simulate()'s clock). One caller at a time: the sweeper
  // thread, or simulate() when there is none.
  void expire_due(uint64_t now_ms, bool to_the_ms = false);
  // Slots looked at by expiry so far (wheel copies and walks): tests and bench/ read it.
  uint64_t expiry_checks() const { return expiry_checks_.load(std::memory_order_relaxed); }
  // Expire entries in [begin, end) whose time has come, by walking the slots: the slow safety
  // net behind the wheel; returns the earliest expiry left there.
  uint64_t sweep(uint64_t now_ms, size_t begin, size_t end);
  // Turn tombstones in [begin, end) back into empty slots where they end a run.
  void maintain_table(size_t begin = 0, size_t end = SIZE_MAX);

  ConnTable& table() { return table_; }
  const ConnTable& table() const { return table_; }
  ControlQueue& control() { return control_; }
  void set_own_mac(uint64_t mac) { own_mac_.store(mac, std::memory_order_relaxed); }
  uint64_t own_mac() const { return own_mac_.load(std::memory_order_relaxed); }
  template <class F> void for_each_real(F f) const {
    std::lock_guard<std::mutex> g(ctl_mu_);
    registry_.for_each(f);
  }

 private:
  Verdict to_control(WorkerSlot& w, const uint8_t* frame, uint32_t len,
                     ControlQueue::Lane lane = ControlQueue::LANE_OTHER);
  // ARP and neighbour discovery, within their budgets.
  Verdict process_arp(WorkerSlot& w, const uint8_t* frame, uint32_t len, const ParsedFrame& p,
                      uint64_t now_ms);
  static Verdict drop(WorkerSlot& w, DropReason why) {
    w.frames.drop(why);
    return V_DROP;
  }
  static Verdict ignore(WorkerSlot& w) {
    ++w.frames.ignored;
    return V_IGNORE;
  }
  Verdict process_icmp(WorkerSlot& w, uint8_t* frame, uint32_t len, const ParsedFrame& p,
                       uint64_t now_ms, bool csum_not_ready, const Snapshot& snap,
                       uint32_t max_len);
  Verdict process_later_fragment(WorkerSlot& w, uint8_t* frame, uint32_t len, const ParsedFrame& p,
                                 uint64_t now_ms, const Snapshot& snap, uint32_t max_len);
  // Rewrites the MACs toward the real server and counts the frame for it and its service.
  Verdict forward(WorkerSlot& w, uint8_t* frame, const ParsedFrame& p, uint32_t real_id,
                  const Real& real, uint32_t service_row);
  // Real id picked for a new flow, or 0.
  uint32_t schedule(const Service& svc, const ConnKey& k, uint64_t now_ms);
  // Slot idx locked and holding the packet's entry; unlocked on return. 0 = no (live) entry; else
  // the real id. Refreshes state and timeout. An entry that must not carry this packet (a new SYN
  // on a closing connection, IPVS's conn_reuse_mode; a real server gone, expire_nodest_conn) is
  // expired so that the packet schedules afresh.
  uint32_t touch_conn(WorkerSlot& w, size_t idx, const ParsedFrame& p, uint64_t now_ms);
  // Real id of the new entry, or 0 with *why set.
  uint32_t new_conn(WorkerSlot& w, const Service& svc, const ConnKey& k, uint32_t h,
                    const ParsedFrame& p, uint64_t now_ms, DropReason* why);
  // An embryonic entry's timeout: as its state says, shorter under pressure.
  uint32_t embryonic_timeout(uint32_t state_timeout_s) const;
  // Evicts the least recently seen embryonic entry among the slots a key with hash h probes;
  // false when there is none (the table is full of connections that proved themselves).
  bool evict_embryonic(WorkerSlot& w, uint32_t h, uint64_t now_ms);
  // Whether an entry on `real` in this state must give way to this packet.
  bool must_reschedule(const Slot& s, const Real* real, const ParsedFrame& p) const;
  // A persistence template still binds its clients to its real server.
  bool template_valid(const Service& svc, const Slot& ts, uint64_t now_ms) const;
  // The persistence template's real server for this flow (scheduled when it has none);
  // *tpl = its slot. 0 with *why set when none.
  uint32_t bind_template(const Service& svc, const ConnKey& k, uint64_t now_ms, int64_t* tpl,
                         DropReason* why);
  // Slot locked and FULL on entry; unlocked on return. False if re-armed (template in use).
  bool expire_locked(size_t idx, uint64_t now_ms);
  void count_change(Real* r, int d_active, int d_inact, int d_persist);
  // The entry in slot idx (locked) now expires at t; was = its expiry before (0: not known, the
  // wheel then looks). A refresh to a later time leaves the wheel as it is: the entry is filed no
  // later than it was, and that visit files it again. Per packet, that is one compare.
  void note_expiry(size_t idx, uint64_t t, uint64_t was = 0) {
    if (was != 0 && t >= was) return;
    wheel_.note(idx, t);
  }
  // A wheel copy's slot: expired if due, else filed again at its expiry.
  void expire_filed(size_t idx, uint64_t now_ms);
  // The wheel overflowed: every live slot is filed again (expired if due) from one walk.
  void refile_all(uint64_t now_ms);
  // Whether this director forwards for addr now (active_all_, active_); ctl_mu_ held.
  bool forwards_for(const Addr& addr) const;
  void rebuild_locked(uint64_t now_ms);
  // Encodes the entry of a locked slot as a sync record; 0 when it cannot be (real server gone).
  size_t sync_record(const SlotView& v, uint8_t* out) const;
  // After a connection's slot is unlocked: queue its record, then its template's (as IPVS).
  void sync_queue_conn(WorkerSlot& w, const uint8_t* rec, size_t len, uint32_t tpl_plus1, uint64_t now_ms);
  bool sync_state_periodic(uint8_t proto, uint8_t state) const;

  // Sums of a service's (or a real server's) row over the worker slots.
  CounterTotals row_sums(bool service, uint32_t row) const;

  // Every slot made stays listed, attached or not: its counts are in the totals. Slots are made
  // and handed out under workers_mu_; readers of the counters take none.
  std::atomic<WorkerSlot*> workers_[kMaxWorkers] = {};
  std::atomic<size_t> nworkers_{0};
  std::mutex workers_mu_;
  bool worker_busy_[kMaxWorkers] = {};

  ConnTable table_;
  Timeouts timeouts_;
  RealRegistry registry_;
  ControlQueue control_;
  FragTable frags_;
  RateBudget echo_budget_{Policy().echo_per_second};
  RateBudget arp_request_budget_{Policy().arp_per_second};
  RateBudget arp_reply_budget_{Policy().arp_per_second};
  RateBudget nd_budget_{Policy().nd_per_second};
  RateBudget nd_advert_budget_{Policy().nd_per_second};
  std::atomic<uint32_t> policy_{POLICY_EXPIRE_NODEST_UDP};
  std::atomic<size_t> pressure_entries_{SIZE_MAX};
  std::atomic<uint32_t> pressure_timeout_s_{5};
  uint32_t mh_table_size_;
  // Written by setInterface() while the old interface's workers may still read it.
  std::atomic<uint64_t> own_mac_{0};
  std::shared_ptr<const Snapshot> snap_;
  TimerWheel wheel_;
  std::atomic<uint64_t> expiry_checks_{0};

  // Control side state, guarded by ctl_mu_.
  mutable std::mutex ctl_mu_;
  std::vector<ServiceConfig> configs_;
  std::unordered_map<std::string, std::shared_ptr<CounterRow>> service_stats_;
  RowPool service_rows_;
  std::unordered_map<std::string, std::shared_ptr<SchedSlot>> scheds_;
  struct Neighbour {
    uint64_t mac = 0;    // last learnt
    bool valid = false;  // confirmed now
  };
  std::unordered_map<std::string, Neighbour> neighbours_;
  bool active_all_ = true;
  std::vector<Addr> active_;
  SyncQueue sync_;
  std::atomic<uint64_t> sync_skipped_{0};
  std::unordered_map<std::string, double> loads_;
};

// A worker slot held for a scope (the native harnesses, simulate()).
class WorkerLease {
 public:
  explicit WorkerLease(Dataplane& dp) : dp_(dp), w_(dp.attach_worker()) {}
  ~WorkerLease() {
    if (w_) dp_.detach_worker(w_);
  }
  WorkerLease(const WorkerLease&) = delete;
  WorkerLease& operator=(const WorkerLease&) = delete;
  explicit operator bool() const { return w_ != nullptr; }
  WorkerSlot& operator*() const { return *w_; }

 private:
  Dataplane& dp_;
  WorkerSlot* w_;
};

}  // namespace pivs
