// Turns shape-checked raw items into model objects with defaults filled, enforcing the rules a
// schema cannot express. The config file and the control socket both go through these, so a
// virtual service or real server is accepted or refused the same way wherever it comes from.
import { fail } from './errors';
import { notUnicastReason, parseAddress, type Family } from './address';
import {
  DEFAULT_PERSISTENCE_TIMEOUT, type Persistence, type Protocol, type RealServer, type SchedFlag,
  type Scheduler, type VirtualServiceKey,
} from './model';
import { describeValue } from './shape';

export const DEFAULT_SCHEDULER: Scheduler = 'wlc';
export const DEFAULT_WEIGHT = 1;

export interface RawRealServer {
  address: string;
  port?: number;
  forward?: 'dr';
  weight?: number;
  upperThreshold?: number;
  lowerThreshold?: number;
}

export interface RawServiceSettings {
  protocol: Protocol;
  address: string;
  port: number;
  scheduler?: Scheduler;
  schedFlags?: SchedFlag[];
  persistence?: { timeout?: number; netmask?: string | number };
  sloppy?: boolean;
  dynamicWeights?: boolean;
}

/** The service fields -A sets (mirrors control/protocol.ts ServiceSettings). */
export interface NormalisedSettings extends VirtualServiceKey {
  scheduler: Scheduler;
  schedFlags: SchedFlag[];
  persistence?: Persistence;
  sloppy: boolean;
  dynamicWeights?: boolean;
}

export function normaliseAddress(text: string, path: string): { family: Family; address: string } {
  const parsed = parseAddress(text);
  if (parsed === null) fail(path, `${describeValue(text)} is not an IPv4 or IPv6 address`);
  return parsed;
}

export function normaliseKey(raw: VirtualServiceKey, path: string): VirtualServiceKey {
  const { address } = normaliseAddress(raw.address, `${path}.address`);
  return { protocol: raw.protocol, address, port: raw.port };
}

export function normaliseSettings(raw: RawServiceSettings, path: string): NormalisedSettings {
  const { family, address } = normaliseAddress(raw.address, `${path}.address`);
  const notUnicast = notUnicastReason(address);
  if (notUnicast !== null) fail(`${path}.address`, `${address} ${notUnicast}; a virtual service needs a unicast address clients can reach`);
  const scheduler = raw.scheduler ?? DEFAULT_SCHEDULER;
  const schedFlags = raw.schedFlags ?? [];
  for (const flag of schedFlags) {
    const needs = flag.split('-')[0];
    if (needs !== scheduler) {
      fail(`${path}.schedFlags`, `"${flag}" only applies to scheduler ${needs}, not ${scheduler}`);
    }
  }
  const persistence = raw.persistence === undefined
    ? undefined
    : {
        timeout: raw.persistence.timeout ?? DEFAULT_PERSISTENCE_TIMEOUT,
        netmask: normaliseNetmask(raw.persistence.netmask, family, `${path}.persistence.netmask`),
      };
  if (raw.port === 0 && persistence === undefined) {
    fail(`${path}.port`, '0 (any port) is only allowed for a persistent virtual service; set persistence or a port');
  }
  const settings: NormalisedSettings = {
    protocol: raw.protocol, address, port: raw.port, scheduler, schedFlags, sloppy: raw.sloppy ?? false,
  };
  if (persistence !== undefined) settings.persistence = persistence;
  if (raw.dynamicWeights === true) settings.dynamicWeights = true;
  return settings;
}

export function normaliseRealServer(
  raw: RawRealServer, path: string, service: { address: string; port: number },
): RealServer {
  const { family, address } = normaliseAddress(raw.address, `${path}.address`);
  const serviceFamily = parseAddress(service.address)?.family;
  if (family !== serviceFamily) {
    fail(`${path}.address`, `${describeValue(address)} is IPv${family} but the virtual service is IPv${serviceFamily}`);
  }
  if (address === service.address) {
    fail(`${path}.address`, `${address} is the virtual service's own address; a real server must be another host`);
  }
  const notUnicast = notUnicastReason(address);
  if (notUnicast !== null) fail(`${path}.address`, `${address} ${notUnicast}; a real server needs a unicast address`);
  if (raw.port !== undefined && raw.port !== service.port) {
    fail(`${path}.port`, `${raw.port} differs from the virtual service port ${service.port}; direct routing keeps the destination port, so leave it out`);
  }
  const upperThreshold = raw.upperThreshold ?? 0;
  const lowerThreshold = raw.lowerThreshold ?? 0;
  if (upperThreshold > 0 && lowerThreshold > upperThreshold) {
    fail(`${path}.lowerThreshold`, `${lowerThreshold} is above upperThreshold ${upperThreshold}`);
  }
  return {
    address, port: service.port, forward: 'dr', weight: raw.weight ?? DEFAULT_WEIGHT, upperThreshold, lowerThreshold,
  };
}

function normaliseNetmask(raw: string | number | undefined, family: Family, path: string): string {
  if (family === 6) {
    if (raw === undefined) return '128';
    const text = String(raw);
    const n = Number(text);
    if (!/^\d{1,3}$/.test(text) || n < 1 || n > 128) {
      fail(path, `${describeValue(raw)} is not an IPv6 prefix length (1 to 128)`);
    }
    return String(n);
  }
  if (raw === undefined) return '255.255.255.255';
  const text = String(raw);
  if (/^\d{1,2}$/.test(text) && Number(text) <= 32) return prefixToMask(Number(text));
  const parsed = parseAddress(text);
  if (parsed === null || parsed.family !== 4 || !isContiguousMask(text)) {
    fail(path, `${describeValue(raw)} is not an IPv4 netmask (e.g. 255.255.255.0 or 24)`);
  }
  return text;
}

function maskBits(dotted: string): number {
  return dotted.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
}

function isContiguousMask(dotted: string): boolean {
  const inverted = 0xffffffff - maskBits(dotted);
  return (inverted & (inverted + 1)) === 0;
}

function prefixToMask(prefix: number): string {
  const bits = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return [24, 16, 8, 0].map((s) => (bits >>> s) & 255).join('.');
}

/** ipvsadm-style text for messages: "tcp 198.18.0.1:80", "udp [2001:db8::1]:53". */
export function keyText(key: VirtualServiceKey): string {
  const host = key.address.includes(':') ? `[${key.address}]` : key.address;
  return `${key.protocol} ${host}:${key.port}`;
}

export function sameKey(a: VirtualServiceKey, b: VirtualServiceKey): boolean {
  return a.protocol === b.protocol && a.address === b.address && a.port === b.port;
}
