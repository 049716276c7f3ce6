// pivs-agent's own settings: a small YAML file on each real server (read by config/agent.ts; the
// agent is not part of pivsd's configuration) with command-line overrides. Pure validation.
import { parseAddress } from '../config/address';
import { MIN_AGENT_KEY_LENGTH } from '../config/agent_section';
import { DEFAULT_AGENT_PORT } from '../config/model';

export interface AgentHealthCheck {
  /** argv of a local script: exit 0 = application up, 1 = down, 2..255 = up with weight code - 2. */
  command: string[];
  timeoutMs: number;
}

export interface AgentConfig {
  /** This real server's address, as the directors' virtual services list it. */
  address: string;
  /** Every director the report goes to. */
  directors: string[];
  port: number;
  key: string;
  periodMs: number;
  /** RAM (MB) of the smallest node of the cluster; null: this node's MemTotal. */
  ramMb: number | null;
  /** Overrides /proc/cpuinfo (needed where the kernel prints no BogoMIPS); null: read it. */
  bogoMips: number | null;
  /** A fixed weight to report; null: none (a health script's 2..255 exit code still gives one). */
  weight: number | null;
  healthCheck: AgentHealthCheck | null;
  /** Where /proc is: "/proc" normally; a test or diagnosis can point it at fixture files. */
  procRoot: string;
}

/** Command-line values; each replaces the file's. */
export interface AgentOverrides {
  address?: string;
  directors?: string[];
  port?: number;
  periodMs?: number;
  ramMb?: number;
  procRoot?: string;
}

export const DEFAULT_PERIOD_MS = 1000;
export const DEFAULT_HEALTH_TIMEOUT_MS = 1000;

export class AgentConfigError extends Error {
  constructor(path: string, detail: string) {
    super(`pivs-agent config: ${path}: ${detail}`);
    this.name = 'AgentConfigError';
  }
}

const KNOWN = ['address', 'directors', 'port', 'key', 'periodMs', 'ramMb', 'bogoMips', 'weight', 'healthCheck', 'procRoot'];

export function validateAgentConfig(doc: unknown, overrides: AgentOverrides = {}): AgentConfig {
  const raw = doc === null || doc === undefined ? {} : doc;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new AgentConfigError('(file)', 'is not a mapping of settings (address, directors, key, ...)');
  }
  const r: Record<string, unknown> = { ...(raw as Record<string, unknown>) };
  const unknown = Object.keys(r).find((k) => !KNOWN.includes(k));
  if (unknown !== undefined) throw new AgentConfigError(unknown, 'is not a known setting');
  for (const [k, v] of Object.entries(overrides)) if (v !== undefined) r[k] = v;

  const address = addressOf(r.address, 'address');
  if (!Array.isArray(r.directors) || r.directors.length === 0) {
    throw new AgentConfigError('directors', 'must list at least one director address');
  }
  const directors = r.directors.map((d, i) => addressOf(d, `directors[${i}]`));
  if (typeof r.key !== 'string' || r.key.length < MIN_AGENT_KEY_LENGTH) {
    throw new AgentConfigError('key', `must be the directors' agent.key, at least ${MIN_AGENT_KEY_LENGTH} characters`);
  }
  let healthCheck: AgentHealthCheck | null = null;
  if (r.healthCheck !== undefined) {
    const h = r.healthCheck as Record<string, unknown>;
    if (typeof h !== 'object' || h === null || !Array.isArray(h.command) || h.command.length === 0
      || !h.command.every((a) => typeof a === 'string')) {
      throw new AgentConfigError('healthCheck.command', 'must be a non-empty list of strings (program and arguments)');
    }
    const extra = Object.keys(h).find((k) => k !== 'command' && k !== 'timeoutMs');
    if (extra !== undefined) throw new AgentConfigError(`healthCheck.${extra}`, 'is not a known setting');
    healthCheck = {
      command: h.command as string[],
      timeoutMs: integer(h.timeoutMs, 'healthCheck.timeoutMs', 10, 600000) ?? DEFAULT_HEALTH_TIMEOUT_MS,
    };
  }
  const procRoot = r.procRoot ?? '/proc';
  if (typeof procRoot !== 'string' || procRoot === '') throw new AgentConfigError('procRoot', 'must be a directory path');
  const bogoMips = r.bogoMips ?? null;
  if (bogoMips !== null && (typeof bogoMips !== 'number' || !Number.isFinite(bogoMips) || bogoMips <= 0)) {
    throw new AgentConfigError('bogoMips', 'must be a number above 0');
  }
  return {
    address,
    directors,
    port: integer(r.port, 'port', 1, 65535) ?? DEFAULT_AGENT_PORT,
    key: r.key,
    periodMs: integer(r.periodMs, 'periodMs', 100, 3600000) ?? DEFAULT_PERIOD_MS,
    ramMb: integer(r.ramMb, 'ramMb', 1, 1 << 30) ?? null,
    bogoMips,
    weight: integer(r.weight, 'weight', 0, 65535) ?? null,
    healthCheck,
    procRoot,
  };
}

function addressOf(value: unknown, path: string): string {
  const parsed = typeof value === 'string' ? parseAddress(value) : null;
  if (parsed === null) throw new AgentConfigError(path, `${JSON.stringify(value ?? null)} is not an IPv4 or IPv6 address`);
  return parsed.address;
}

function integer(value: unknown, path: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new AgentConfigError(path, `${JSON.stringify(value)} is not a whole number from ${min} to ${max}`);
  }
  return value;
}
