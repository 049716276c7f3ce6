// The AF_XDP backend's kernel objects: the XDP program on the interface (its maps say which
// frames come to pivs) and one XSK socket per receive queue with its UMEM. Forwarded frames leave
// from the very UMEM frame they arrived in: the RX descriptor goes to the TX ring as it is.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tables.h"
#include "xdp_lib.h"

namespace pivs {

// How the program is attached and the sockets bound, best first.
enum class XdpMode { Native, Generic };

class XdpProgram {
 public:
  ~XdpProgram() { close(); }
  // Loads the program from `object_path` and attaches it by a BPF link (which the kernel drops
  // with the process, so a kill -9 leaves no program on the NIC): native mode, else generic.
  bool attach(const XdpLib* lib, const std::string& object_path, int ifindex, std::string* err);
  void close();
  XdpMode mode() const { return mode_; }
  bool set_socket(uint32_t queue, int xsk_fd, std::string* err);
  // Makes the redirected virtual addresses exactly `vips`.
  void set_vips(const std::vector<Addr>& vips);

 private:
  const XdpLib* lib_ = nullptr;
  bpf_object* obj_ = nullptr;
  int link_fd_ = -1;
  int xsks_fd_ = -1;
  int vips_fd_ = -1;
  XdpMode mode_ = XdpMode::Native;
};

class XskSocket {
 public:
  static constexpr uint32_t kFrames = 4096;
  static constexpr uint32_t kRingSize = 2048;
  ~XskSocket() { close(); }
  // frame_size: 2048 or 4096 (what the MTU needs). Zero-copy when the driver allows, else copy.
  bool open(const XdpLib* lib, const std::string& ifname, uint32_t queue, XdpMode mode,
            uint32_t frame_size, std::string* err);
  void close();
  int fd() const;
  bool zero_copy() const { return zero_copy_; }
  uint32_t frame_size() const { return frame_size_; }
  uint8_t* data(uint64_t addr) const { return area_ + addr; }

  xsk_ring_cons rx{};
  xsk_ring_prod tx{};
  xsk_ring_prod fill{};
  xsk_ring_cons comp{};

 private:
  const XdpLib* lib_ = nullptr;
  uint8_t* area_ = nullptr;
  size_t area_len_ = 0;
  uint32_t frame_size_ = 2048;
  xsk_umem* umem_ = nullptr;
  xsk_socket* xsk_ = nullptr;
  bool zero_copy_ = false;
};

// Receive queues of the interface (/sys/class/net/IF/queues/rx-*); at least 1.
uint32_t rx_queue_count(const std::string& ifname);

}  // namespace pivs
