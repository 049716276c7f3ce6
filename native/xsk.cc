#include "xsk.h"

#include <dirent.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace pivs {

namespace {

struct VipKey {
  uint8_t family;
  uint8_t pad[3];
  uint8_t addr[16];
};

bool fail(std::string* err, const std::string& what, int code) {
  *err = what + ": " + std::strerror(code < 0 ? -code : code);
  return false;
}

}  // namespace

bool XdpProgram::attach(const XdpLib* lib, const std::string& object_path, int ifindex,
                        std::string* err) {
  lib_ = lib;
  obj_ = lib->object_open_file(object_path.c_str(), nullptr);
  if (!obj_) return fail(err, "cannot open the XDP program " + object_path, errno);
  int rc = lib->object_load(obj_);
  if (rc) {
    close();
    return fail(err, "the kernel refused the XDP program", rc);
  }
  bpf_program* prog = lib->find_program_by_name(obj_, "pivs_xdp");
  xsks_fd_ = lib->find_map_fd_by_name(obj_, "pivs_xsks");
  vips_fd_ = lib->find_map_fd_by_name(obj_, "pivs_vips");
  if (!prog || xsks_fd_ < 0 || vips_fd_ < 0) {
    close();
    *err = "the XDP program " + object_path + " lacks pivs_xdp or its maps";
    return false;
  }
  int prog_fd = lib->program_fd(prog);
  for (XdpMode m : {XdpMode::Native, XdpMode::Generic}) {
    bpf_link_create_opts opts{};
    opts.sz = sizeof opts;
    opts.flags = m == XdpMode::Native ? XDP_FLAGS_DRV_MODE : XDP_FLAGS_SKB_MODE;
    link_fd_ = lib->link_create(prog_fd, ifindex, BPF_XDP, &opts);
    if (link_fd_ >= 0) {
      mode_ = m;
      return true;
    }
    rc = link_fd_;
  }
  close();
  return fail(err, "cannot attach the XDP program (another program on the interface?)", rc);
}

void XdpProgram::close() {
  if (link_fd_ >= 0) ::close(link_fd_);
  link_fd_ = -1;
  if (obj_) lib_->object_close(obj_);
  obj_ = nullptr;
  xsks_fd_ = vips_fd_ = -1;
}

bool XdpProgram::set_socket(uint32_t queue, int xsk_fd, std::string* err) {
  int rc = lib_->map_update_elem(xsks_fd_, &queue, &xsk_fd, BPF_ANY);
  return rc == 0 || fail(err, "cannot add the XSK socket to the XDP program", rc);
}

void XdpProgram::set_vips(const std::vector<Addr>& vips) {
  // Add the new ones first, so an address that stays is never missing.
  std::vector<VipKey> keep;
  for (const Addr& a : vips) {
    VipKey k{};
    k.family = a.family;
    std::memcpy(k.addr, a.bytes, 16);
    uint8_t one = 1;
    lib_->map_update_elem(vips_fd_, &k, &one, BPF_ANY);
    keep.push_back(k);
  }
  std::vector<VipKey> gone;
  VipKey cur{}, next{};
  const void* prev = nullptr;
  while (lib_->map_get_next_key(vips_fd_, prev, &next) == 0) {
    bool wanted = false;
    for (const auto& k : keep) wanted = wanted || std::memcmp(&k, &next, sizeof k) == 0;
    if (!wanted) gone.push_back(next);
    cur = next;
    prev = &cur;
  }
  for (const auto& k : gone) lib_->map_delete_elem(vips_fd_, &k);
}

bool XskSocket::open(const XdpLib* lib, const std::string& ifname, uint32_t queue, XdpMode mode,
                     uint32_t frame_size, std::string* err) {
  lib_ = lib;
  frame_size_ = frame_size;
  area_len_ = size_t(kFrames) * frame_size;
  void* m = mmap(nullptr, area_len_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (m == MAP_FAILED) return fail(err, "cannot map the UMEM", errno);
  area_ = static_cast<uint8_t*>(m);
  xsk_umem_config uc{};
  uc.fill_size = kFrames;  // every frame can wait in the fill ring
  uc.comp_size = kRingSize;
  uc.frame_size = frame_size;
  uc.frame_headroom = 0;
  int rc = lib->umem_create(&umem_, area_, area_len_, &fill, &comp, &uc);
  if (rc) {
    close();
    return fail(err, "cannot register the UMEM", rc);
  }
  // Zero-copy needs native mode and driver support; copy mode works everywhere.
  for (bool zc : {true, false}) {
    if (zc && mode != XdpMode::Native) continue;
    xsk_socket_config sc{};
    sc.rx_size = kRingSize;
    sc.tx_size = kRingSize;
    sc.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD;
    sc.xdp_flags = mode == XdpMode::Native ? XDP_FLAGS_DRV_MODE : XDP_FLAGS_SKB_MODE;
    sc.bind_flags = uint16_t(XDP_USE_NEED_WAKEUP | (zc ? XDP_ZEROCOPY : XDP_COPY));
    rc = lib->socket_create(&xsk_, ifname.c_str(), queue, umem_, &rx, &tx, &sc);
    if (rc == 0) {
      zero_copy_ = zc;
      break;
    }
    xsk_ = nullptr;
  }
  if (!xsk_) {
    close();
    return fail(err, "cannot bind an AF_XDP socket to " + ifname + " queue " + std::to_string(queue), rc);
  }
  uint32_t idx = 0;
  uint32_t n = xsk_ring_prod__reserve(&fill, kFrames, &idx);
  for (uint32_t i = 0; i < n; ++i) *xsk_ring_prod__fill_addr(&fill, idx + i) = uint64_t(i) * frame_size;
  xsk_ring_prod__submit(&fill, n);
  return true;
}

int XskSocket::fd() const { return xsk_ ? lib_->socket_fd(xsk_) : -1; }

void XskSocket::close() {
  if (xsk_) lib_->socket_delete(xsk_);
  xsk_ = nullptr;
  if (umem_) lib_->umem_delete(umem_);
  umem_ = nullptr;
  if (area_) munmap(area_, area_len_);
  area_ = nullptr;
}

uint32_t rx_queue_count(const std::string& ifname) {
  std::string dir = "/sys/class/net/" + ifname + "/queues";
  DIR* d = opendir(dir.c_str());
  if (!d) return 1;
  uint32_t n = 0;
  while (dirent* e = readdir(d)) n += std::strncmp(e->d_name, "rx-", 3) == 0;
  closedir(d);
  return n ? n : 1;
}

}  // namespace pivs
