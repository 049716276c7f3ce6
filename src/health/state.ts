// What the health monitor reports of a real server (pivsadm -L, /status, SNMP show it).

/** A real server's health as its checks last saw it. */
export interface HealthState {
  /** unknown until the first round settles it (or, without alpha, until its first success). */
  state: 'up' | 'down' | 'unknown';
  /** The last round: the first failing check's result, or the last check's when all passed. */
  lastResult: { ok: boolean; checker: string; message: string; at: string } | null;
  /** ISO 8601 time of the last change of state, null while it never changed. */
  lastChange: string | null;
  /** One line per configured check, e.g. "http GET /health on 198.18.0.11:80". */
  checks: string[];
  /** The weight a dynamic script check set, when it set one. */
  weight?: number;
}
