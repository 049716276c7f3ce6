// The per-real-server health state machine, pure: Unknown / Up / Down with rise and fall.
// Only transitions come out; counting happens inside the state.

export type HealthStatus = 'unknown' | 'up' | 'down';

export interface FsmState {
  status: HealthStatus;
  /** Consecutive successful rounds (counted while not Up). */
  successes: number;
  /** Consecutive failed rounds (counted while not Down). */
  failures: number;
}

export interface FsmParams {
  rise: number;
  fall: number;
  /** keepalived alpha: Unknown counts as Down (one failure confirms it, `rise` successes end it). */
  alpha: boolean;
}

export interface Transition {
  from: HealthStatus;
  to: 'up' | 'down';
}

export const INITIAL: FsmState = { status: 'unknown', successes: 0, failures: 0 };

/** Whether a real server in this status takes new connections. */
export function serving(status: HealthStatus, alpha: boolean): boolean {
  return status === 'up' || (status === 'unknown' && !alpha);
}

export function step(state: FsmState, ok: boolean, p: FsmParams): { state: FsmState; transition: Transition | null } {
  // Without alpha, Unknown is already serving: it behaves as Up except that one success settles it.
  const upLike = state.status === 'up' || (state.status === 'unknown' && !p.alpha);
  if (ok) {
    if (state.status === 'up') return { state: { status: 'up', successes: 0, failures: 0 }, transition: null };
    const successes = state.successes + 1;
    if (upLike || successes >= p.rise) {
      return { state: { status: 'up', successes: 0, failures: 0 }, transition: { from: state.status, to: 'up' } };
    }
    return { state: { ...state, successes, failures: 0 }, transition: null };
  }
  if (state.status === 'down') return { state: { status: 'down', successes: 0, failures: 0 }, transition: null };
  const failures = state.failures + 1;
  if (!upLike || failures >= p.fall) {
    return { state: { status: 'down', successes: 0, failures: 0 }, transition: { from: state.status, to: 'down' } };
  }
  return { state: { ...state, failures, successes: 0 }, transition: null };
}
