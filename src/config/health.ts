// Health settings of the file into the model: defaults filled, each check's options checked
// against its type, a real server's healthCheck laid field by field over its service's.
import { fail } from './errors';
import { parseAddress } from './address';
import {
  DEFAULT_HEALTH_CHECK, type CheckType, type Fallback, type HealthCheck,
  type HealthCheckSpec, type Quorum,
} from './health_model';
import type { VirtualServiceKey } from './model';
import { describeValue } from './shape';

/** A check as written: the model's fields, with `status` still a code or a "min-max" range. */
export type RawCheck = Omit<HealthCheckSpec, 'status'> & { status?: number | string };

export interface RawHealthCheck {
  checks?: RawCheck[];
  interval?: number;
  timeout?: number;
  rise?: number;
  fall?: number;
  retries?: number;
  warmup?: number;
  quiescent?: boolean;
  alpha?: boolean;
  notifyUp?: string[];
  notifyDown?: string[];
}

export interface RawServiceHealth {
  healthCheck?: RawHealthCheck;
  fallback?: { address: string; port?: number };
  quorum?: number;
  hysteresis?: number;
  quorumUp?: string[];
  quorumDown?: string[];
}

/** Options each check type takes besides `type`. */
const OPTIONS: Record<CheckType, readonly (keyof RawCheck)[]> = {
  tcp: ['connectPort'],
  http: ['connectPort', 'path', 'status', 'expect', 'expectRegex', 'digest', 'virtualHost'],
  https: ['connectPort', 'path', 'status', 'expect', 'expectRegex', 'digest', 'virtualHost', 'sni', 'verifyTls'],
  negotiate: ['connectPort', 'protocol', 'send', 'expect'],
  udp: ['connectPort', 'send', 'expect'],
  dns: ['connectPort', 'name', 'queryType', 'expectAddress'],
  script: ['command', 'dynamic'],
};

const REQUIRED: Partial<Record<CheckType, keyof RawCheck>> = {
  negotiate: 'expect', dns: 'name', script: 'command',
};

function normaliseCheck(raw: RawCheck, path: string): HealthCheckSpec {
  const allowed = OPTIONS[raw.type];
  for (const key of Object.keys(raw) as (keyof RawCheck)[]) {
    if (key !== 'type' && !allowed.includes(key)) {
      fail(`${path}.${key}`, `does not apply to a ${raw.type} check (it takes ${allowed.join(', ')})`);
    }
  }
  const required = REQUIRED[raw.type];
  if (required !== undefined && raw[required] === undefined) {
    fail(`${path}.${required}`, `is required for a ${raw.type} check but missing`);
  }
  const { status, digest, expectRegex, expectAddress, ...rest } = raw;
  const spec: HealthCheckSpec = { ...rest };
  if (raw.type === 'http' || raw.type === 'https') {
    spec.path = raw.path ?? '/';
    if (!spec.path.startsWith('/')) fail(`${path}.path`, `${describeValue(spec.path)} must start with "/"`);
    spec.status = parseStatus(status, `${path}.status`);
    if (raw.type === 'https') spec.verifyTls = raw.verifyTls ?? false;
  }
  if (digest !== undefined) {
    if (!/^([0-9a-fA-F]{32}|[0-9a-fA-F]{64})$/.test(digest)) {
      fail(`${path}.digest`, `${describeValue(digest)} is neither an MD5 (32 hex digits) nor a SHA-256 (64 hex digits) digest`);
    }
    spec.digest = digest.toLowerCase();
  }
  if (expectRegex !== undefined) {
    try {
      new RegExp(expectRegex);
    } catch (e) {
      fail(`${path}.expectRegex`, `${describeValue(expectRegex)} is not a valid regular expression (${(e as Error).message})`);
    }
    spec.expectRegex = expectRegex;
  }
  if (expectAddress !== undefined) {
    const parsed = parseAddress(expectAddress);
    if (parsed === null) fail(`${path}.expectAddress`, `${describeValue(expectAddress)} is not an IPv4 or IPv6 address`);
    spec.expectAddress = parsed.address;
  }
  if (raw.type === 'dns') spec.queryType = raw.queryType ?? 'A';
  if (raw.type === 'script') spec.dynamic = raw.dynamic ?? false;
  return spec;
}

function parseStatus(raw: number | string | undefined, path: string): { min: number; max: number } {
  if (raw === undefined) return { min: 200, max: 299 };
  const m = /^(\d{3})(?:-(\d{3}))?$/.exec(String(raw));
  const min = m === null ? NaN : Number(m[1]);
  const max = m === null ? NaN : Number(m[2] ?? m[1]);
  if (!(min >= 100 && max <= 599 && min <= max)) {
    fail(path, `${describeValue(raw)} is not an HTTP status code or range (e.g. 200 or 200-399)`);
  }
  return { min, max };
}

export function normaliseHealthCheck(raw: RawHealthCheck, path: string): HealthCheck {
  if (raw.retries !== undefined && raw.fall !== undefined && raw.retries !== raw.fall) {
    fail(`${path}.retries`, `${raw.retries} contradicts fall ${raw.fall}; they are the same setting, give one`);
  }
  const check: HealthCheck = {
    checks: (raw.checks ?? []).map((c, i) => normaliseCheck(c, `${path}.checks[${i}]`)),
    interval: raw.interval ?? DEFAULT_HEALTH_CHECK.interval,
    timeout: raw.timeout ?? DEFAULT_HEALTH_CHECK.timeout,
    rise: raw.rise ?? DEFAULT_HEALTH_CHECK.rise,
    fall: raw.retries ?? raw.fall ?? DEFAULT_HEALTH_CHECK.fall,
    warmup: raw.warmup ?? DEFAULT_HEALTH_CHECK.warmup,
    quiescent: raw.quiescent ?? DEFAULT_HEALTH_CHECK.quiescent,
    alpha: raw.alpha ?? DEFAULT_HEALTH_CHECK.alpha,
  };
  if (raw.notifyUp !== undefined) check.notifyUp = raw.notifyUp;
  if (raw.notifyDown !== undefined) check.notifyDown = raw.notifyDown;
  return check;
}

/** The service's default check, fallback and quorum, as model fields (absent ones left out). */
export function normaliseServiceHealth(
  raw: RawServiceHealth, path: string, service: VirtualServiceKey, realAddresses: readonly string[],
): { healthCheck?: HealthCheck; fallback?: Fallback; quorum?: Quorum } {
  const out: { healthCheck?: HealthCheck; fallback?: Fallback; quorum?: Quorum } = {};
  if (raw.healthCheck !== undefined) out.healthCheck = normaliseHealthCheck(raw.healthCheck, `${path}.healthCheck`);
  if (raw.fallback !== undefined) out.fallback = normaliseFallback(raw.fallback, `${path}.fallback`, service, realAddresses);
  if (raw.quorum === undefined) {
    for (const key of ['hysteresis', 'quorumUp', 'quorumDown'] as const) {
      if (raw[key] !== undefined) fail(`${path}.${key}`, 'only applies with quorum; set quorum too');
    }
    return out;
  }
  const hysteresis = raw.hysteresis ?? 0;
  if (hysteresis >= raw.quorum) {
    fail(`${path}.hysteresis`, `${hysteresis} must be below quorum ${raw.quorum}, or the quorum could never be lost`);
  }
  const quorum: Quorum = { weight: raw.quorum, hysteresis };
  if (raw.quorumUp !== undefined) quorum.up = raw.quorumUp;
  if (raw.quorumDown !== undefined) quorum.down = raw.quorumDown;
  out.quorum = quorum;
  return out;
}

function normaliseFallback(
  raw: { address: string; port?: number }, path: string, service: VirtualServiceKey, realAddresses: readonly string[],
): Fallback {
  const parsed = parseAddress(raw.address);
  if (parsed === null) fail(`${path}.address`, `${describeValue(raw.address)} is not an IPv4 or IPv6 address`);
  if (parsed.family !== parseAddress(service.address)?.family) {
    fail(`${path}.address`, `${describeValue(parsed.address)} is not of the virtual service's address family`);
  }
  if (realAddresses.includes(parsed.address)) {
    fail(`${path}.address`, `${describeValue(parsed.address)} is also a real server of this virtual service; a fallback must be another host`);
  }
  if (raw.port !== undefined && raw.port !== service.port) {
    fail(`${path}.port`, `${raw.port} differs from the virtual service port ${service.port}; direct routing keeps the destination port, so leave it out`);
  }
  return { address: parsed.address, port: service.port };
}

/** A real server's own check: its fields over the service's; undefined when it has none. */
export function normaliseRealHealth(
  raw: RawHealthCheck | undefined, serviceRaw: RawHealthCheck | undefined, path: string,
): HealthCheck | undefined {
  if (raw === undefined) return undefined;
  const merged: RawHealthCheck = { ...serviceRaw, ...raw };
  // fall and retries are one setting: the real server's, when it gives either, wins whole.
  if (raw.fall !== undefined || raw.retries !== undefined) {
    merged.fall = raw.fall;
    merged.retries = raw.retries;
  }
  return normaliseHealthCheck(merged, path);
}
