// The threads behind an interface: ring workers (one AF_PACKET socket each, PACKET_FANOUT when
// there are several) that run Dataplane::process() per frame without ever calling into JS, and a
// sweeper that expires connections on the monotonic clock.
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

namespace pivs {

class Workers {
 public:
  explicit Workers(Dataplane& dp) : dp_(dp) {}
  ~Workers() { stop(); }
  // state_dir: where the offload record lives (offload_record.h); empty: none kept.
  bool start(const std::string& ifname, int workers, const std::string& state_dir, std::string* err);
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
  void run_worker(PacketRing* ring, WorkerSlot* w);
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
};

}  // namespace pivs
