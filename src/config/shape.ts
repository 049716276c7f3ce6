// Runs the JSON schemas and turns ajv's first complaint into one sentence with a field path.
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { INTERFACE_NAME_PATTERN, INTERFACE_NAME_RULE } from '../common/names';
import { fail } from './errors';
import { configSchema, realServerSchema, serviceSettingsSchema } from './schema';

const ajv = new Ajv({ allErrors: false, verbose: true, strict: true, allowUnionTypes: true });
const validators = {
  config: ajv.compile(configSchema),
  serviceSettings: ajv.compile(serviceSettingsSchema),
  realServer: ajv.compile(realServerSchema),
} satisfies Record<string, ValidateFunction>;

export type ShapeName = keyof typeof validators;

/** Throws ConfigError unless `value` has the shape; `root` prefixes every reported path. */
export function checkShape(name: ShapeName, value: unknown, root: string): void {
  const validate = validators[name];
  if (validate(value)) return;
  const err = (validate.errors ?? [])[0];
  if (err === undefined) fail(root, 'is not valid');
  const path = joinPath(root, err.instancePath);
  if (path === '' && err.keyword === 'type') {
    fail('', `the file holds ${describeValue(value)}, not a mapping of settings (director, timeouts, virtualServices)`);
  }
  switch (err.keyword) {
    case 'required':
      fail(joinKey(path, String(err.params.missingProperty)), 'is required but missing');
    case 'additionalProperties':
      fail(joinKey(path, String(err.params.additionalProperty)), 'is not a known setting');
    default:
      fail(path, describe(err));
  }
}

export function describeValue(v: unknown): string {
  if (v === null || v === undefined) return 'an empty value';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return JSON.stringify(v);
}

function describe(err: ErrorObject): string {
  const value = describeValue(err.data);
  switch (err.keyword) {
    case 'type': {
      const t = ([] as string[]).concat(err.params.type as string | string[]);
      return `${value} is not ${t.map(typeName).join(' or ')}`;
    }
    case 'enum':
      return `${value} is not one of ${(err.params.allowedValues as unknown[]).join(', ')}`;
    case 'minimum':
      return `${value} is below the minimum ${String(err.params.limit)}`;
    case 'maximum':
      return `${value} is above the maximum ${String(err.params.limit)}`;
    case 'pattern':
      return err.params.pattern === INTERFACE_NAME_PATTERN
        ? `${value} is not a Linux interface name (${INTERFACE_NAME_RULE})`
        : `${value} is not in the expected form (${String(err.params.pattern)})`;
    case 'uniqueItems': {
      const list = err.data as unknown[];
      return `${describeValue(list[Number(err.params.j)])} is listed twice`;
    }
    default:
      return err.message ?? 'is not valid';
  }
}

function typeName(t: string): string {
  switch (t) {
    case 'integer': return 'a whole number';
    case 'number': return 'a number';
    case 'string': return 'a string';
    case 'boolean': return 'true or false';
    case 'array': return 'a list';
    case 'object': return 'a mapping';
    default: return t;
  }
}

function joinKey(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

function joinPath(root: string, pointer: string): string {
  let path = root;
  for (const raw of pointer.split('/').slice(1)) {
    const token = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    path = /^\d+$/.test(token) ? `${path}[${token}]` : joinKey(path, token);
  }
  return path;
}
