// Which of a peer's sync records may reach the fast path. A record's timeout is how long its entry
// outlives the last word about it, so a record may not ask for more than this director would give
// the same state itself (IPVS accepts up to 2^31 ms: a forged record pinned a flow for 25 days).
// Separately, peers may fill only a share of the connection table, so this director's own
// clients always find room.
import type { Timeouts } from '../config/model';
import type { IpvsRecord } from './ipvs_records';

/** What the admission rules read of the running configuration (reloads and pivsadm --set change it). */
export interface SyncLimits {
  timeouts(): Timeouts;
  /** Persistence timeout (s) of the virtual service a template names; null: none, or not persistent. */
  persistenceTimeout(protocol: 'tcp' | 'udp', address: string, port: number): number | null;
}

export const TCP_ESTABLISHED = 1;
export const TCP_FIN_WAIT = 4;

/**
 * IPVS's timeouts of the TCP states that `ipvsadm --set` leaves alone (NONE .. SYNACK), as the
 * addon keeps them (native/tcp_state.cc); ESTABLISHED and FIN_WAIT come from the configuration.
 */
const TCP_STATE_SECONDS = [2, 900, 120, 60, 120, 120, 10, 60, 30, 120, 120];
const TCP_STATE_NAMES = ['NONE', 'ESTABLISHED', 'SYN_SENT', 'SYN_RECV', 'FIN_WAIT', 'TIME_WAIT', 'CLOSE',
  'CLOSE_WAIT', 'LAST_ACK', 'LISTEN', 'SYNACK'];

/** The longest timeout a record may carry, and what it is, for the log. */
export function timeoutLimit(r: IpvsRecord, limits: SyncLimits): { seconds: number; of: string } | null {
  const protocol = r.protocol === 6 ? 'tcp' : 'udp';
  if (r.template) {
    const seconds = limits.persistenceTimeout(protocol, r.virtualAddress, r.virtualPort);
    return seconds === null ? null : { seconds, of: `the persistence of ${protocol} ${r.virtualAddress}:${r.virtualPort}` };
  }
  const t = limits.timeouts();
  if (protocol === 'udp') return { seconds: t.udp, of: 'timeouts.udp' };
  if (r.state === TCP_ESTABLISHED) return { seconds: t.tcp, of: 'timeouts.tcp' };
  if (r.state === TCP_FIN_WAIT) return { seconds: t.tcpfin, of: 'timeouts.tcpfin' };
  return { seconds: TCP_STATE_SECONDS[r.state], of: `IPVS's ${TCP_STATE_NAMES[r.state]} timeout` };
}

export interface Admission {
  kept: IpvsRecord[];
  /** Records asking for more time than this director gives their state (or templates of no persistent service). */
  overTimeout: number;
  /** Records beyond the room peers have left in the table. */
  overCap: number;
  /** The first timeout refusal, for the log. */
  firstRefusal: string | null;
}

/** Applies both rules; `room` is how many more entries peers may install now (updates count too: the addon does not say which records are new). */
export function admitRecords(records: readonly IpvsRecord[], limits: SyncLimits, room: number): Admission {
  const out: Admission = { kept: [], overTimeout: 0, overCap: 0, firstRefusal: null };
  for (const r of records) {
    const limit = timeoutLimit(r, limits);
    if (limit === null || r.timeout > limit.seconds) {
      out.overTimeout++;
      out.firstRefusal ??= limit === null
        ? `a template for ${r.virtualAddress}:${r.virtualPort}, which is no persistent virtual service here`
        : `timeout ${r.timeout} s above ${limit.seconds} s (${limit.of})`;
      continue;
    }
    if (out.kept.length >= room) {
      out.overCap++;
      continue;
    }
    out.kept.push(r);
  }
  return out;
}
