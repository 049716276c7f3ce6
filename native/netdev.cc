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

void netdev_disable_offloads(const std::string& ifname) {
  Fd s;
  if (s.fd < 0) return;
  ethtool_set(s.fd, ifname, ETHTOOL_SGRO, 0);
  ethtool_set(s.fd, ifname, ETHTOOL_SGSO, 0);
  ethtool_set(s.fd, ifname, ETHTOOL_STSO, 0);
  ifreq ifr;
  if (!ifreq_for(ifname, &ifr)) return;
  ethtool_value ev{};
  ev.cmd = ETHTOOL_GFLAGS;
  ifr.ifr_data = reinterpret_cast<char*>(&ev);
  if (ioctl(s.fd, SIOCETHTOOL, &ifr) == 0 && (ev.data & ETH_FLAG_LRO)) {
    ethtool_set(s.fd, ifname, ETHTOOL_SFLAGS, ev.data & ~uint32_t(ETH_FLAG_LRO));
  }
}

}  // namespace pivs
