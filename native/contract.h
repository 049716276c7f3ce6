// The one table the addon and src/dataplane/ share: scheduler ids, scheduler flag bits, drop
// reasons, connection-policy bits, the connection record layout and the name of every property
// that crosses N-API. C++ expands the lists below; scripts/contract writes
// src/dataplane/contract.ts from this same file, and the build stops while that file is stale.
// The addon also exports the lists (binding_contract.cc), so that an addon built from another
// version of this file is refused when it is loaded.
// scripts/contract reads this file without a preprocessor, so a list holds only X(...) entries and
// other lists, and comments inside a list are /* */ (a // would swallow the line continuation).
#pragma once

#include <cstddef>

// X(SchedKind enumerator, ipvsadm name, id). The ids are the N-API value of a service's sched.
#define PIVS_SCHEDULERS(X) \
  X(RR, "rr", 0)           \
  X(WRR, "wrr", 1)         \
  X(LC, "lc", 2)           \
  X(WLC, "wlc", 3)         \
  X(SED, "sed", 4)         \
  X(NQ, "nq", 5)           \
  X(SH, "sh", 6)           \
  X(DH, "dh", 7)           \
  X(MH, "mh", 8)           \
  X(FO, "fo", 9)           \
  X(OVF, "ovf", 10)        \
  X(TWOS, "twos", 11)      \
  X(LBLC, "lblc", 12)      \
  X(LBLCR, "lblcr", 13)    \
  X(HAS, "has", 14)

// X(SchedFlags enumerator, ipvsadm -b name, bit).
#define PIVS_SCHED_FLAGS(X)        \
  X(SH_FALLBACK, "sh-fallback", 0) \
  X(SH_PORT, "sh-port", 1)         \
  X(MH_FALLBACK, "mh-fallback", 2) \
  X(MH_PORT, "mh-port", 3)

// X(DropReason enumerator, name): why the fast path did not forward a frame it was responsible for
// (or, for evicted, dropped an entry). A reason's counter is its position, and the PIVS-MIB numbers
// its rows by it, so the list only grows at its end. The names are those of /status and /metrics.
#define PIVS_DROP_REASONS(X)                                                                       \
  X(MALFORMED, "malformed")                 /* lengths or the IPv4 header checksum do not hold */ \
  X(TOO_BIG, "tooBig")                      /* larger than the interface can send (GRO left on) */ \
  X(NO_CONNECTION, "noConnection")          /* TCP that opens nothing and matches no entry */      \
  X(NO_REAL_SERVER, "noRealServer")         /* no real server can take a new connection */         \
  X(MAC_UNKNOWN, "macUnknown")              /* the real server's MAC was never learnt */           \
  X(TABLE_FULL, "tableFull")                /* no room for a new entry even after eviction */      \
  X(EVICTED, "evicted")                     /* entries (not frames) evicted under pressure */      \
  X(TX_RING_FULL, "txRingFull")             /* the transmit ring had no free frame */              \
  X(CONTROL_QUEUE_FULL, "controlQueueFull") /* the control plane is behind on ARP/ICMP/VRRP */     \
  X(FRAGMENT_UNKNOWN, "fragmentUnknown")    /* a later fragment whose first one was not seen */    \
  X(ICMP_UNMATCHED, "icmpUnmatched")        /* an ICMP error about no connection of ours */        \
  X(ECHO_RATE_LIMITED, "echoRateLimited")   /* ICMP echo to a VIP above its per-second budget */   \
  X(RX_RING_FULL, "rxRingFull")             /* the kernel found the receive ring full */           \
  X(ARP_RATE_LIMITED, "arpRateLimited")     /* ARP requests or replies above their budget */       \
  X(ND_RATE_LIMITED, "ndRateLimited")       /* IPv6 neighbour discovery above its budget */

// X(ConnPolicy enumerator without POLICY_, bit): IPVS's expire_nodest_conn and
// expire_quiescent_template.
#define PIVS_POLICY_BITS(X)           \
  X(EXPIRE_NODEST_UDP, 0)             \
  X(EXPIRE_NODEST_TCP, 1)             \
  X(EXPIRE_QUIESCENT_TEMPLATE, 2)

// X(field, byte offset) of one record of connections(), little-endian: u8 proto, family, state and
// isTemplate (0/1), u16 ports, f64 milliseconds until it expires, 16-byte addresses.
#define PIVS_CONNECTION_RECORD(X) \
  X(proto, 0)                     \
  X(family, 1)                    \
  X(state, 2)                     \
  X(isTemplate, 3)                \
  X(cport, 4)                     \
  X(vport, 6)                     \
  X(rport, 8)                     \
  X(expiresMs, 16)                \
  X(caddr, 24)                    \
  X(vaddr, 40)                    \
  X(raddr, 56)
#define PIVS_CONNECTION_RECORD_SIZE 72

// Property names, X(name) each, of the objects that cross N-API (their types: src/dataplane/).
#define PIVS_ADDON_EXPORTS(X) X(Dataplane) X(simulateSchedule) X(sdNotify) X(peerCredentials) X(contract)

#define PIVS_DATAPLANE_MEMBERS(X) \
  X(mac)                          \
  X(apply)                        \
  X(setTimeouts)                  \
  X(setConnPolicy)                \
  X(setNeighbour)                 \
  X(setLoad)                      \
  X(stats)                        \
  X(connections)                  \
  X(zero)                         \
  X(counters)                     \
  X(simulate)                     \
  X(sendFrame)                    \
  X(onControlFrames)              \
  X(close)                        \
  X(setActiveAddresses)           \
  X(addMacAddress)                \
  X(removeMacAddress)             \
  X(configureSync)                \
  X(onSyncMessages)               \
  X(flushSync)                    \
  X(installSync)                  \
  X(exportSync)                   \
  X(setInterface)                 \
  X(releaseRetired)               \
  X(backend)

#define PIVS_ADDRESS(X) X(family) X(addr)
#define PIVS_SERVICE_KEY(X) X(proto) PIVS_ADDRESS(X) X(port)
#define PIVS_REAL_SPEC(X) PIVS_ADDRESS(X) X(port) X(weight) X(uThreshold) X(lThreshold) X(down)
#define PIVS_SERVICE_SPEC(X) \
  PIVS_SERVICE_KEY(X)        \
  X(sched)                   \
  X(schedFlags)              \
  X(persistTimeout)          \
  X(netmask)                 \
  X(sloppy)                  \
  X(reals)
#define PIVS_COUNTERS(X) X(conns) X(inpkts) X(inbytes) X(outpkts) X(outbytes)
#define PIVS_REAL_STATS(X) \
  PIVS_ADDRESS(X)          \
  X(port)                  \
  PIVS_COUNTERS(X)         \
  X(activeConns)           \
  X(inactConns)            \
  X(persistConns)          \
  X(overloaded)            \
  X(macResolved)
#define PIVS_SERVICE_STATS(X) PIVS_SERVICE_KEY(X) PIVS_COUNTERS(X) X(reals)
#define PIVS_POLICY(X) \
  X(bits)              \
  X(echoPerSecond)     \
  X(arpPerSecond)      \
  X(ndPerSecond)       \
  X(pressureEntries)   \
  X(pressureTimeoutS)
#define PIVS_CONNECTION_PAGE(X) X(records) X(count) X(next) X(states)
#define PIVS_DATAPLANE_COUNTERS(X) \
  X(rxPackets)                     \
  X(txPackets)                     \
  X(ignored)                       \
  X(dropped)                       \
  X(drops)                         \
  X(connections)                   \
  X(connTableSize)                 \
  X(syncSkipped)                   \
  X(syncDropped)                   \
  X(expiryChecks)
#define PIVS_SCHEDULE_SPEC(X) X(scheduler) X(flags) X(mhTableSize) X(bindConnections) X(reals) X(flows)
#define PIVS_SCHEDULE_REAL(X) \
  X(address)                  \
  X(port)                     \
  X(weight)                   \
  X(activeConns)              \
  X(inactiveConns)            \
  X(mac)                      \
  X(upperThreshold)           \
  X(lowerThreshold)           \
  X(load)
#define PIVS_SCHEDULE_FLOW(X) X(client) X(clientPort) X(vaddr) X(vport) X(nowMs)
#define PIVS_PEER_CREDENTIALS(X) X(pid) X(uid) X(gid) X(groups)
#define PIVS_BACKEND_OPTIONS(X) X(backend) X(xdpObject)
#define PIVS_RUNNING_BACKEND(X) X(backend) X(xdpMode) X(fallback)

// X(namespace, list): every property list. The namespace holds one constant per name, so that
// C++ spells a property only through this table (service_spec::sched); the contract export and
// src/dataplane/contract.ts key the lists by the same names.
#define PIVS_PROPERTY_LISTS(X)                  \
  X(addon_exports, PIVS_ADDON_EXPORTS)          \
  X(dataplane_members, PIVS_DATAPLANE_MEMBERS)  \
  X(address, PIVS_ADDRESS)                      \
  X(service_key, PIVS_SERVICE_KEY)              \
  X(real_spec, PIVS_REAL_SPEC)                  \
  X(service_spec, PIVS_SERVICE_SPEC)            \
  X(counters, PIVS_COUNTERS)                    \
  X(real_stats, PIVS_REAL_STATS)                \
  X(service_stats, PIVS_SERVICE_STATS)          \
  X(policy, PIVS_POLICY)                        \
  X(connection_page, PIVS_CONNECTION_PAGE)      \
  X(dataplane_counters, PIVS_DATAPLANE_COUNTERS) \
  X(schedule_spec, PIVS_SCHEDULE_SPEC)          \
  X(schedule_real, PIVS_SCHEDULE_REAL)          \
  X(schedule_flow, PIVS_SCHEDULE_FLOW)          \
  X(peer_credentials, PIVS_PEER_CREDENTIALS)    \
  X(backend_options, PIVS_BACKEND_OPTIONS)      \
  X(running_backend, PIVS_RUNNING_BACKEND)

#define PIVS_PROPERTY_NAME(name) inline constexpr char name[] = #name;
#define PIVS_PROPERTY_NAMESPACE(ns, list) \
  namespace ns {                          \
  list(PIVS_PROPERTY_NAME)                \
  }
#define PIVS_RECORD_OFFSET(field, offset) inline constexpr size_t field = offset;

namespace pivs {

PIVS_PROPERTY_LISTS(PIVS_PROPERTY_NAMESPACE)

namespace connection_record {
PIVS_CONNECTION_RECORD(PIVS_RECORD_OFFSET)
inline constexpr size_t size = PIVS_CONNECTION_RECORD_SIZE;
}  // namespace connection_record

}  // namespace pivs

#undef PIVS_PROPERTY_NAME
#undef PIVS_PROPERTY_NAMESPACE
#undef PIVS_RECORD_OFFSET
