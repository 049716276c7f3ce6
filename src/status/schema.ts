// JSON Schema (draft-07, as ajv checks it) of GET /status; docs/status.md explains each field.
// Strict: no field may be missing or extra, so a change of shape shows in the tests.

import { DROP_REASONS } from '../dataplane/types';
import { ADVERT_DROP_REASONS } from '../vrrp/validate';

const count = { type: 'integer', minimum: 0 } as const;
const figure = { type: 'number', minimum: 0 } as const;
const text = { type: 'string' } as const;
const nullableText = { type: ['string', 'null'] } as const;
// ISO 8601 UTC as Date.toISOString() writes it (ajv-formats is not a dependency).
const timestamp = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$' } as const;

function object(properties: Record<string, unknown>) {
  return { type: 'object', additionalProperties: false, required: Object.keys(properties), properties } as const;
}

const counters = object({ conns: count, inPackets: count, inBytes: count, outPackets: count, outBytes: count });
const rates = object({ cps: figure, inPps: figure, outPps: figure, inBps: figure, outBps: figure });

const realServer = object({
  address: text,
  port: { type: 'integer', minimum: 0, maximum: 65535 },
  forward: { enum: ['dr'] },
  weight: object({
    configured: { type: 'integer', minimum: 0, maximum: 65535 },
    effective: { type: ['integer', 'null'], minimum: 0, maximum: 65535 },
  }),
  upperThreshold: count,
  lowerThreshold: count,
  fallback: { type: 'boolean' },
  health: {
    oneOf: [
      { type: 'null' },
      object({
        state: { enum: ['up', 'down', 'unknown'] },
        lastResult: {
          oneOf: [{ type: 'null' }, object({ ok: { type: 'boolean' }, checker: text, message: text, at: text })],
        },
        lastChange: { oneOf: [{ type: 'null' }, text] },
        checks: { type: 'array', items: text },
      }),
    ],
  },
  agent: {
    oneOf: [
      { type: 'null' },
      object({
        loadIndex: { type: ['number', 'null'], minimum: 0 },
        lastReport: { oneOf: [{ type: 'null' }, text] },
        alive: { type: 'boolean' },
      }),
    ],
  },
  activeConns: count,
  inactiveConns: count,
  persistentConns: count,
  overloaded: { type: 'boolean' },
  macResolved: { type: 'boolean' },
  stats: counters,
  rates,
});

const virtualService = object({
  protocol: { enum: ['tcp', 'udp'] },
  address: text,
  port: { type: 'integer', minimum: 0, maximum: 65535 },
  scheduler: text,
  schedFlags: { type: 'array', items: text },
  persistence: {
    oneOf: [{ type: 'null' }, object({ timeout: { type: 'integer', minimum: 1 }, netmask: text })],
  },
  sloppy: { type: 'boolean' },
  vrrpInstance: nullableText,
  master: nullableText,
  forwarding: { type: 'boolean' },
  activeConns: count,
  inactiveConns: count,
  stats: counters,
  rates,
  realServers: { type: 'array', items: realServer },
});

export const statusSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://pivs.invalid/status.schema.json',
  title: 'pivs GET /status',
  ...object({
    schemaVersion: { const: 1 },
    generatedAt: timestamp,
    director: object({
      name: text,
      pivsVersion: text,
      ipvsVersion: text,
      startedAt: timestamp,
      uptimeSeconds: figure,
      connTableSize: count,
    }),
    dataplane: {
      oneOf: [
        { type: 'null' },
        object({
          backend: { enum: ['af_xdp', 'af_packet', null] }, xdpMode: { type: 'string' },
          rxPackets: count, txPackets: count, ignored: count, dropped: count, connections: count, connTableSize: count,
          drops: object(Object.fromEntries(DROP_REASONS.map((r) => [r, count]))),
        }),
      ],
    },
    vrrp: {
      type: 'array',
      items: object({
        name: text,
        virtualRouterId: { type: 'integer', minimum: 1, maximum: 255 },
        interface: text,
        version: { enum: [2, 3] },
        state: { enum: ['initialize', 'backup', 'master', 'fault'] },
        priority: { type: 'integer', minimum: 0, maximum: 255 },
        effectivePriority: { type: 'integer', minimum: 0, maximum: 255 },
        master: nullableText,
        virtualAddresses: { type: 'array', items: text },
        advertsDropped: object(Object.fromEntries(ADVERT_DROP_REASONS.map((r) => [r, count]))),
      }),
    },
    peers: {
      type: 'array',
      items: object({
        name: text,
        alive: { type: 'boolean' },
        fault: { type: 'boolean' },
        stopping: { type: 'boolean' },
        claims: {
          type: 'array',
          items: object({
            virtualRouterId: { type: 'integer', minimum: 1, maximum: 255 },
            state: { enum: ['initialize', 'backup', 'master', 'fault'] },
            priority: { type: 'integer', minimum: 0, maximum: 255 },
          }),
        },
        lastHeartbeat: { oneOf: [{ type: 'null' }, timestamp] },
        lastHeartbeatAgeSeconds: { type: ['number', 'null'], minimum: 0 },
        paths: {
          type: 'array',
          items: object({
            link: text, address: text, alive: { type: 'boolean' }, lastHeartbeat: { oneOf: [{ type: 'null' }, timestamp] },
            peerHears: { type: ['boolean', 'null'] },
          }),
        },
      }),
    },
    links: {
      type: 'array',
      items: object({ name: text, interface: text, up: { type: 'boolean' }, active: { type: 'boolean' } }),
    },
    sync: {
      oneOf: [
        { type: 'null' },
        object({
          sent: count, received: count, installed: count, refused: count, forged: count, replayed: count, resyncs: count,
          recordsRefused: object({ overTimeout: count, overCap: count }),
        }),
      ],
    },
    heartbeat: {
      oneOf: [
        { type: 'null' },
        object({ sent: count, received: count, forged: count, replayed: count, refused: count }),
      ],
    },
    agent: {
      oneOf: [{ type: 'null' }, object({ refused: object({ forged: count, replayed: count, spoofed: count }) })],
    },
    virtualServices: { type: 'array', items: virtualService },
  }),
};
