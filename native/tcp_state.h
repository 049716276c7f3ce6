// IPVS's TCP state tracking for direct routing: only the client->server direction is seen, so the
// "input-only" transition table applies (IP_VS_CONN_F_NOOUTPUT). Timeouts per state as IPVS's
// defaults; tcp / tcpfin / udp are the ones ipvsadm --set changes.
#pragma once
#include <atomic>
#include <cstdint>

namespace pivs {

enum ConnState : uint8_t {
  CS_NONE, CS_ESTABLISHED, CS_SYN_SENT, CS_SYN_RECV, CS_FIN_WAIT, CS_TIME_WAIT, CS_CLOSE,
  CS_CLOSE_WAIT, CS_LAST_ACK, CS_LISTEN, CS_SYNACK, CS_TCP_COUNT,
  CS_UDP = CS_TCP_COUNT,  // UDP entries have one state
  CS_COUNT,
};

const char* conn_state_name(uint8_t state);

// Next state for a client->server segment with these flags (RST > SYN > FIN > ACK, as IPVS).
uint8_t tcp_next_state(uint8_t state, uint8_t tcp_flags);

// Seconds per state, shared by every worker.
class Timeouts {
 public:
  Timeouts();
  uint32_t get(uint8_t state) const { return secs_[state].load(std::memory_order_relaxed); }
  void set(uint32_t tcp, uint32_t tcpfin, uint32_t udp);

 private:
  std::atomic<uint32_t> secs_[CS_COUNT];
};

}  // namespace pivs
