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

// What netdev_disable_offloads() turned off, so close can turn it back on.
struct OffloadState {
  bool gro = false, gso = false, tso = false, lro = false;
};

// Turns GRO, LRO, GSO and TSO off so frames reach the rings at MTU size and can be sent out as
// they came. Best effort (drivers without a setting keep theirs). Returns what was on before.
OffloadState netdev_disable_offloads(const std::string& ifname);
// Turns back on what netdev_disable_offloads() turned off (a clean shutdown leaves no trace).
void netdev_restore_offloads(const std::string& ifname, const OffloadState& before);

}  // namespace pivs
