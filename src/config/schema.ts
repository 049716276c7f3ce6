// Shape of the YAML config file (JSON Schema, checked with ajv). Rules a schema cannot say
// (address syntax, primes, duplicates, cross-field rules) live in validate.ts.
import { INTERFACE_NAME_PATTERN } from '../common/names';
import { heartbeatSchema, syncSchema } from './ha_section';
import { healthCheckSchema, serviceHealthProperties } from './health_schema';
import { DATAPLANE_BACKENDS, SCHED_FLAGS, SCHEDULERS } from './model';
import { snmpSchema } from './snmp_section';
import { vrrpSchema } from './vrrp_schema';

/** Largest value (seconds) whose milliseconds still fit a signed 32-bit integer. */
export const MAX_SECONDS = 2147483;

const port = { type: 'integer', minimum: 0, maximum: 65535 };
const seconds = { type: 'integer', minimum: 1, maximum: MAX_SECONDS };
const u16 = { type: 'integer', minimum: 0, maximum: 65535 };
// The fast path's per-second budgets of frames handed up.
const perSecond = { type: 'integer', minimum: 0, maximum: 1000000 };

export const realServerSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['address'],
  properties: {
    address: { type: 'string' },
    port,
    forward: { enum: ['dr'] },
    weight: u16,
    upperThreshold: u16,
    lowerThreshold: u16,
  },
} as const;

const serviceSettingsProperties = {
  protocol: { enum: ['tcp', 'udp'] },
  address: { type: 'string' },
  port,
  scheduler: { enum: [...SCHEDULERS] },
  schedFlags: { type: 'array', items: { enum: [...SCHED_FLAGS] }, uniqueItems: true },
  persistence: {
    type: 'object',
    additionalProperties: false,
    properties: {
      timeout: seconds,
      netmask: { type: ['string', 'integer'] },
    },
  },
  sloppy: { type: 'boolean' },
  dynamicWeights: { type: 'boolean' },
} as const;

export const serviceSettingsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['protocol', 'address', 'port'],
  properties: serviceSettingsProperties,
} as const;

export const virtualServiceSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['protocol', 'address', 'port'],
  properties: {
    ...serviceSettingsProperties,
    realServers: {
      type: 'array',
      items: { ...realServerSchema, properties: { ...realServerSchema.properties, healthCheck: healthCheckSchema } },
    },
    ...serviceHealthProperties,
  },
} as const;

const statusSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    listen: { type: ['string', 'boolean'] },
    auth: {
      type: 'object',
      additionalProperties: false,
      properties: {
        basic: {
          type: 'object',
          additionalProperties: false,
          required: ['user', 'password'],
          properties: { user: { type: 'string' }, password: { type: 'string' } },
        },
        bearer: { type: 'string' },
      },
    },
  },
} as const;

export const configSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    director: {
      type: 'object',
      additionalProperties: false,
      properties: {
        interface: { type: 'string', pattern: INTERFACE_NAME_PATTERN },
        workers: { type: 'integer', minimum: 1, maximum: 64 },
        dataplane: { enum: [...DATAPLANE_BACKENDS] },
        // Their bounds are the dataplane's (common/limits.ts), checked in validate.ts.
        connTableSize: { type: 'integer' },
        mhTableSize: { type: 'integer' },
        name: { type: 'string' },
        links: {
          type: 'array', minItems: 1, maxItems: 8,
          items: {
            type: 'object', additionalProperties: false, required: ['interface'],
            properties: { interface: { type: 'string', pattern: INTERFACE_NAME_PATTERN } },
          },
        },
        holdDownMs: { type: 'integer', minimum: 0, maximum: 3600000 },
        stateDirectory: { type: 'string' },
        expireNodestConn: { enum: ['none', 'udp', 'all'] },
        expireQuiescentTemplate: { type: 'boolean' },
        icmpEchoPerSecond: perSecond,
        arpPerSecond: perSecond,
        ndPerSecond: perSecond,
        pressureThreshold: { type: 'number', minimum: 0, maximum: 1 },
        pressureEmbryonicTimeout: { type: 'integer', minimum: 1, maximum: 3600 },
        staticNeighbours: {
          type: 'array', maxItems: 65535,
          items: {
            type: 'object', additionalProperties: false, required: ['address', 'mac'],
            properties: { address: { type: 'string' }, mac: { type: 'string', pattern: '^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$' } },
          },
        },
      },
    },
    timeouts: {
      type: 'object',
      additionalProperties: false,
      properties: { tcp: seconds, tcpfin: seconds, udp: seconds },
    },
    virtualServices: { type: 'array', items: virtualServiceSchema },
    status: statusSchema,
    sync: syncSchema,
    heartbeat: heartbeatSchema,
    vrrp: vrrpSchema,
    snmp: snmpSchema,
    agent: {
      type: 'object',
      additionalProperties: false,
      required: ['key'],
      properties: {
        listen: { type: 'string' },
        port: { type: 'integer', minimum: 1, maximum: 65535 },
        key: { type: 'string' },
        keys: {
          type: 'array', maxItems: 65535,
          items: {
            type: 'object', additionalProperties: false, required: ['address', 'key'],
            properties: { address: { type: 'string' }, key: { type: 'string' } },
          },
        },
        timeoutMs: { type: 'integer', minimum: 100, maximum: 3600000 },
      },
    },
  },
} as const;
