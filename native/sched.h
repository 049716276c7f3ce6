// Schedulers: given a virtual service's real servers and the new flow, pick one.
// The dataplane calls pick() from its worker threads on a new connection (or persistence-template
// miss). A scheduler is built once per table snapshot by make_scheduler() and update() is called
// before any pick(), never concurrently with one; pick() may run concurrently on several workers,
// so a scheduler guards its own mutable state (rr position, lblc table...).
// Keeping one scheduler per virtual service across snapshots (update() with the new list rather
// than a new make_scheduler()) keeps the rr/wrr position and the lblc/lblcr tables, as IPVS does;
// mh, sh and dh depend only on the list and its weights, so they never need to be kept.
#pragma once

#include "tables.h"

namespace pivs {

struct FlowInfo {
  Addr client;          // source address of the new flow
  uint16_t client_port; // source port (host order)
  Addr vaddr;           // destination (virtual service) address
  uint16_t vport;       // destination port (host order)
  uint8_t proto;
  uint64_t now_ms;      // monotonic clock, for lblc/lblcr expiry
};

class Scheduler {
 public:
  virtual ~Scheduler() = default;
  // reals is the service's list for this snapshot; weights may also change later through the
  // Real's atomic weight, after which the dataplane calls update() again.
  virtual void update(const RealList& reals) = 0;
  // Index into reals of the chosen real server, or -1 when none can take the flow.
  // A real server with weight 0, no MAC or overloaded is never returned, by any scheduler:
  // sh/mh without their fallback flag return -1 when the hashed server is unusable, and with it
  // probe on (as IPVS) to a usable one.
  virtual int pick(const RealList& reals, const FlowInfo& flow) = 0;
};

std::unique_ptr<Scheduler> make_scheduler(SchedKind kind, uint32_t flags, uint32_t mh_table_size);

// IPVS threshold rule, called by the dataplane whenever a real server's connection counts change:
// overloaded once active+inactive >= u_threshold; cleared once < l_threshold
// (or < 3/4 of u_threshold when l_threshold is 0; at once when both are 0).
void update_overload(Real& real);

}  // namespace pivs
