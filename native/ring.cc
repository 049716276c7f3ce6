#include "ring.h"

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

namespace pivs {

namespace {
bool fail(std::string* err, const char* what) {
  *err = std::string(what) + ": " + std::strerror(errno);
  return false;
}
constexpr size_t kTxDataOff = TPACKET_ALIGN(sizeof(tpacket3_hdr));
}  // namespace

uint32_t PacketRing::tx_capacity() const { return uint32_t(tx_frame_size_ - kTxDataOff); }

bool PacketRing::open(int ifindex, int fanout_id, uint32_t mtu, std::string* err) {
  // A power of two, so that frames tile the TX blocks: the MTU plus Ethernet and 802.1Q headers.
  tx_frame_size_ = 1u << 11;
  while (tx_frame_size_ < kTxDataOff + mtu + 18 && tx_frame_size_ < kTxBlockSize) tx_frame_size_ <<= 1;
  tx_frames_ = kTxBlockSize / tx_frame_size_ * kTxBlocks;
  fd_ = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return fail(err, "cannot open a packet socket (needs CAP_NET_RAW)");
  int v3 = TPACKET_V3, one = 1;
  if (setsockopt(fd_, SOL_PACKET, PACKET_VERSION, &v3, sizeof v3) < 0) {
    return fail(err, "TPACKET_V3 unsupported");
  }
  // Forwarded frames go straight to the driver; our own frames must not loop back to us.
  setsockopt(fd_, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof one);
  setsockopt(fd_, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one);

  tpacket_req3 rx{};
  rx.tp_block_size = kRxBlockSize;
  rx.tp_block_nr = kRxBlocks;
  rx.tp_frame_size = kRxFrameSize;
  rx.tp_frame_nr = kRxBlockSize / kRxFrameSize * kRxBlocks;
  rx.tp_retire_blk_tov = 1;  // ms: a half-empty block is handed over quickly (latency)
  if (setsockopt(fd_, SOL_PACKET, PACKET_RX_RING, &rx, sizeof rx) < 0) {
    return fail(err, "cannot set up the RX ring");
  }
  tpacket_req3 tx{};
  tx.tp_block_size = kTxBlockSize;
  tx.tp_block_nr = kTxBlocks;
  tx.tp_frame_size = uint32_t(tx_frame_size_);
  tx.tp_frame_nr = uint32_t(tx_frames_);
  if (setsockopt(fd_, SOL_PACKET, PACKET_TX_RING, &tx, sizeof tx) < 0) {
    return fail(err, "cannot set up the TX ring");
  }
  map_len_ = kRxBlockSize * kRxBlocks + kTxBlockSize * kTxBlocks;
  void* m = mmap(nullptr, map_len_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_LOCKED, fd_, 0);
  if (m == MAP_FAILED) m = mmap(nullptr, map_len_, PROT_READ | PROT_WRITE, MAP_SHARED, fd_, 0);
  if (m == MAP_FAILED) return fail(err, "cannot map the packet rings");
  map_ = static_cast<uint8_t*>(m);
  tx_ = map_ + kRxBlockSize * kRxBlocks;

  sockaddr_ll sll{};
  sll.sll_family = AF_PACKET;
  sll.sll_protocol = htons(ETH_P_ALL);
  sll.sll_ifindex = ifindex;
  if (bind(fd_, reinterpret_cast<sockaddr*>(&sll), sizeof sll) < 0) {
    return fail(err, "cannot bind the packet socket");
  }
  if (fanout_id >= 0) {
    // Hash fanout keeps every packet of a flow on one worker, and every fragment of a datagram
    // (the kernel hashes fragments by their addresses only). No FLAG_DEFRAG: fragments are
    // forwarded as they came, matched by the fragment table, never reassembled past the MTU.
    int arg = (fanout_id & 0xffff) | (PACKET_FANOUT_HASH << 16);
    if (setsockopt(fd_, SOL_PACKET, PACKET_FANOUT, &arg, sizeof arg) < 0) {
      return fail(err, "cannot join the PACKET_FANOUT group");
    }
  }
  return true;
}

void PacketRing::close() {
  if (map_) munmap(map_, map_len_);
  map_ = nullptr;
  tx_ = nullptr;
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

uint8_t* PacketRing::tx_acquire(uint32_t* cap) {
  auto* h = reinterpret_cast<tpacket3_hdr*>(tx_ + tx_next_ * tx_frame_size_);
  uint32_t st = __atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE);
  if (st == TP_STATUS_WRONG_FORMAT) st = TP_STATUS_AVAILABLE;  // the kernel refused it: reuse
  if (st != TP_STATUS_AVAILABLE && tx_queued_) {
    // Full of frames not yet handed over: a send takes them (an RX block holds more than the ring).
    tx_kick();
    st = __atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE);
    if (st == TP_STATUS_WRONG_FORMAT) st = TP_STATUS_AVAILABLE;
  }
  if (st != TP_STATUS_AVAILABLE) return nullptr;
  *cap = tx_capacity();
  return reinterpret_cast<uint8_t*>(h) + kTxDataOff;
}

void PacketRing::tx_commit(uint32_t len) {
  auto* h = reinterpret_cast<tpacket3_hdr*>(tx_ + tx_next_ * tx_frame_size_);
  h->tp_len = len;
  h->tp_snaplen = len;
  h->tp_next_offset = 0;
  __atomic_store_n(&h->tp_status, TP_STATUS_SEND_REQUEST, __ATOMIC_RELEASE);
  tx_next_ = (tx_next_ + 1) % tx_frames_;
  // A batch leaves without waiting for the end of the RX block.
  if (++tx_queued_ >= kTxBatch) tx_kick();
}

uint32_t PacketRing::take_rx_drops() {
  tpacket_stats_v3 st{};
  socklen_t len = sizeof st;
  // Reading the statistics resets them.
  if (getsockopt(fd_, SOL_PACKET, PACKET_STATISTICS, &st, &len) < 0) return 0;
  return st.tp_drops;
}

void PacketRing::tx_kick() {
  if (!tx_queued_) return;
  tx_queued_ = 0;
  send(fd_, nullptr, 0, MSG_DONTWAIT);
}

}  // namespace pivs
