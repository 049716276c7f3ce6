// Typed model of real-server health checks, fallback servers and quorum (docs/health.md).
// Kept apart from model.ts so the health surface reads in one place; model.ts re-exports it.

export const CHECK_TYPES = ['tcp', 'http', 'https', 'negotiate', 'udp', 'dns', 'script'] as const;
export type CheckType = (typeof CHECK_TYPES)[number];

export const DNS_QUERY_TYPES = ['A', 'AAAA', 'NS', 'CNAME', 'SOA', 'MX', 'TXT', 'SRV', 'ANY'] as const;
export type DnsQueryType = (typeof DNS_QUERY_TYPES)[number];

/** One check; only the fields of its type are set (validation refuses the others). */
export interface HealthCheckSpec {
  type: CheckType;
  /** Port the check connects to; absent: the real server's (= the service's) port. */
  connectPort?: number;
  /** http/https: request path (default "/"). */
  path?: string;
  /** http/https: accepted status codes, inclusive (default 200 to 299). */
  status?: { min: number; max: number };
  /** http/https/negotiate/udp: a substring the answer must contain. */
  expect?: string;
  /** http/https: a regular expression (JavaScript syntax) the body must match. */
  expectRegex?: string;
  /** http/https: hex MD5 (32 digits, keepalived's digest) or SHA-256 (64 digits) of the body. */
  digest?: string;
  /** http/https: Host header (and the default SNI name). */
  virtualHost?: string;
  /** https: TLS server name sent in the ClientHello; default virtualHost when it is a name. */
  sni?: string;
  /** https: verify the server's certificate (default false, as keepalived's SSL_GET). */
  verifyTls?: boolean;
  /** negotiate: transport (default the service's protocol). */
  protocol?: 'tcp' | 'udp';
  /** negotiate/udp: what to send once connected. */
  send?: string;
  /** dns: the name to ask for. */
  name?: string;
  /** dns: the record type to ask for (default A). */
  queryType?: DnsQueryType;
  /** dns: an address one of the answer's A/AAAA records must hold. */
  expectAddress?: string;
  /** script: argv, run without a shell. */
  command?: string[];
  /** script: exit codes 2-255 mean up with weight = code - 2 (keepalived misc_dynamic). */
  dynamic?: boolean;
}

export interface HealthCheck {
  /** Every check must pass for a round to count as a success; empty: never checked (always up). */
  checks: HealthCheckSpec[];
  /** Seconds between the end of one round and the start of the next. */
  interval: number;
  /** Seconds one check may take before it counts as failed. */
  timeout: number;
  /** Consecutive successful rounds that bring a Down real server Up. */
  rise: number;
  /** Consecutive failed rounds that take an Up real server Down (keepalived's retry). */
  fall: number;
  /** Upper bound, in seconds, of the random delay before the first round. */
  warmup: number;
  /** Down: weight 0, established connections continue (true) or out of the table (false). */
  quiescent: boolean;
  /** keepalived alpha: start Down and wait for `rise` successes (false: start in service). */
  alpha: boolean;
  /** argv run (no shell) when the real server goes Up / Down. */
  notifyUp?: string[];
  notifyDown?: string[];
}

export interface Fallback {
  address: string;
  /** Always the service's port (direct routing keeps the destination port). */
  port: number;
}

export interface Quorum {
  /** Total weight of healthy real servers at or above which the service has its quorum. */
  weight: number;
  /** Quorum is gained at weight + hysteresis and lost below weight - hysteresis. */
  hysteresis: number;
  up?: string[];
  down?: string[];
}

export const DEFAULT_HEALTH_CHECK: Omit<HealthCheck, 'checks'> = {
  interval: 6, timeout: 5, rise: 1, fall: 1, warmup: 0, quiescent: true, alpha: false,
};
