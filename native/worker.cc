#include "worker.h"

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "clock.h"
#include "offload_record.h"

namespace pivs {

namespace {
std::atomic<int> g_fanout_seq{0};
}

bool Workers::start(const std::string& ifname, int workers, const std::string& state_dir,
                    const BackendOptions& backend, std::string* err) {
  if (!netdev_info(ifname, &info_, err)) return false;
  ifname_ = ifname;
  OffloadState found = netdev_disable_offloads(ifname);
  // A record means a pivsd died with the offloads off: what it saw first is the original.
  offload_record_ = state_dir.empty() ? std::string() : offload_record_path(state_dir, ifname);
  if (offload_record_.empty() || !offload_record_load(offload_record_, info_.ifindex, &offloads_)) {
    offloads_ = found;
  }
  if (!offload_record_.empty()) offload_record_save(offload_record_, info_.ifindex, offloads_);
  offloads_saved_ = true;
  dp_.set_own_mac(info_.mac);
  if (backend.kind != Backend::AfPacket) {
    std::string why;
    if (start_xdp(workers, backend.xdp_object, &why)) {
      threads_.emplace_back(&Workers::run_sweeper, this);
      dp_.sync().start_timer();
      return true;
    }
    stop_xdp();
    if (backend.kind == Backend::AfXdp) {
      *err = "AF_XDP on " + ifname + ": " + why;
      stop();
      return false;
    }
    fallback_ = why;
  }
  int fanout = workers > 1 ? ((getpid() * 7 + g_fanout_seq.fetch_add(1)) & 0xffff) : -1;
  for (int i = 0; i < workers; ++i) {
    auto ring = std::make_unique<PacketRing>();
    if (!ring->open(info_.ifindex, fanout, info_.mtu, err)) {
      stop();
      return false;
    }
    rings_.push_back(std::move(ring));
  }
  send_fd_ = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
  if (send_fd_ < 0) {
    *err = std::string("cannot open a packet socket: ") + std::strerror(errno);
    stop();
    return false;
  }
  for (auto& r : rings_) {
    WorkerSlot* w = attach_slot(err);
    if (!w) {
      stop();
      return false;
    }
    threads_.emplace_back(&Workers::run_worker, this, r.get(), w);
  }
  threads_.emplace_back(&Workers::run_sweeper, this);
  dp_.sync().start_timer();
  return true;
}

void Workers::request_stop() {
  {
    std::lock_guard<std::mutex> g(sleep_mu_);
    stop_ = true;
  }
  sleep_cv_.notify_all();
}

void Workers::stop() {
  request_stop();
  for (auto& t : threads_) t.join();
  threads_.clear();
  for (WorkerSlot* w : slots_) dp_.detach_worker(w);
  slots_.clear();
  dp_.sync().stop_timer();
  rings_.clear();
  stop_xdp();
  if (send_fd_ >= 0) ::close(send_fd_);
  send_fd_ = -1;
  if (offloads_saved_) {
    netdev_restore_offloads(ifname_, offloads_);
    if (!offload_record_.empty()) offload_record_remove(offload_record_);
  }
  offloads_saved_ = false;
}

static bool mac_membership(const std::vector<int>& fds, int ifindex, uint64_t mac, int op,
                           std::string* err) {
  packet_mreq mr{};
  mr.mr_ifindex = ifindex;
  mr.mr_type = PACKET_MR_UNICAST;
  mr.mr_alen = 6;
  for (int i = 0; i < 6; ++i) mr.mr_address[i] = uint8_t(mac >> (8 * (5 - i)));
  for (int fd : fds) {
    if (setsockopt(fd, SOL_PACKET, op, &mr, sizeof mr) < 0) {
      *err = std::string(op == PACKET_ADD_MEMBERSHIP ? "cannot add" : "cannot remove") +
             " the MAC address on the interface: " + std::strerror(errno);
      return false;
    }
  }
  return true;
}

// The sockets whose memberships open the NIC's filter: every ring's, or the AF_XDP copies socket.
static std::vector<int> member_fds(const std::vector<std::unique_ptr<PacketRing>>& rings, int copies_fd) {
  std::vector<int> fds;
  for (const auto& r : rings) fds.push_back(r->fd());
  if (copies_fd >= 0) fds.push_back(copies_fd);
  return fds;
}

bool Workers::add_mac(uint64_t mac, std::string* err) {
  return mac_membership(member_fds(rings_, copies_fd_), info_.ifindex, mac, PACKET_ADD_MEMBERSHIP, err);
}

bool Workers::remove_mac(uint64_t mac, std::string* err) {
  return mac_membership(member_fds(rings_, copies_fd_), info_.ifindex, mac, PACKET_DROP_MEMBERSHIP, err);
}

bool Workers::send_frame(const uint8_t* frame, uint32_t len, std::string* err) {
  sockaddr_ll sll{};
  sll.sll_family = AF_PACKET;
  sll.sll_ifindex = info_.ifindex;
  sll.sll_halen = 6;
  std::memcpy(sll.sll_addr, frame, 6);
  if (sendto(send_fd_, frame, len, 0, reinterpret_cast<sockaddr*>(&sll), sizeof sll) < 0) {
    *err = std::string("cannot send the frame: ") + std::strerror(errno);
    return false;
  }
  return true;
}

WorkerSlot* Workers::attach_slot(std::string* err) {
  WorkerSlot* w = dp_.attach_worker();
  if (!w) {
    *err = "too many workers on this dataplane at once";
    return nullptr;
  }
  slots_.push_back(w);
  return w;
}

void Workers::run_worker(PacketRing* ring, WorkerSlot* w) {
  FrameTally& counters = w->frames;
  // An untagged frame is looked at where it lies; a tagged one in a copy with its tag back in: a
  // free TX frame when it fits, else scratch, which holds any frame an RX block can, plus the tag.
  std::vector<uint8_t> scratch(PacketRing::kMaxRxFrame + 4);
  // What may leave: the MTU with Ethernet and 802.1Q headers (frames GRO/GSO merged past it, when
  // those could not be turned off, are dropped as too big), and what a TX frame holds.
  const uint32_t max_len = std::min(info_.mtu + 18, ring->tx_capacity());
  size_t cur = 0;
  uint64_t stats_due = 0;
  while (!stop_.load(std::memory_order_relaxed)) {
    uint64_t t = monotonic_ms();
    if (t >= stats_due) {
      stats_due = t + 1000;
      uint32_t lost = ring->take_rx_drops();
      if (lost) counters.drops[DROP_RX_RING_FULL] += lost;
    }
    tpacket_block_desc* bd = ring->rx_block(cur);
    if (!(__atomic_load_n(&bd->hdr.bh1.block_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER)) {
      pollfd pfd{ring->fd(), POLLIN | POLLERR, 0};
      poll(&pfd, 1, 100);
      continue;
    }
    auto snap = dp_.snapshot();  // once per block: apply() swaps take effect at block edges
    uint64_t now = monotonic_ms();
    uint32_t n = bd->hdr.bh1.num_pkts;
    auto* h = reinterpret_cast<tpacket3_hdr*>(reinterpret_cast<uint8_t*>(bd) +
                                              bd->hdr.bh1.offset_to_first_pkt);
    // The block's frames are a chain: `ahead` walks it kPrefetchAhead frames before `h`.
    auto* ahead = h;
    uint32_t asked = 0;
    for (uint32_t i = 0; i < n; ++i) {
      while (asked < n && asked < i + Dataplane::kPrefetchAhead + 1) {
        dp_.prefetch_flow(reinterpret_cast<uint8_t*>(ahead) + ahead->tp_mac, ahead->tp_snaplen);
        ahead = reinterpret_cast<tpacket3_hdr*>(reinterpret_cast<uint8_t*>(ahead) + ahead->tp_next_offset);
        ++asked;
      }
      auto* next = reinterpret_cast<tpacket3_hdr*>(reinterpret_cast<uint8_t*>(h) + h->tp_next_offset);
      uint8_t* data = reinterpret_cast<uint8_t*>(h) + h->tp_mac;
      uint32_t len = h->tp_snaplen;
      const auto* sll = reinterpret_cast<const sockaddr_ll*>(reinterpret_cast<uint8_t*>(h) +
                                                             TPACKET_ALIGN(sizeof(tpacket3_hdr)));
      bool vlan = h->tp_status & TP_STATUS_VLAN_VALID;
      uint32_t out_len = len + (vlan ? 4 : 0);
      if (sll->sll_pkttype == PACKET_OUTGOING || len < 14) {
        h = next;
        continue;
      }
      if (out_len > scratch.size()) {
        ++counters.rx;
        counters.drop(DROP_TOO_BIG);
        h = next;
        continue;
      }
      bool csum = h->tp_status & TP_STATUS_CSUMNOTREADY;
      if (!vlan) {
        // Parsed and rewritten where it lies in the RX block: only a frame that is forwarded is copied.
        if (dp_.process(*w, data, len, now, csum, *snap, max_len) == Dataplane::V_FORWARD) {
          uint32_t cap = 0;
          uint8_t* out = ring->tx_acquire(&cap);
          if (out) {
            std::memcpy(out, data, len);
            ring->tx_commit(len);
          } else {
            counters.tx -= 1;
            counters.drop(DROP_TX_RING_FULL);
          }
        }
        h = next;
        continue;
      }
      // A tagged frame is looked at with its tag back in (the control plane sees the VLAN too).
      uint32_t cap = 0;
      uint8_t* out = out_len <= max_len ? ring->tx_acquire(&cap) : nullptr;
      bool to_ring = out != nullptr;
      if (!out) out = scratch.data();
      // The kernel strips the 802.1Q tag into the header; put it back so the frame leaves
      // on the same VLAN.
      if (vlan) {
        std::memcpy(out, data, 12);
        uint16_t tpid = (h->tp_status & TP_STATUS_VLAN_TPID_VALID) ? h->hv1.tp_vlan_tpid
                                                                    : uint16_t(ETH_P_8021Q);
        out[12] = uint8_t(tpid >> 8);
        out[13] = uint8_t(tpid);
        out[14] = uint8_t(h->hv1.tp_vlan_tci >> 8);
        out[15] = uint8_t(h->hv1.tp_vlan_tci);
        std::memcpy(out + 16, data + 12, len - 12);
      } else {
        std::memcpy(out, data, len);
      }
      auto verdict = dp_.process(*w, out, out_len, now, csum, *snap, max_len);
      if (verdict == Dataplane::V_FORWARD) {
        if (to_ring) {
          ring->tx_commit(out_len);
        } else {
          counters.tx -= 1;
          counters.drop(DROP_TX_RING_FULL);
        }
      }
      h = next;
    }
    __atomic_store_n(&bd->hdr.bh1.block_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
    cur = (cur + 1) % ring->rx_blocks();
    ring->tx_kick();
  }
}

void Workers::run_sweeper() {
  // Expiry comes from the timer wheel: the entries filed at the seconds passed, not the table.
  // Behind it a slow walk of the table (all of it every kSafetyWalkMs) expires whatever the wheel
  // would have missed, so a bug there cannot keep an entry for ever. While there are tombstones,
  // they are compacted a tenth of the table every 100 ms, from the end down, so a run that
  // crosses a tenth empties in one round; without any, nothing needs the sweeper before the
  // wheel's next second, and it sleeps until then. PIVS_BENCH_SWEEP=walk brings back the sweeper
  // the wheel replaced (the whole table walked every second), for bench/background.ts to compare
  // against; nothing else sets it.
  constexpr int kSteps = 10;
  constexpr uint64_t kStepMs = 100;
  constexpr uint64_t kSafetyWalkMs = 5 * 60 * 1000;
  // Named, so that top -H (and bench/) can tell its CPU from the workers'.
  pthread_setname_np(pthread_self(), "pivs-sweeper");
  const char* bench = std::getenv("PIVS_BENCH_SWEEP");
  const bool full_walk = bench && std::strcmp(bench, "walk") == 0;
  int step = 0;
  size_t walked = 0;
  uint64_t last = monotonic_ms();
  std::unique_lock<std::mutex> sleeping(sleep_mu_, std::defer_lock);
  while (!stop_.load(std::memory_order_relaxed)) {
    uint64_t now = monotonic_ms();
    size_t slots = dp_.table().slots();
    size_t chunk = (slots + kSteps - 1) / kSteps;
    if (full_walk) {
      dp_.sweep(now, size_t(step) * chunk, size_t(step + 1) * chunk);
    } else {
      dp_.expire_due(now);
      // At its pace however long the sleep was.
      size_t part = size_t(uint64_t(slots) * (now - last) / kSafetyWalkMs) + 1;
      dp_.sweep(now, walked, walked + part);
      walked = walked + part >= slots ? 0 : walked + part;
    }
    last = now;
    size_t down = size_t(kSteps - 1 - step);
    dp_.maintain_table(down * chunk, (down + 1) * chunk);
    if (++step == kSteps) step = 0;
    bool busy = full_walk || dp_.table().tombstones() > 0;
    uint64_t wait = busy ? kStepMs : TimerWheel::kTickMs - now % TimerWheel::kTickMs;
    sleeping.lock();
    sleep_cv_.wait_for(sleeping, std::chrono::milliseconds(wait),
                       [this] { return stop_.load(std::memory_order_relaxed); });
    sleeping.unlock();
  }
}

}  // namespace pivs
