// The high-availability side of Dataplane: which virtual addresses this director forwards for, and
// connection sync (records queued from the per-packet path, peers' messages installed, the whole
// table exported for a bulk resync). Wire format in sync.h.
#include <algorithm>

#include "dataplane.h"

namespace pivs {

namespace {
constexpr uint32_t kTemplateDefaultTimeout = 3 * 60;  // IPVS, when a record carries none
constexpr uint32_t kMaxTimeout = 0x7fffffff / 1000;
}  // namespace

bool Snapshot::is_active_vip(uint8_t family, const uint8_t* daddr) const {
  for (size_t i = 0; i < vips.size(); ++i) {
    const Addr& a = vips[i];
    if (a.family == family && std::memcmp(a.bytes, daddr, family == 4 ? 4 : 16) == 0) {
      return vip_active[i].load(std::memory_order_relaxed);
    }
  }
  return false;
}

bool Dataplane::forwards_for(const Addr& addr) const {
  return active_all_ || std::find(active_.begin(), active_.end(), addr) != active_.end();
}

void Dataplane::set_active(bool all, std::vector<Addr> addrs, uint64_t) {
  std::lock_guard<std::mutex> g(ctl_mu_);
  active_all_ = all;
  active_ = std::move(addrs);
  // Flags flipped in the snapshot the workers run, rather than a new snapshot: a rebuild would
  // update() every scheduler (Maglev refills its whole table per service) on every takeover.
  // Workers may see the services and addresses flip one by one, as they would see packets
  // arrive a little before or after a takeover.
  auto snap = snapshot();
  for (const auto& svc : snap->services) {
    svc->active.store(forwards_for(svc->cfg.addr), std::memory_order_relaxed);
  }
  for (size_t i = 0; i < snap->vips.size(); ++i) {
    snap->vip_active[i].store(forwards_for(snap->vips[i]), std::memory_order_relaxed);
  }
}

bool Dataplane::sync_state_periodic(uint8_t proto, uint8_t state) const {
  if (proto != PROTO_TCP) return true;
  // IPVS syncs a TCP connection by packet count only in these states (ip_vs_sync_conn_needed).
  return state == CS_ESTABLISHED || state == CS_FIN_WAIT || state == CS_CLOSE ||
         state == CS_CLOSE_WAIT || state == CS_TIME_WAIT;
}

size_t Dataplane::sync_record(const SlotView& v, uint8_t* out) const {
  const Real* real = registry_.get(v.real_id);
  if (!real) return 0;
  ConnKey k;
  table_.key_of_view(v, &k);
  bool tpl = v.flags & SF_TEMPLATE;
  SyncRecord r;
  r.family = k.family;
  r.proto = v.proto;
  // Direct routing, no output packets seen (as IPVS marks every non-NAT connection).
  r.flags = uint32_t(SYNC_F_DROUTE) | uint32_t(SYNC_F_NOOUTPUT);
  if (v.flags & SF_INACTIVE) r.flags |= SYNC_F_INACTIVE;
  if (tpl) r.flags |= SYNC_F_TEMPLATE;
  r.state = (tpl || v.proto != PROTO_TCP) ? 0 : v.state;
  r.cport = k.cport;
  r.vport = k.vport;
  // Direct routing never changes the port: a flow goes to the port the client asked for.
  r.dport = tpl ? real->port : k.vport;
  r.timeout_s = v.timeout_s;
  std::memcpy(r.caddr, k.caddr, 16);
  std::memcpy(r.vaddr, k.vaddr, 16);
  std::memcpy(r.daddr, real->addr.bytes, 16);
  encode_sync_record(r, out);
  return sync_record_size(r.family);
}

void Dataplane::sync_queue_conn(WorkerSlot& w, const uint8_t* rec, size_t len, uint32_t tpl_plus1,
                                uint64_t now) {
  sync_.push(w.sync, rec, len, now);
  if (!tpl_plus1) return;
  // The template goes along with every connection it controls, so peers keep it alive too.
  size_t ti = tpl_plus1 - 1;
  uint8_t trec[kSyncV6Size];
  size_t tlen = 0;
  Slot& ts = table_.lock(ti);
  if (ts.life == SLOT_FULL && (ts.flags & SF_TEMPLATE)) {
    SlotView v;
    table_.view_locked(ti, &v);
    tlen = sync_record(v, trec);
  }
  table_.unlock(ti);
  if (tlen) sync_.push(w.sync, trec, tlen, now);
}

static uint32_t find_real(const Service& svc, const SyncRecord& r) {
  size_t alen = r.family == 6 ? 16 : 4;
  uint32_t same_addr = 0;
  for (size_t i = 0; i < svc.reals.size(); ++i) {
    const Real& real = *svc.reals[i];
    if (real.addr.family != r.family || std::memcmp(real.addr.bytes, r.daddr, alen) != 0) continue;
    if (real.port == r.dport) return svc.real_ids[i];
    // Direct routing ignores the real server's port, so a peer may name another one.
    if (!same_addr) same_addr = svc.real_ids[i];
  }
  return same_addr;
}

int Dataplane::install_sync(const uint8_t* msg, size_t len, uint64_t now, std::string* err) {
  if (!sync_.enabled()) {
    *err = "configureSync() must be called before installSync().";
    return -1;
  }
  std::vector<SyncRecord> records;
  if (!decode_sync_message(msg, len, sync_.settings().syncid, &records, err)) return -1;
  auto snap = snapshot();
  std::lock_guard<std::mutex> g(ctl_mu_);  // real servers stay registered while we bind to them
  uint32_t threshold = sync_.threshold();
  int installed = 0;
  for (const SyncRecord& r : records) {
    const Service* svc = snap->match(r.proto, r.family, r.vaddr, r.vport);
    uint32_t real_id = svc ? find_real(*svc, r) : 0;
    if (!real_id) {
      sync_skipped_.fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    bool tpl = r.flags & SYNC_F_TEMPLATE;
    ConnKey k;
    k.family = r.family;
    k.proto = r.proto;
    k.is_template = tpl;
    k.cport = r.cport;
    k.vport = r.vport;
    std::memcpy(k.caddr, r.caddr, 16);
    std::memcpy(k.vaddr, r.vaddr, 16);
    size_t idx;
    bool created;
    if (table_.insert_locked(k, table_.hash(k), &idx, &created) < 0) {
      sync_skipped_.fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    Slot& s = table_.at(idx);
    uint8_t state = tpl ? uint8_t(CS_NONE) : r.proto == PROTO_UDP ? uint8_t(CS_UDP) : uint8_t(r.state);
    // Kept as touch_conn() keeps it: only an established TCP flow counts as active.
    bool inactive = tpl || state != CS_ESTABLISHED;
    Real* old_real = created ? nullptr : registry_.get(s.real_id);
    bool was_inactive = (s.flags & SF_INACTIVE) != 0;
    if (!created && !tpl && s.real_id != real_id && (r.flags & SYNC_F_INACTIVE)) {
      // IPVS: an inactive record for a flow already bound elsewhere is a stale expiry notice.
      table_.unlock(idx);
      continue;
    }
    bool rebound = !created && s.real_id != real_id;
    s.real_id = real_id;
    s.state = state;
    if (inactive) s.flags |= SF_INACTIVE;
    else s.flags &= uint8_t(~SF_INACTIVE);
    uint32_t timeout = r.timeout_s ? r.timeout_s
                       : tpl       ? kTemplateDefaultTimeout
                                   : timeouts_.get(state);
    s.timeout_s = std::min(timeout, kMaxTimeout);
    s.expires_ms = now + uint64_t(s.timeout_s) * 1000;
    note_expiry(idx, s.expires_ms);
    // As IPVS sets in_pkts: the next sync of this entry comes from the sync rule, not from having
    // been learnt (no ping-pong between peers).
    s.pkts = threshold;

    // Counted before the slot is released, as the packet path does.
    Real* real = registry_.get(real_id);
    if (tpl) {
      if (created || rebound) {
        if (rebound) count_change(old_real, 0, 0, -1);
        count_change(real, 0, 0, 1);
      }
    } else if (created || rebound) {
      if (rebound) count_change(old_real, was_inactive ? 0 : -1, was_inactive ? -1 : 0, 0);
      count_change(real, inactive ? 0 : 1, inactive ? 1 : 0, 0);
    } else if (was_inactive != inactive) {
      count_change(real, inactive ? -1 : 1, inactive ? 1 : -1, 0);
    }
    table_.unlock(idx);
    ++installed;
  }
  return installed;
}

std::vector<std::vector<uint8_t>> Dataplane::export_sync(uint64_t now) {
  SyncSettings st = sync_.settings();
  SyncMessageBuilder builder(st.syncid, st.max_size);
  std::vector<std::vector<uint8_t>> out;
  std::lock_guard<std::mutex> g(ctl_mu_);  // keeps registry entries alive while we read them
  uint8_t rec[kSyncV6Size];
  for (size_t i = 0; i < table_.slots(); ++i) {
    SlotView v;
    table_.read(i, &v);
    if (v.life != SLOT_FULL || v.expires_ms <= now) continue;
    size_t len = sync_record(v, rec);
    if (!len) continue;
    std::vector<uint8_t> sealed;
    if (builder.add(rec, len, &sealed)) out.push_back(std::move(sealed));
  }
  std::vector<uint8_t> last = builder.seal();
  if (!last.empty()) out.push_back(std::move(last));
  return out;
}

}  // namespace pivs
