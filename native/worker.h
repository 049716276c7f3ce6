// The threads behind an interface: workers that run Dataplane::process() per frame without ever
// calling into JS — on AF_PACKET rings (one socket each, PACKET_FANOUT when there are several) or
// on AF_XDP sockets (one per receive queue, behind the XDP program; xsk.h) — and a sweeper that
// expires connections on the monotonic clock.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "dataplane.h"
#include "netdev.h"
#include "ring.h"
#include "xsk.h"

namespace pivs {

// director.dataplane: Auto tries AF_XDP and falls back to AF_PACKET, saying why.
enum class Backend { Auto, AfXdp, AfPacket };

struct BackendOptions {
  Backend kind = Backend::AfPacket;
  std::string xdp_object;  // the compiled XDP program (build/Release/pivs_xdp.o)
};

class Workers {
 public:
  explicit Workers(Dataplane& dp) : dp_(dp) {}
  ~Workers() { stop(); }
  // state_dir: where the offload record lives (offload_record.h); empty: none kept.
  bool start(const std::string& ifname, int workers, const std::string& state_dir,
             const BackendOptions& backend, std::string* err);
  // What runs: "af_xdp" or "af_packet"; with it, how AF_XDP runs ("native zero-copy", "native
  // copy", "generic copy") and why Auto fell back (empty when it did not).
  const char* backend() const { return xdp_ ? "af_xdp" : "af_packet"; }
  std::string xdp_mode() const;
  const std::string& fallback_reason() const { return fallback_; }
  void stop();  // joins every thread, releases sockets and rings
  // Asks the threads to end without waiting for them (stop() or the destructor joins later).
  void request_stop();
  // Thread-safe: a plain send on its own packet socket.
  bool send_frame(const uint8_t* frame, uint32_t len, std::string* err);
  const NetDevInfo& info() const { return info_; }
  // PACKET_ADD/DROP_MEMBERSHIP (PACKET_MR_UNICAST) on every worker's socket: the NIC filter then
  // lets frames for this MAC (the VRRP virtual MAC) in. JS thread only.
  bool add_mac(uint64_t mac, std::string* err);
  bool remove_mac(uint64_t mac, std::string* err);

 private:
  bool start_xdp(int workers, const std::string& object, std::string* err);
  void stop_xdp();
  void run_worker(PacketRing* ring, WorkerSlot* w);
  void run_xsk_worker(std::vector<XskSocket*> sockets, WorkerSlot* w);
  // AF_XDP: reads the ARP/NDP copies the XDP program passes, and keeps its VIP map current.
  void run_copies(WorkerSlot* w);
  // A counting slot for one thread, given back by stop().
  WorkerSlot* attach_slot(std::string* err);
  void run_sweeper();

  Dataplane& dp_;
  NetDevInfo info_;
  std::string ifname_;
  OffloadState offloads_;
  bool offloads_saved_ = false;
  std::string offload_record_;
  std::atomic<bool> stop_{false};
  // The sweeper sleeps on this (up to a second when idle); request_stop() wakes it at once.
  std::mutex sleep_mu_;
  std::condition_variable sleep_cv_;
  std::vector<std::unique_ptr<PacketRing>> rings_;
  std::vector<std::thread> threads_;
  std::vector<WorkerSlot*> slots_;  // one per ring worker, attached while it runs
  int send_fd_ = -1;
  std::unique_ptr<XdpProgram> xdp_;
  std::vector<std::unique_ptr<XskSocket>> xsks_;
  int copies_fd_ = -1;  // AF_XDP: filtered packet socket (ARP/NDP copies, MAC memberships)
  std::string fallback_;
};

}  // namespace pivs
