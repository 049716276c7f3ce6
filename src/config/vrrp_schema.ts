// JSON Schema of the `vrrp:` section. Rules a schema cannot say (address families, VRID clashes,
// version-2 whole seconds, names that must exist) are in vrrp.ts.
import { INTERFACE_NAME_PATTERN } from '../common/names';
const command = { type: ['string', 'array'], items: { type: 'string' } } as const;
const weight = { type: 'integer', minimum: -253, maximum: 253 } as const;
const seconds = { type: 'number', minimum: 0, maximum: 86400 } as const;

const notifySchema = {
  type: 'object',
  additionalProperties: false,
  properties: { master: command, backup: command, fault: command, stop: command, any: command },
} as const;

const instanceSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'virtualRouterId', 'virtualAddresses'],
  properties: {
    name: { type: 'string' },
    interface: { type: 'string', pattern: INTERFACE_NAME_PATTERN },
    virtualRouterId: { type: 'integer', minimum: 1, maximum: 255 },
    priority: { type: 'integer', minimum: 1, maximum: 255 },
    advertInt: { type: 'number', minimum: 0.01, maximum: 255 },
    version: { enum: [2, 3] },
    preempt: { type: 'boolean' },
    preemptDelay: { type: 'number', minimum: 0, maximum: 1000 },
    authPass: { type: 'string' },
    unicastPeers: { type: 'array', items: { type: 'string' }, uniqueItems: true },
    virtualAddresses: { type: 'array', items: { type: 'string' }, uniqueItems: true },
    garp: {
      type: 'object',
      additionalProperties: false,
      properties: {
        masterRepeat: { type: 'integer', minimum: 1, maximum: 255 },
        masterDelay: seconds,
        masterRefresh: seconds,
      },
    },
    notify: notifySchema,
    track: {
      type: 'object',
      additionalProperties: false,
      properties: {
        interfaces: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['name'],
            properties: { name: { type: 'string', pattern: INTERFACE_NAME_PATTERN }, weight },
          },
        },
        scripts: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['name', 'script'],
            properties: {
              name: { type: 'string' },
              script: command,
              interval: { type: 'number', minimum: 0.1, maximum: 86400 },
              timeout: { type: 'number', minimum: 0.1, maximum: 86400 },
              weight,
              rise: { type: 'integer', minimum: 1, maximum: 1000 },
              fall: { type: 'integer', minimum: 1, maximum: 1000 },
            },
          },
        },
      },
    },
  },
} as const;

export const vrrpSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    instances: { type: 'array', items: instanceSchema },
    syncGroups: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'instances'],
        properties: {
          name: { type: 'string' },
          instances: { type: 'array', items: { type: 'string' }, uniqueItems: true },
          notify: notifySchema,
        },
      },
    },
  },
} as const;
