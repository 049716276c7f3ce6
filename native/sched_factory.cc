// make_scheduler(): one scheduler object per virtual service and table snapshot.
#include "sched_common.h"

namespace pivs {

uint32_t gcd_u32(uint32_t a, uint32_t b) {
  while (b != 0) {
    uint32_t t = a % b;
    a = b;
    b = t;
  }
  return a;
}

std::unique_ptr<Scheduler> make_scheduler(SchedKind kind, uint32_t flags, uint32_t mh_table_size) {
  switch (kind) {
    case SCHED_RR: return make_rr();
    case SCHED_WRR: return make_wrr();
    case SCHED_LC: return make_lc();
    case SCHED_WLC: return make_wlc();
    case SCHED_SED: return make_sed();
    case SCHED_NQ: return make_nq();
    case SCHED_SH:
      return make_sh(flags & SCHED_F_SH_FALLBACK, flags & SCHED_F_SH_PORT);
    case SCHED_DH: return make_dh();
    case SCHED_MH:
      return make_mh(flags & SCHED_F_MH_FALLBACK, flags & SCHED_F_MH_PORT, mh_table_size);
    case SCHED_FO: return make_fo();
    case SCHED_OVF: return make_ovf();
    case SCHED_TWOS: return make_twos();
    case SCHED_LBLC: return make_lblc();
    case SCHED_LBLCR: return make_lblcr();
  }
  // An unknown kind can only come from a caller bug; wlc is ipvsadm's default scheduler.
  return make_wlc();
}

}  // namespace pivs
