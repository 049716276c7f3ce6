// What the fast path needs to know about (and set on) its interface, via ioctl.
#pragma once
#include <cstdint>
#include <string>

namespace pivs {

struct NetDevInfo {
  int ifindex = 0;
  uint64_t mac = 0;
  uint32_t mtu = 1500;
};

bool netdev_info(const std::string& ifname, NetDevInfo* info, std::string* err);

// Turns GRO, LRO, GSO and TSO off so frames reach the rings at MTU size and can be sent out as
// they came. Best effort (drivers without a setting keep theirs); nothing is restored on close:
// an interface pivsd forwards on should stay that way.
void netdev_disable_offloads(const std::string& ifname);

}  // namespace pivs
