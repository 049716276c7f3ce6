// Whole-file validation: shape, then every item, then cross-item rules; the first problem found
// refuses the whole file.
import { connTableSizeProblem, mhTableSizeProblem } from '../common/limits';
import { fail } from './errors';
import {
  keyText, normaliseAddress, normaliseRealServer, normaliseSettings, type RawRealServer, type RawServiceSettings,
} from './items';
import { realServerKey } from './address';
import { validateAgentSection, type RawAgentSection } from './agent_section';
import { directorName, validateHeartbeat, validateSync, type RawHeartbeat, type RawSync } from './ha_section';
import { normaliseRealHealth, normaliseServiceHealth, type RawHealthCheck, type RawServiceHealth } from './health';
import { linksInterface } from './link_section';
import { DEFAULT_TIMEOUTS, type Config, type DataplaneBackend, type DirectorSettings, type VirtualService } from './model';
import { DEFAULT_LINK_HOLD_DOWN_MS } from './model';
import { checkShape } from './shape';
import { validateSnmp, type RawSnmp } from './snmp_section';
import { validateStatus, type RawStatus } from './status';
import { uncoveredVirtualAddress, validateVrrp, type RawVrrp } from './vrrp';

export const DEFAULT_DIRECTOR: Omit<DirectorSettings, 'interface'> = {
  workers: 1,
  dataplane: 'auto',
  connTableSize: 1048576,
  mhTableSize: 65537,
};

interface RawConfig {
  director?: Partial<DirectorSettings>;
  timeouts?: { tcp?: number; tcpfin?: number; udp?: number };
  virtualServices?: (RawServiceSettings & { realServers?: RawRealServer[] })[];
  status?: RawStatus;
  agent?: RawAgentSection;
  vrrp?: RawVrrp;
  sync?: RawSync;
  heartbeat?: RawHeartbeat;
  snmp?: RawSnmp;
}

export interface ValidateOptions {
  /** pivsd -i: replaces director.interface (which may then be absent from the file). */
  interface?: string;
  /** pivsd --workers: replaces director.workers. */
  workers?: number;
  /** pivsd --dataplane: replaces director.dataplane. */
  dataplane?: DataplaneBackend;
}

/** Validates a parsed YAML document and returns the model with every default filled. */
export function validateConfig(doc: unknown, options: ValidateOptions = {}): Config {
  // An empty file is a valid, empty configuration.
  const value = doc === null || doc === undefined ? {} : doc;
  checkShape('config', value, '');
  const raw = value as RawConfig;
  const director = validateDirector(raw.director ?? {}, options);
  const timeouts = { ...DEFAULT_TIMEOUTS, ...raw.timeouts };
  const virtualServices: VirtualService[] = [];
  (raw.virtualServices ?? []).forEach((rawService, i) => {
    const path = `virtualServices[${i}]`;
    const settings = normaliseSettings(rawService, path);
    const earlier = virtualServices.findIndex((s) =>
      s.protocol === settings.protocol && s.address === settings.address && s.port === settings.port);
    if (earlier >= 0) {
      fail(path, `${keyText(settings)} is the same virtual service as virtualServices[${earlier}]`);
    }
    const rawHealth = rawService as RawServiceHealth;
    const realServers = (rawService.realServers ?? []).map((r, j) => {
      const real = normaliseRealServer(r, `${path}.realServers[${j}]`, settings);
      const check = normaliseRealHealth((r as { healthCheck?: RawHealthCheck }).healthCheck, rawHealth.healthCheck,
        `${path}.realServers[${j}].healthCheck`);
      return check === undefined ? real : { ...real, healthCheck: check };
    });
    realServers.forEach((r, j) => {
      const first = realServers.findIndex((o) => realServerKey(o) === realServerKey(r));
      if (first !== j) {
        fail(`${path}.realServers[${j}].address`, `"${r.address}" is already realServers[${first}] of this virtual service`);
      }
    });
    const health = normaliseServiceHealth(rawHealth, path, settings, realServers.map((r) => r.address));
    virtualServices.push({ ...settings, realServers, ...health });
  });
  const config: Config = { director, timeouts, virtualServices };
  if (raw.status !== undefined) config.status = validateStatus(raw.status);
  if (raw.agent !== undefined) config.agent = validateAgentSection(raw.agent);
  if (raw.vrrp !== undefined) {
    config.vrrp = validateVrrp(raw.vrrp, director);
    virtualServices.forEach((s, i) => {
      const uncovered = uncoveredVirtualAddress(config.vrrp, s.address);
      if (uncovered !== null) fail(`virtualServices[${i}].address`, uncovered);
    });
  }
  if (director.name !== undefined) directorName(director.name, '');
  if (raw.sync !== undefined) config.sync = validateSync(raw.sync, director.interface);
  if (raw.heartbeat !== undefined) config.heartbeat = validateHeartbeat(raw.heartbeat);
  if (raw.snmp !== undefined) config.snmp = validateSnmp(raw.snmp);
  return config;
}

function validateDirector(raw: Partial<DirectorSettings>, options: ValidateOptions): DirectorSettings {
  const merged: Partial<DirectorSettings> = { ...raw };
  if (options.interface !== undefined) merged.interface = options.interface;
  if (options.workers !== undefined) merged.workers = options.workers;
  if (options.dataplane !== undefined) merged.dataplane = options.dataplane;
  checkShape('config', { director: merged }, '');
  const { interface: given, ...rest } = merged;
  const iface = linksInterface(given, merged.links);
  if (iface === undefined) {
    fail('director.interface', 'is required but missing; set it in the file or start pivsd with -i IFACE');
  }
  const director: DirectorSettings = { interface: iface, ...DEFAULT_DIRECTOR, ...rest };
  if (director.links !== undefined) director.holdDownMs ??= DEFAULT_LINK_HOLD_DOWN_MS;
  if (director.stateDirectory !== undefined && !director.stateDirectory.startsWith('/')) {
    fail('director.stateDirectory', `"${director.stateDirectory}" is not an absolute path; give one such as /var/lib/pivs`);
  }
  const connTableProblem = connTableSizeProblem(director.connTableSize);
  if (connTableProblem !== undefined) fail('director.connTableSize', connTableProblem);
  const mhTableProblem = mhTableSizeProblem(director.mhTableSize);
  if (mhTableProblem !== undefined) fail('director.mhTableSize', mhTableProblem);
  if (director.staticNeighbours !== undefined) {
    const seen = new Set<string>();
    director.staticNeighbours = director.staticNeighbours.map((n, i) => {
      const path = `director.staticNeighbours[${i}]`;
      const { address } = normaliseAddress(n.address, `${path}.address`);
      if (seen.has(address)) fail(`${path}.address`, `${address} is listed twice`);
      seen.add(address);
      const mac = n.mac.toLowerCase();
      if (mac === '00:00:00:00:00:00' || parseInt(mac.slice(0, 2), 16) & 1) fail(`${path}.mac`, `${mac} is not a unicast MAC address`);
      return { address, mac };
    });
  }
  return director;
}

