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
    case SchedKind::RR: return make_rr();
    case SchedKind::WRR: return make_wrr();
    case SchedKind::LC: return make_lc();
    case SchedKind::WLC: return make_wlc();
    case SchedKind::SED: return make_sed();
    case SchedKind::NQ: return make_nq();
    case SchedKind::SH:
      return make_sh(flags & SCHED_F_SH_FALLBACK, flags & SCHED_F_SH_PORT);
    case SchedKind::DH: return make_dh();
    case SchedKind::MH:
      return make_mh(flags & SCHED_F_MH_FALLBACK, flags & SCHED_F_MH_PORT, mh_table_size);
    case SchedKind::FO: return make_fo();
    case SchedKind::OVF: return make_ovf();
    case SchedKind::TWOS: return make_twos();
    case SchedKind::LBLC: return make_lblc();
    case SchedKind::LBLCR: return make_lblcr();
    case SchedKind::HAS: return make_has();
  }
  // An unknown kind can only come from a caller bug; wlc is ipvsadm's default scheduler.
  return make_wlc();
}

}  // namespace pivs
