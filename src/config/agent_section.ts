// pivsd's `agent:` section: where load reports from pivs-agent arrive and how long a silent agent
// is trusted. The schema has checked the shape; this fills defaults and checks the rest.
import { parseAddress } from './address';
import { fail } from './errors';
import { DEFAULT_AGENT_PORT, DEFAULT_AGENT_TIMEOUT_MS, type AgentSettings } from './model';

export interface RawAgentSection {
  listen?: string;
  port?: number;
  key: string;
  keys?: { address: string; key: string }[];
  timeoutMs?: number;
}

/** An HMAC key shorter than this is too easy to guess for a report that moves traffic. */
export const MIN_AGENT_KEY_LENGTH = 16;

export function validateAgentSection(raw: RawAgentSection, path = 'agent'): AgentSettings {
  const listen = raw.listen ?? '0.0.0.0';
  const parsed = parseAddress(listen);
  if (parsed === null) fail(`${path}.listen`, `"${listen}" is not an IPv4 or IPv6 address`);
  if (raw.key.length < MIN_AGENT_KEY_LENGTH) {
    fail(`${path}.key`, `is ${raw.key.length} characters; use at least ${MIN_AGENT_KEY_LENGTH} (the same key every pivs-agent has)`);
  }
  const keys = (raw.keys ?? []).map((k, i) => {
    const address = parseAddress(k.address);
    if (address === null) fail(`${path}.keys[${i}].address`, `"${k.address}" is not an IPv4 or IPv6 address`);
    if (k.key.length < MIN_AGENT_KEY_LENGTH) {
      fail(`${path}.keys[${i}].key`, `is ${k.key.length} characters; use at least ${MIN_AGENT_KEY_LENGTH}`);
    }
    return { address: address.address, key: k.key };
  });
  return {
    listen: parsed.address,
    port: raw.port ?? DEFAULT_AGENT_PORT,
    key: raw.key,
    ...(keys.length > 0 ? { keys } : {}),
    timeoutMs: raw.timeoutMs ?? DEFAULT_AGENT_TIMEOUT_MS,
  };
}
