// Validation of the `sync:` and `heartbeat:` sections. The schema (HA_SCHEMAS) has checked the
// shape; this fills defaults and checks addresses, names and cross-field rules.
import { isIPv4 } from 'node:net';
import os from 'node:os';
import { MAX_HEARTBEAT_LINKS } from '../common/limits';
import { DIRECTOR_NAME_RULE, INTERFACE_NAME_PATTERN, isDirectorName } from '../common/names';
import { fail } from './errors';
import {
  DEFAULT_HEARTBEAT_PORT, DEFAULT_MAX_INSTALLED_SHARE, DEFAULT_SYNC_GROUP, DEFAULT_SYNC_PORT,
  type HeartbeatSettings, type SyncSettings,
} from './ha_model';
import type { Config } from './model';

export const MIN_HA_KEY_LENGTH = 16;

const iface = { type: 'string', pattern: INTERFACE_NAME_PATTERN };
const port = { type: 'integer', minimum: 1, maximum: 65535 };

export const syncSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    interface: iface,
    localAddress: { type: 'string' },
    syncId: { type: 'integer', minimum: 0, maximum: 255 },
    port,
    transport: { enum: ['multicast', 'unicast'] },
    group: { type: 'string' },
    peers: { type: 'array', items: { type: 'string' }, uniqueItems: true },
    // 64 bytes holds the header and one IPv4 connection; 65507 is the largest UDP payload.
    maxMessageSize: { type: 'integer', minimum: 64, maximum: 65507 },
    flushDelayMs: { type: 'integer', minimum: 1, maximum: 10000 },
    threshold: { type: 'integer', minimum: 0, maximum: 1000000 },
    period: { type: 'integer', minimum: 0, maximum: 1000000 },
    resyncTimeoutMs: { type: 'integer', minimum: 100, maximum: 600000 },
    maxInstalledShare: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
    auth: {
      type: 'object',
      additionalProperties: false,
      required: ['key'],
      properties: { key: { type: 'string' }, keyId: { type: 'integer', minimum: 0, maximum: 255 } },
    },
  },
} as const;

export const heartbeatSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['links', 'peers', 'key'],
  properties: {
    links: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'localAddress'],
        properties: { name: { type: 'string' }, interface: iface, localAddress: { type: 'string' } },
      },
    },
    peers: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'addresses'],
        properties: { name: { type: 'string' }, addresses: { type: 'array', items: { type: 'string' } } },
      },
    },
    key: { type: 'string' },
    port,
    intervalMs: { type: 'integer', minimum: 10, maximum: 60000 },
    deadIntervals: { type: 'integer', minimum: 2, maximum: 1000 },
  },
} as const;

export type RawSync = Partial<Omit<SyncSettings, 'auth' | 'localAddress' | 'maxMessageSize'>> & {
  localAddress?: string;
  maxMessageSize?: number;
  auth?: { key: string; keyId?: number };
};

export type RawHeartbeat = {
  links: { name: string; interface?: string; localAddress: string }[];
  peers: { name: string; addresses: string[] }[];
  key: string;
  port?: number;
  intervalMs?: number;
  deadIntervals?: number;
};

function ipv4(text: string, path: string): string {
  if (!isIPv4(text)) fail(path, `"${text}" is not an IPv4 address`);
  return text;
}

function key(text: string, path: string): string {
  if (text.length < MIN_HA_KEY_LENGTH) {
    fail(path, `is ${text.length} characters; use at least ${MIN_HA_KEY_LENGTH} (the same key on every director)`);
  }
  return text;
}

/** A director name given in the file, or the host name made to fit. */
/** The name this director signs sync and heartbeat datagrams with. */
export function haName(config: Config): string {
  return directorName(config.director.name, os.hostname());
}

export function directorName(configured: string | undefined, hostname: string): string {
  if (configured !== undefined) {
    if (!isDirectorName(configured)) {
      fail('director.name', `"${configured}" must be ${DIRECTOR_NAME_RULE}`);
    }
    return configured;
  }
  const fitted = hostname.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 32);
  return fitted === '' ? 'pivsd' : fitted;
}

export function validateSync(raw: RawSync, directorInterface: string): SyncSettings {
  const transport = raw.transport ?? ((raw.peers ?? []).length > 0 ? 'unicast' : 'multicast');
  const peers = (raw.peers ?? []).map((p, i) => ipv4(p, `sync.peers[${i}]`));
  if (transport === 'unicast' && peers.length === 0) fail('sync.peers', 'is empty, but unicast sync needs at least one peer address');
  // Without a key the source address is all plain sync can check, so it must know the peers'.
  if (raw.auth === undefined && peers.length === 0) {
    fail('sync.peers', 'is empty, but unsigned sync accepts datagrams only from listed peers: add every other director\'s address to sync.peers (with transport: multicast to keep multicast), or set sync.auth');
  }
  const threshold = raw.threshold ?? 3;
  const period = raw.period ?? 50;
  // IPVS's sync_threshold sysctl refuses the same pair: the threshold is a packet count within the period.
  if (period !== 0 && threshold >= period) fail('sync.threshold', `${threshold} must be below sync.period (${period}), or set period: 0 to sync once at the threshold only`);
  const group = ipv4(raw.group ?? DEFAULT_SYNC_GROUP, 'sync.group');
  if (Number(group.split('.')[0]) < 224 || Number(group.split('.')[0]) > 239) fail('sync.group', `"${group}" is not an IPv4 multicast address`);
  return {
    interface: raw.interface ?? directorInterface,
    localAddress: raw.localAddress === undefined ? null : ipv4(raw.localAddress, 'sync.localAddress'),
    syncId: raw.syncId ?? 0,
    port: raw.port ?? DEFAULT_SYNC_PORT,
    transport,
    group,
    peers,
    maxMessageSize: raw.maxMessageSize ?? null,
    flushDelayMs: raw.flushDelayMs ?? 20,
    threshold,
    period,
    resyncTimeoutMs: raw.resyncTimeoutMs ?? 3000,
    maxInstalledShare: raw.maxInstalledShare ?? DEFAULT_MAX_INSTALLED_SHARE,
    auth: raw.auth === undefined ? null : { key: key(raw.auth.key, 'sync.auth.key'), keyId: raw.auth.keyId ?? 0 },
  };
}

export function validateHeartbeat(raw: RawHeartbeat): HeartbeatSettings {
  if (raw.links.length > MAX_HEARTBEAT_LINKS) {
    fail('heartbeat.links', `has ${raw.links.length} links; a heartbeat can report at most ${MAX_HEARTBEAT_LINKS}`);
  }
  const links = raw.links.map((l, i) => {
    if (!isDirectorName(l.name)) fail(`heartbeat.links[${i}].name`, `"${l.name}" must be ${DIRECTOR_NAME_RULE}`);
    if (raw.links.findIndex((o) => o.name === l.name) !== i) fail(`heartbeat.links[${i}].name`, `"${l.name}" is the name of an earlier link`);
    return { name: l.name, interface: l.interface ?? null, localAddress: ipv4(l.localAddress, `heartbeat.links[${i}].localAddress`) };
  });
  const peers = raw.peers.map((p, i) => {
    if (!isDirectorName(p.name)) fail(`heartbeat.peers[${i}].name`, `"${p.name}" must be ${DIRECTOR_NAME_RULE}`);
    if (raw.peers.findIndex((o) => o.name === p.name) !== i) fail(`heartbeat.peers[${i}].name`, `"${p.name}" is the name of an earlier peer`);
    if (p.addresses.length !== links.length) {
      fail(`heartbeat.peers[${i}].addresses`, `has ${p.addresses.length} addresses for ${links.length} links; give one per link, in the order of heartbeat.links`);
    }
    return { name: p.name, addresses: p.addresses.map((a, j) => ipv4(a, `heartbeat.peers[${i}].addresses[${j}]`)) };
  });
  return {
    links,
    peers,
    key: key(raw.key, 'heartbeat.key'),
    port: raw.port ?? DEFAULT_HEARTBEAT_PORT,
    intervalMs: raw.intervalMs ?? 200,
    deadIntervals: raw.deadIntervals ?? 5,
  };
}
