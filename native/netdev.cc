#include "netdev.h"

#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace pivs {

namespace {
struct Fd {
  int fd;
  Fd() : fd(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) {}
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

bool ifreq_for(const std::string& ifname, ifreq* ifr) {
  std::memset(ifr, 0, sizeof(*ifr));
  if (ifname.empty() || ifname.size() >= IFNAMSIZ) return false;
  std::memcpy(ifr->ifr_name, ifname.c_str(), ifname.size());
  return true;
}

void ethtool_set(int fd, const std::string& ifname, uint32_t cmd, uint32_t value) {
  ifreq ifr;
  if (!ifreq_for(ifname, &ifr)) return;
  ethtool_value ev{};
  ev.cmd = cmd;
  ev.data = value;
  ifr.ifr_data = reinterpret_cast<char*>(&ev);
  ioctl(fd, SIOCETHTOOL, &ifr);
}
}  // namespace

bool netdev_info(const std::string& ifname, NetDevInfo* info, std::string* err) {
  Fd s;
  ifreq ifr;
  if (s.fd < 0 || !ifreq_for(ifname, &ifr)) {
    *err = "invalid interface name '" + ifname + "'";
    return false;
  }
  if (ioctl(s.fd, SIOCGIFINDEX, &ifr) < 0) {
    *err = "interface '" + ifname + "' not found: " + std::strerror(errno);
    return false;
  }
  info->ifindex = ifr.ifr_ifindex;
  if (ioctl(s.fd, SIOCGIFHWADDR, &ifr) == 0) {
    uint64_t mac = 0;
    for (int i = 0; i < 6; ++i) mac = mac << 8 | uint8_t(ifr.ifr_hwaddr.sa_data[i]);
    info->mac = mac;
  }
  if (ioctl(s.fd, SIOCGIFMTU, &ifr) == 0) info->mtu = uint32_t(ifr.ifr_mtu);
  return true;
}

namespace {
// -1: the driver does not say.
int ethtool_get(int fd, const std::string& ifname, uint32_t cmd) {
  ifreq ifr;
  if (!ifreq_for(ifname, &ifr)) return -1;
  ethtool_value ev{};
  ev.cmd = cmd;
  ifr.ifr_data = reinterpret_cast<char*>(&ev);
  if (ioctl(fd, SIOCETHTOOL, &ifr) < 0) return -1;
  return int(ev.data & 0x7fffffff);
}

// Clears or sets ETH_FLAG_LRO, leaving the other flags as they are.
void set_lro(int fd, const std::string& ifname, bool on) {
  int flags = ethtool_get(fd, ifname, ETHTOOL_GFLAGS);
  if (flags < 0) return;
  uint32_t f = uint32_t(flags);
  uint32_t want = on ? (f | ETH_FLAG_LRO) : (f & ~uint32_t(ETH_FLAG_LRO));
  if (want != f) ethtool_set(fd, ifname, ETHTOOL_SFLAGS, want);
}
}  // namespace

OffloadState netdev_disable_offloads(const std::string& ifname) {
  OffloadState before;
  Fd s;
  if (s.fd < 0) return before;
  before.gro = ethtool_get(s.fd, ifname, ETHTOOL_GGRO) > 0;
  before.gso = ethtool_get(s.fd, ifname, ETHTOOL_GGSO) > 0;
  before.tso = ethtool_get(s.fd, ifname, ETHTOOL_GTSO) > 0;
  int flags = ethtool_get(s.fd, ifname, ETHTOOL_GFLAGS);
  before.lro = flags > 0 && (uint32_t(flags) & ETH_FLAG_LRO);
  if (before.gro) ethtool_set(s.fd, ifname, ETHTOOL_SGRO, 0);
  if (before.gso) ethtool_set(s.fd, ifname, ETHTOOL_SGSO, 0);
  if (before.tso) ethtool_set(s.fd, ifname, ETHTOOL_STSO, 0);
  if (before.lro) set_lro(s.fd, ifname, false);
  // What the driver refused to turn off is not ours to turn back on.
  if (before.gro && ethtool_get(s.fd, ifname, ETHTOOL_GGRO) > 0) before.gro = false;
  if (before.gso && ethtool_get(s.fd, ifname, ETHTOOL_GGSO) > 0) before.gso = false;
  if (before.tso && ethtool_get(s.fd, ifname, ETHTOOL_GTSO) > 0) before.tso = false;
  return before;
}

void netdev_restore_offloads(const std::string& ifname, const OffloadState& before) {
  Fd s;
  if (s.fd < 0) return;
  if (before.tso) ethtool_set(s.fd, ifname, ETHTOOL_STSO, 1);
  if (before.gso) ethtool_set(s.fd, ifname, ETHTOOL_SGSO, 1);
  if (before.gro) ethtool_set(s.fd, ifname, ETHTOOL_SGRO, 1);
  if (before.lro) set_lro(s.fd, ifname, true);
}

}  // namespace pivs
