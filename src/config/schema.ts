// Shape of the YAML config file (JSON Schema, checked with ajv). Rules a schema cannot say
// (address syntax, primes, duplicates, cross-field rules) live in validate.ts.
import { SCHED_FLAGS, SCHEDULERS } from './model';

/** Largest value (seconds) whose milliseconds still fit a signed 32-bit integer. */
export const MAX_SECONDS = 2147483;

const port = { type: 'integer', minimum: 0, maximum: 65535 };
const seconds = { type: 'integer', minimum: 1, maximum: MAX_SECONDS };
const u16 = { type: 'integer', minimum: 0, maximum: 65535 };

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
    realServers: { type: 'array', items: realServerSchema },
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
        // Linux interface names: at most 15 bytes, no slash, colon or whitespace.
        interface: { type: 'string', pattern: '^[^\\s/:]{1,15}$' },
        workers: { type: 'integer', minimum: 1, maximum: 64 },
        connTableSize: { type: 'integer', minimum: 1, maximum: 67108864 },
        mhTableSize: { type: 'integer', minimum: 2, maximum: 1048576 },
      },
    },
    timeouts: {
      type: 'object',
      additionalProperties: false,
      properties: { tcp: seconds, tcpfin: seconds, udp: seconds },
    },
    virtualServices: { type: 'array', items: virtualServiceSchema },
  },
} as const;
