// One AF_PACKET socket with a TPACKET_V3 RX ring and a TX ring mapped together.
#pragma once

#include <linux/if_packet.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace pivs {

class PacketRing {
 public:
  PacketRing() = default;
  ~PacketRing() { close(); }
  PacketRing(const PacketRing&) = delete;
  PacketRing& operator=(const PacketRing&) = delete;

  // fanout_id < 0: no fanout group.
  bool open(int ifindex, int fanout_id, std::string* err);
  void close();
  int fd() const { return fd_; }

  size_t rx_blocks() const { return kRxBlocks; }
  tpacket_block_desc* rx_block(size_t i) const {
    return reinterpret_cast<tpacket_block_desc*>(map_ + i * kRxBlockSize);
  }

  // A free TX frame's data area (capacity in *cap), or nullptr when the ring is full.
  uint8_t* tx_acquire(uint32_t* cap);
  void tx_commit(uint32_t len);  // queue the frame last acquired
  void tx_kick();                // ask the kernel to send what is queued

 private:
  static constexpr size_t kRxBlockSize = 1u << 17;
  static constexpr size_t kRxBlocks = 16;
  static constexpr size_t kTxFrameSize = 1u << 11;
  static constexpr size_t kTxBlockSize = 1u << 17;
  static constexpr size_t kTxBlocks = 8;
  static constexpr size_t kTxFrames = kTxBlockSize / kTxFrameSize * kTxBlocks;

  int fd_ = -1;
  uint8_t* map_ = nullptr;
  size_t map_len_ = 0;
  uint8_t* tx_ = nullptr;
  size_t tx_next_ = 0;
  size_t tx_queued_ = 0;
};

}  // namespace pivs
