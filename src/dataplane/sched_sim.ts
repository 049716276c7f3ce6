// simulateSchedule(): runs one of the addon's C++ schedulers over synthetic flows, without
// packets, so tests and benches can check what a scheduler picks.
import type { SchedFlag, Scheduler } from '../config/model';
import { loadNative } from './native';

export interface SimulatedRealServer {
  /** IPv4 or IPv6 text. */
  address: string;
  port?: number;
  /** 0..65535; 0 = quiescent. */
  weight: number;
  activeConns?: number;
  inactiveConns?: number;
  /** false: the real server's MAC is unknown, so it must not be picked. Default true. */
  mac?: boolean;
  /** ipvsadm -x: overloaded once active + inactive connections reach it; 0 = none. */
  upperThreshold?: number;
  /** ipvsadm -y: overload clears below it; 0 = below 3/4 of the upper threshold. */
  lowerThreshold?: number;
  /** has: the load index its agent reported (>= 0); absent = no report. */
  load?: number;
}

export interface SimulatedFlow {
  client: string;
  clientPort: number;
  /** Destination address (what dh, lblc and lblcr key on); default: unspecified address. */
  vaddr?: string;
  vport?: number;
  /** Monotonic clock for lblc/lblcr expiry; default 0. */
  nowMs?: number;
}

export interface ScheduleSimulation {
  scheduler: Scheduler;
  flags?: SchedFlag[];
  /** Maglev lookup table size, a prime; default 65537. */
  mhTableSize?: number;
  reals: SimulatedRealServer[];
  flows: SimulatedFlow[];
  /** Each pick adds one active connection to the picked real server, as a real load would. */
  bindConnections?: boolean;
}

/**
 * Index into spec.reals of the real server picked for each flow, -1 where none could take it.
 * Throws a TypeError with one sentence on a malformed spec.
 */
export function simulateSchedule(spec: ScheduleSimulation): Int32Array {
  return loadNative().simulateSchedule(spec);
}
