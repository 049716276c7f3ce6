// The AF_XDP side of Workers (worker.h): the XDP program and sockets, the per-queue workers, and
// the thread that reads the ARP/NDP copies and keeps the program's VIP map current.
#include <arpa/inet.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "clock.h"
#include "worker.h"

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

namespace pivs {

namespace {

constexpr uint32_t kBatch = 64;
// The kernel puts this much before each frame in a UMEM chunk (XDP_PACKET_HEADROOM).
constexpr uint32_t kXdpHeadroom = 256;

// ARP, and ICMPv6 neighbour solicitations/advertisements (IPv6 next header 58 at 20, type at 54):
// what the XDP program passes that pivs must also see (answers to its own requests, claims).
sock_filter kCopiesFilter[] = {
    {0x28, 0, 0, 12},     {0x15, 6, 0, 0x0806}, {0x15, 0, 6, 0x86dd}, {0x30, 0, 0, 20},
    {0x15, 0, 4, 58},     {0x30, 0, 0, 54},     {0x15, 1, 0, 135},    {0x15, 0, 1, 136},
    {0x06, 0, 0, 0x40000}, {0x06, 0, 0, 0},
};

}  // namespace

std::string Workers::xdp_mode() const {
  if (!xdp_) return "";
  bool zc = !xsks_.empty() && xsks_[0]->zero_copy();
  return std::string(xdp_->mode() == XdpMode::Native ? "native" : "generic") + (zc ? " zero-copy" : " copy");
}

bool Workers::start_xdp(int workers, const std::string& object, std::string* err) {
  const XdpLib* lib = xdp_lib(err);
  if (!lib) return false;
  uint32_t frame_size = 0;
  for (uint32_t fs : {2048u, 4096u}) {
    if (!frame_size && info_.mtu + 18 <= fs - kXdpHeadroom) frame_size = fs;
  }
  if (!frame_size) {
    *err = "MTU " + std::to_string(info_.mtu) + " is larger than AF_XDP frames hold here (3822)";
    return false;
  }
  uint32_t queues = rx_queue_count(ifname_);
  if (uint32_t(workers) > queues) {
    *err = ifname_ + " has " + std::to_string(queues) + " receive queue(s), fewer than workers: " +
           std::to_string(workers) + " (ethtool -L " + ifname_ + " combined " + std::to_string(workers) + ")";
    return false;
  }
  xdp_ = std::make_unique<XdpProgram>();
  if (!xdp_->attach(lib, object, info_.ifindex, err)) return false;
  if (auto snap = dp_.snapshot()) xdp_->set_vips(snap->vips);
  for (uint32_t q = 0; q < queues; ++q) {
    auto s = std::make_unique<XskSocket>();
    if (!s->open(lib, ifname_, q, xdp_->mode(), frame_size, err)) return false;
    if (!xdp_->set_socket(q, s->fd(), err)) return false;
    xsks_.push_back(std::move(s));
  }
  copies_fd_ = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
  send_fd_ = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
  if (copies_fd_ < 0 || send_fd_ < 0) {
    *err = std::string("cannot open a packet socket: ") + std::strerror(errno);
    return false;
  }
  int one = 1;
  setsockopt(copies_fd_, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one);
  sock_fprog prog{uint16_t(sizeof kCopiesFilter / sizeof kCopiesFilter[0]), kCopiesFilter};
  sockaddr_ll sll{};
  sll.sll_family = AF_PACKET;
  sll.sll_protocol = htons(ETH_P_ALL);
  sll.sll_ifindex = info_.ifindex;
  if (setsockopt(copies_fd_, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog) < 0 ||
      bind(copies_fd_, reinterpret_cast<sockaddr*>(&sll), sizeof sll) < 0) {
    *err = std::string("cannot set up the ARP/NDP socket: ") + std::strerror(errno);
    return false;
  }
  // Queue q is served by worker q % workers.
  int n = std::max(1, std::min(workers, int(queues)));
  for (int w = 0; w < n; ++w) {
    std::vector<XskSocket*> mine;
    for (size_t q = size_t(w); q < xsks_.size(); q += size_t(n)) mine.push_back(xsks_[q].get());
    WorkerSlot* slot = attach_slot(err);
    if (!slot) return false;
    threads_.emplace_back(&Workers::run_xsk_worker, this, std::move(mine), slot);
  }
  WorkerSlot* copies = attach_slot(err);
  if (!copies) return false;
  threads_.emplace_back(&Workers::run_copies, this, copies);
  return true;
}

void Workers::stop_xdp() {
  // The program goes first: with no socket in its map, frames pass to the kernel.
  if (xdp_) xdp_->close();
  xsks_.clear();
  xdp_.reset();
  if (copies_fd_ >= 0) ::close(copies_fd_);
  copies_fd_ = -1;
}

void Workers::run_xsk_worker(std::vector<XskSocket*> sockets, WorkerSlot* w) {
  pthread_setname_np(pthread_self(), "pivs-xsk");
  FrameTally& counters = w->frames;
  const uint32_t max_len = info_.mtu + 18;
  std::vector<pollfd> fds;
  for (auto* s : sockets) fds.push_back({s->fd(), POLLIN, 0});
  std::vector<uint64_t> spare;  // chunks back from TX or not forwarded, for the fill ring
  spare.reserve(XskSocket::kFrames);
  while (!stop_.load(std::memory_order_relaxed)) {
    bool idle = true;
    for (auto* s : sockets) {
      const uint64_t chunk_mask = ~uint64_t(s->frame_size() - 1);
      spare.clear();
      uint32_t idx = 0;
      uint32_t done = xsk_ring_cons__peek(&s->comp, XskSocket::kRingSize, &idx);
      for (uint32_t i = 0; i < done; ++i) spare.push_back(*xsk_ring_cons__comp_addr(&s->comp, idx + i) & chunk_mask);
      xsk_ring_cons__release(&s->comp, done);

      uint32_t got = xsk_ring_cons__peek(&s->rx, kBatch, &idx);
      if (got) {
        idle = false;
        auto snap = dp_.snapshot();  // once per batch: apply() swaps take effect at batch edges
        uint64_t now = monotonic_ms();
        uint32_t sent = 0;
        for (uint32_t i = 0; i < got && i < Dataplane::kPrefetchAhead; ++i) {
          const xdp_desc* a = xsk_ring_cons__rx_desc(&s->rx, idx + i);
          dp_.prefetch_flow(s->data(a->addr), a->len);
        }
        for (uint32_t i = 0; i < got; ++i) {
          if (i + Dataplane::kPrefetchAhead < got) {
            const xdp_desc* a = xsk_ring_cons__rx_desc(&s->rx, idx + i + Dataplane::kPrefetchAhead);
            dp_.prefetch_flow(s->data(a->addr), a->len);
          }
          const xdp_desc* d = xsk_ring_cons__rx_desc(&s->rx, idx + i);
          uint8_t* frame = s->data(d->addr);
          auto verdict = dp_.process(*w, frame, d->len, now, false, *snap, max_len);
          uint32_t t = 0;
          bool room = verdict == Dataplane::V_FORWARD && xsk_ring_prod__reserve(&s->tx, 1, &t) == 1;
          if (verdict == Dataplane::V_FORWARD && !room) {
            // Full: what is reserved goes now, and the kernel's send makes room.
            if (sent) xsk_ring_prod__submit(&s->tx, sent);
            sent = 0;
            sendto(s->fd(), nullptr, 0, MSG_DONTWAIT, nullptr, 0);
            room = xsk_ring_prod__reserve(&s->tx, 1, &t) == 1;
          }
          if (room) {
            // The frame leaves from where it arrived: no copy.
            xdp_desc* out = xsk_ring_prod__tx_desc(&s->tx, t);
            out->addr = d->addr;
            out->len = d->len;
            ++sent;
            continue;
          }
          if (verdict == Dataplane::V_FORWARD) {
            counters.tx -= 1;
            counters.drop(DROP_TX_RING_FULL);
          }
          spare.push_back(d->addr & chunk_mask);
        }
        xsk_ring_cons__release(&s->rx, got);
        if (sent) {
          xsk_ring_prod__submit(&s->tx, sent);
          // Copy mode sends only on a syscall; with need_wakeup, zero-copy only when asked.
          if (!s->zero_copy() || xsk_ring_prod__needs_wakeup(&s->tx)) sendto(s->fd(), nullptr, 0, MSG_DONTWAIT, nullptr, 0);
        }
      }
      if (!spare.empty()) {
        uint32_t f = 0;
        uint32_t n = xsk_ring_prod__reserve(&s->fill, uint32_t(spare.size()), &f);
        for (uint32_t i = 0; i < n; ++i) *xsk_ring_prod__fill_addr(&s->fill, f + i) = spare[i];
        xsk_ring_prod__submit(&s->fill, n);
      }
    }
    if (idle) {
      // Chunks still in the TX ring come back as completions: a kick makes copy mode finish them.
      for (auto* s : sockets) {
        if (xsk_ring_prod__needs_wakeup(&s->tx)) sendto(s->fd(), nullptr, 0, MSG_DONTWAIT, nullptr, 0);
      }
      poll(fds.data(), nfds_t(fds.size()), 100);
    }
  }
}

void Workers::run_copies(WorkerSlot* w) {
  pthread_setname_np(pthread_self(), "pivs-xdp-copies");
  std::vector<uint8_t> buf(65536);
  const void* seen = nullptr;
  while (!stop_.load(std::memory_order_relaxed)) {
    auto snap = dp_.snapshot();
    if (snap.get() != seen) {
      xdp_->set_vips(snap->vips);
      seen = snap.get();
    }
    pollfd pfd{copies_fd_, POLLIN, 0};
    if (poll(&pfd, 1, 100) <= 0) continue;
    for (int i = 0; i < 256; ++i) {
      ssize_t n = recv(copies_fd_, buf.data(), buf.size(), MSG_DONTWAIT);
      if (n <= 0) break;
      // ARP and NDP only (the filter): the fast path's budgets hand them up; nothing is forwarded.
      dp_.process(*w, buf.data(), uint32_t(n), monotonic_ms(), false, *snap, info_.mtu + 18);
    }
  }
}

}  // namespace pivs
