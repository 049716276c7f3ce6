// Validation of single items arriving over the control socket, with the file's rules and wording.
// Paths start at the item ("service.port", "realServer.address").
import { fail } from './errors';
import { normaliseKey, normaliseRealServer, normaliseSettings, type NormalisedSettings } from './items';
import type { RealServer, VirtualServiceKey } from './model';
import { checkShape } from './shape';

export function validateServiceSettings(value: unknown, path = 'service'): NormalisedSettings {
  checkShape('serviceSettings', value, path);
  return normaliseSettings(value as Parameters<typeof normaliseSettings>[0], path);
}

/**
 * ipvsadm forces a direct-routing real server's port to the service's, so a differing port from
 * the CLI is overridden rather than refused (the file, written by hand, refuses it instead).
 */
export function validateRealServer(
  value: unknown, service: VirtualServiceKey, path = 'realServer',
): RealServer {
  checkShape('realServer', value, path);
  const raw = { ...(value as Parameters<typeof normaliseRealServer>[0]) };
  delete raw.port;
  return normaliseRealServer(raw, path, service);
}

export function validateServiceKey(value: unknown, path = 'key'): VirtualServiceKey {
  checkShape('serviceSettings', value, path);
  const key = value as VirtualServiceKey;
  const extra = Object.keys(key).find((k) => !['protocol', 'address', 'port'].includes(k));
  if (extra !== undefined) fail(`${path}.${extra}`, 'is not a known setting');
  return normaliseKey(key, path);
}
