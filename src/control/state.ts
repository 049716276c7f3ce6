// Pure application of control commands to a copy of the model. Nothing here touches the
// dataplane: the caller applies the returned model whole, so a refused command (or any refused
// command of a batch) leaves everything as it was.
import { realServerKey } from '../config/address';
import { uncoveredVirtualAddress } from '../config/vrrp';
import {
  ConfigError, keyText, validateRealServer, validateServiceKey, validateServiceSettings,
} from '../config';
import type { Config, Timeouts, VirtualService, VirtualServiceKey } from '../config/model';
import { MAX_SECONDS } from '../config/schema';
import type { Command, ErrorBody, ErrorCode } from './protocol';

/** Counters to zero after the model is applied (ipvsadm -Z); `undefined` = every service. */
export type ZeroTarget = VirtualServiceKey | undefined;

export type ApplyResult =
  | { ok: true; config: Config; zero: ZeroTarget[] }
  | { ok: false; error: ErrorBody };

class CommandError extends Error {
  constructor(readonly code: ErrorCode, message: string) {
    super(message);
  }
}

const COMMAND_METHODS = new Set<string>([
  'addService', 'editService', 'deleteService', 'clear', 'addReal', 'editReal', 'deleteReal', 'zero', 'setTimeouts',
]);

export function isCommandMethod(method: unknown): method is Command['method'] {
  return typeof method === 'string' && COMMAND_METHODS.has(method);
}

export function applyCommand(config: Config, command: Command): ApplyResult {
  return applyCommands(config, [command], false);
}

/** ipvsadm -R: all commands apply in order, or none does. */
export function applyCommands(config: Config, commands: readonly Command[], numbered = true): ApplyResult {
  const next = structuredClone(config);
  const zero: ZeroTarget[] = [];
  const index = new ModelIndex(next);
  for (const [i, command] of commands.entries()) {
    try {
      step(next, command, zero, index);
    } catch (e) {
      const error = toErrorBody(e);
      if (numbered) error.message = `commands[${i}]: ${error.message}`;
      return { ok: false, error };
    }
  }
  return { ok: true, config: next, zero };
}

function toErrorBody(e: unknown): ErrorBody {
  if (e instanceof CommandError) return { code: e.code, message: e.message };
  if (e instanceof ConfigError) return { code: 'Invalid', message: e.path === '' ? e.detail : `${e.path}: ${e.detail}` };
  return { code: 'Internal', message: e instanceof Error ? e.message : String(e) };
}

function params(command: Command): Record<string, unknown> {
  const p = (command as { params?: unknown }).params;
  if (typeof p !== 'object' || p === null || Array.isArray(p)) {
    throw new CommandError('Invalid', `${command.method}: params must be a mapping`);
  }
  return p as Record<string, unknown>;
}

/**
 * Where each virtual service and real server sits in the model being built, so that a batch of n
 * commands (ipvsadm -R) costs O(n), not O(n²) scans. Adds keep it current; a delete or clear
 * drops the part it invalidates, which is rebuilt at the next lookup.
 */
class ModelIndex {
  private services: Map<string, number> | null = null;
  private readonly reals = new Map<VirtualService['realServers'], Map<string, number>>();

  constructor(private readonly config: Config) {}

  service(key: VirtualServiceKey): number {
    if (this.services === null) {
      this.services = new Map(this.config.virtualServices.map((s, i) => [serviceId(s), i]));
    }
    return this.services.get(serviceId(key)) ?? -1;
  }

  addedService(key: VirtualServiceKey): void {
    this.services?.set(serviceId(key), this.config.virtualServices.length - 1);
  }

  servicesChanged(): void {
    this.services = null;
    this.reals.clear();
  }

  real(service: VirtualService, address: string): number {
    let m = this.reals.get(service.realServers);
    if (m === undefined) {
      m = new Map(service.realServers.map((r, i) => [realServerKey(r), i]));
      this.reals.set(service.realServers, m);
    }
    return m.get(realServerKey({ address, port: service.port })) ?? -1;
  }

  addedReal(service: VirtualService, address: string): void {
    this.reals.get(service.realServers)?.set(realServerKey({ address, port: service.port }), service.realServers.length - 1);
  }

  realsChanged(service: VirtualService): void {
    this.reals.delete(service.realServers);
  }
}

function serviceId(key: VirtualServiceKey): string {
  return `${key.protocol}|${key.address}|${key.port}`;
}

/** `config` is this function's own copy; it is changed in place. */
function step(config: Config, command: Command, zero: ZeroTarget[], index: ModelIndex): void {
  switch (command.method) {
    case 'addService': {
      const settings = validateServiceSettings(params(command).service);
      if (index.service(settings) >= 0) {
        throw new CommandError('ServiceExists', `virtual service ${keyText(settings)} already exists`);
      }
      const uncovered = uncoveredVirtualAddress(config.vrrp, settings.address);
      if (uncovered !== null) throw new CommandError('Invalid', uncovered);
      config.virtualServices.push({ ...settings, realServers: [] });
      index.addedService(settings);
      return;
    }
    case 'editService': {
      const settings = validateServiceSettings(params(command).service);
      const i = indexOfService(index, settings);
      // -E changes the ipvsadm settings; the file's health settings (docs/health.md) stay.
      const { healthCheck, fallback, quorum } = config.virtualServices[i];
      const service: VirtualService = {
        ...settings, realServers: config.virtualServices[i].realServers, ...defined({ healthCheck, fallback, quorum }),
      };
      config.virtualServices[i] = service;
      return;
    }
    case 'deleteService': {
      const i = indexOfService(index, validateServiceKey(params(command).key));
      config.virtualServices.splice(i, 1);
      index.servicesChanged();
      return;
    }
    case 'clear':
      config.virtualServices = [];
      index.servicesChanged();
      return;
    case 'addReal': {
      const { service, real } = serviceAndReal(config, index, params(command));
      if (index.real(service, real.address) >= 0) {
        throw new CommandError('RealExists', `real server ${real.address} already exists in ${keyText(service)}`);
      }
      service.realServers.push(real);
      index.addedReal(service, real.address);
      return;
    }
    case 'editReal': {
      const { service, real } = serviceAndReal(config, index, params(command));
      const i = indexOfReal(index, service, real.address);
      const { healthCheck } = service.realServers[i];
      service.realServers[i] = { ...real, ...defined({ healthCheck }) };
      return;
    }
    case 'deleteReal': {
      const p = params(command);
      const service = config.virtualServices[indexOfService(index, validateServiceKey(p.key))];
      // The port is ignored as ipvsadm does for direct routing: it always equals the service's.
      const address = validateRealServer({ address: p.address }, service).address;
      service.realServers.splice(indexOfReal(index, service, address), 1);
      index.realsChanged(service);
      return;
    }
    case 'zero': {
      const key = params(command).key;
      if (key === undefined) {
        zero.push(undefined);
      } else {
        const k = validateServiceKey(key);
        indexOfService(index, k);
        zero.push(k);
      }
      return;
    }
    case 'setTimeouts':
      config.timeouts = mergeTimeouts(config.timeouts, params(command));
      return;
    default:
      throw new CommandError('Invalid', `unknown command ${JSON.stringify((command as { method: unknown }).method)}`);
  }
}

function defined<T extends object>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function serviceAndReal(config: Config, index: ModelIndex, p: Record<string, unknown>) {
  const service = config.virtualServices[indexOfService(index, validateServiceKey(p.key))];
  const real = validateRealServer(p.real, service);
  return { service, real };
}

function indexOfService(index: ModelIndex, key: VirtualServiceKey): number {
  const i = index.service(key);
  if (i < 0) throw new CommandError('NoService', `no virtual service ${keyText(key)}`);
  return i;
}

function indexOfReal(index: ModelIndex, service: VirtualService, address: string): number {
  const i = index.real(service, address);
  if (i < 0) throw new CommandError('NoReal', `no real server ${address} in ${keyText(service)}`);
  return i;
}

function mergeTimeouts(current: Timeouts, p: Record<string, unknown>): Timeouts {
  const next = { ...current };
  for (const name of ['tcp', 'tcpfin', 'udp'] as const) {
    const v = p[name];
    if (v === undefined || v === 0) continue;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > MAX_SECONDS) {
      throw new CommandError('Invalid', `timeouts.${name}: ${JSON.stringify(v)} is not a whole number of seconds from 0 to ${MAX_SECONDS}`);
    }
    next[name] = v;
  }
  const extra = Object.keys(p).find((k) => !['tcp', 'tcpfin', 'udp'].includes(k));
  if (extra !== undefined) throw new CommandError('Invalid', `timeouts.${extra}: is not a known setting`);
  return next;
}
