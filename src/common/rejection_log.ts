// Dropped datagrams (sync, heartbeat, agent reports) are said at warn the 1st, 2nd, 4th, 8th...
// time of each reason and at debug otherwise: a flood shows in the log within a few lines, and in
// full in the counters of /status and /metrics.

export interface RejectionLogger {
  warn(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

/** True on the 1st, 2nd, 4th, 8th... time: when a repeated event is worth a line at warn. */
export function onDoubling(times: number): boolean {
  return times > 0 && (times & (times - 1)) === 0;
}

export class RejectionLog<Reason extends string = string> {
  private readonly times = new Map<Reason, number>();

  constructor(private readonly log: RejectionLogger) {}

  /** Counts one more `reason` and logs `msg` with `fields`, `reason` and `times`. */
  note(reason: Reason, fields: object, msg: string): void {
    const n = (this.times.get(reason) ?? 0) + 1;
    this.times.set(reason, n);
    const level = onDoubling(n) ? 'warn' : 'debug';
    this.log[level]({ ...fields, reason, times: n }, msg);
  }
}
