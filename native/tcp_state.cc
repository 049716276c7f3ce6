#include "tcp_state.h"

#include "parse.h"

namespace pivs {

namespace {
constexpr uint8_t sES = CS_ESTABLISHED, sSS = CS_SYN_SENT, sSR = CS_SYN_RECV,
                  sFW = CS_FIN_WAIT, sTW = CS_TIME_WAIT, sCL = CS_CLOSE, sCW = CS_CLOSE_WAIT,
                  sLA = CS_LAST_ACK, sLI = CS_LISTEN, sSA = CS_SYNACK;

// Rows: syn, fin, ack, rst. Columns: current state. Linux's input-only table.
constexpr uint8_t kInputOnly[4][CS_TCP_COUNT] = {
    {sSR, sES, sES, sSR, sSR, sSR, sSR, sSR, sSR, sSR, sSR},
    {sCL, sFW, sSS, sTW, sFW, sTW, sCL, sCW, sLA, sLI, sTW},
    {sCL, sES, sSS, sES, sFW, sTW, sCL, sCW, sCL, sLI, sES},
    {sCL, sCL, sCL, sSR, sCL, sCL, sCL, sCL, sLA, sLI, sCL},
};

constexpr uint32_t kDefaultSecs[CS_COUNT] = {
    2, 15 * 60, 2 * 60, 60, 2 * 60, 2 * 60, 10, 60, 30, 2 * 60, 2 * 60, 5 * 60,
};

const char* const kNames[CS_COUNT] = {
    "NONE", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT", "TIME_WAIT", "CLOSE",
    "CLOSE_WAIT", "LAST_ACK", "LISTEN", "SYNACK", "UDP",
};
}  // namespace

const char* conn_state_name(uint8_t state) { return state < CS_COUNT ? kNames[state] : "NONE"; }

uint8_t tcp_next_state(uint8_t state, uint8_t flags) {
  if (state >= CS_TCP_COUNT) return state;
  int row;
  if (flags & TCP_RST) row = 3;
  else if (flags & TCP_SYN) row = 0;
  else if (flags & TCP_FIN) row = 1;
  else if (flags & TCP_ACK) row = 2;
  else return state;
  return kInputOnly[row][state];
}

Timeouts::Timeouts() {
  for (int i = 0; i < CS_COUNT; ++i) secs_[i] = kDefaultSecs[i];
}

void Timeouts::set(uint32_t tcp, uint32_t tcpfin, uint32_t udp) {
  // ipvsadm --set: 0 leaves a value unchanged.
  if (tcp) secs_[CS_ESTABLISHED] = tcp;
  if (tcpfin) secs_[CS_FIN_WAIT] = tcpfin;
  if (udp) secs_[CS_UDP] = udp;
}

}  // namespace pivs
