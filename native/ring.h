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

  // fanout_id < 0: no fanout group. TX frames are sized for the interface's MTU.
  bool open(int ifindex, int fanout_id, uint32_t mtu, std::string* err);
  void close();
  int fd() const { return fd_; }

  size_t rx_blocks() const { return kRxBlocks; }
  tpacket_block_desc* rx_block(size_t i) const {
    return reinterpret_cast<tpacket_block_desc*>(map_ + i * kRxBlockSize);
  }
  // No frame in an RX block is larger.
  static constexpr size_t kMaxRxFrame = 1u << 17;
  // The largest frame a TX frame holds.
  uint32_t tx_capacity() const;

  // A free TX frame's data area (capacity in *cap), or nullptr when the ring is full.
  uint8_t* tx_acquire(uint32_t* cap);
  void tx_commit(uint32_t len);  // queue the frame last acquired
  void tx_kick();                // ask the kernel to send what is queued
  // Frames the kernel dropped since the last call because the RX ring was full.
  uint32_t take_rx_drops();

 private:
  static constexpr size_t kRxBlockSize = kMaxRxFrame;
  static constexpr size_t kRxBlocks = 16;
  static constexpr size_t kRxFrameSize = 1u << 11;  // TPACKET_V3 wants one, but packs frames
  static constexpr size_t kTxBlockSize = 1u << 17;
  static constexpr size_t kTxBlocks = 8;
  static constexpr uint32_t kTxBatch = 64;  // frames queued per send

  size_t tx_frame_size_ = 1u << 11;
  size_t tx_frames_ = 0;

  int fd_ = -1;
  uint8_t* map_ = nullptr;
  size_t map_len_ = 0;
  uint8_t* tx_ = nullptr;
  size_t tx_next_ = 0;
  size_t tx_queued_ = 0;
};

}  // namespace pivs
