// JSON Schema of the health settings in a virtual service and a real server (docs/health.md).
// Which option belongs to which check type is checked in health.ts, with a clearer sentence.
import { CHECK_TYPES, DNS_QUERY_TYPES } from './health_model';

const argv = { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } } as const;
const port = { type: 'integer', minimum: 1, maximum: 65535 } as const;
const count = { type: 'integer', minimum: 1, maximum: 1000 } as const;
const seconds = { type: 'number', minimum: 0.05, maximum: 86400 } as const;

const checkSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['type'],
  properties: {
    type: { enum: [...CHECK_TYPES] },
    connectPort: port,
    path: { type: 'string', minLength: 1 },
    status: { type: ['integer', 'string'] },
    expect: { type: 'string', minLength: 1 },
    expectRegex: { type: 'string', minLength: 1 },
    digest: { type: 'string' },
    virtualHost: { type: 'string', minLength: 1 },
    sni: { type: 'string', minLength: 1 },
    verifyTls: { type: 'boolean' },
    protocol: { enum: ['tcp', 'udp'] },
    send: { type: 'string' },
    name: { type: 'string', minLength: 1 },
    queryType: { enum: [...DNS_QUERY_TYPES] },
    expectAddress: { type: 'string' },
    command: argv,
    dynamic: { type: 'boolean' },
  },
} as const;

export const healthCheckSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    checks: { type: 'array', items: checkSchema },
    interval: seconds,
    timeout: seconds,
    rise: count,
    fall: count,
    retries: count,
    warmup: { type: 'number', minimum: 0, maximum: 86400 },
    quiescent: { type: 'boolean' },
    alpha: { type: 'boolean' },
    notifyUp: argv,
    notifyDown: argv,
  },
} as const;

/** Properties a virtual service of the file may carry beyond the ipvsadm settings. */
export const serviceHealthProperties = {
  healthCheck: healthCheckSchema,
  fallback: {
    type: 'object',
    additionalProperties: false,
    required: ['address'],
    properties: { address: { type: 'string' }, port: { type: 'integer', minimum: 0, maximum: 65535 } },
  },
  quorum: { type: 'integer', minimum: 1, maximum: 16777215 },
  hysteresis: { type: 'integer', minimum: 0, maximum: 16777215 },
  quorumUp: argv,
  quorumDown: argv,
} as const;
