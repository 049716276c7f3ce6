// Validation of the `vrrp:` section (after its JSON Schema shape): defaults, address families,
// version rules, VRID and name clashes, sync-group membership.
import { parseAddress } from './address';
import { fail } from './errors';
import type { DirectorSettings } from './model';
import {
  DEFAULT_VRRP_ADVERT_INT, DEFAULT_VRRP_GARP, DEFAULT_VRRP_PRIORITY, type VrrpConfig, type VrrpInstanceSettings,
  type VrrpNotify, type VrrpSyncGroup, type VrrpTrackScript,
} from './vrrp_model';

type Command = string | string[];
type RawNotify = Partial<Record<keyof VrrpNotify, Command>>;

interface RawInstance {
  name: string;
  interface?: string;
  virtualRouterId: number;
  priority?: number;
  advertInt?: number;
  version?: 2 | 3;
  preempt?: boolean;
  preemptDelay?: number;
  authPass?: string;
  unicastPeers?: string[];
  virtualAddresses: string[];
  garp?: Partial<VrrpInstanceSettings['garp']>;
  notify?: RawNotify;
  track?: {
    interfaces?: { name: string; weight?: number }[];
    scripts?: (Partial<Omit<VrrpTrackScript, 'script'>> & { name: string; script: Command })[];
  };
}

export interface RawVrrp {
  instances?: RawInstance[];
  syncGroups?: { name: string; instances: string[]; notify?: RawNotify }[];
}

/** keepalived's script strings: words split on blanks, '...' or "..." keep blanks. No shell runs them. */
export function splitCommand(command: Command, path: string): string[] {
  if (Array.isArray(command)) {
    if (command.length === 0 || command[0] === '') fail(path, 'is an empty command; give the program to run');
    return [...command];
  }
  const words: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (const m of command.matchAll(re)) words.push(m[1] ?? m[2] ?? m[3]);
  if (words.length === 0) fail(path, 'is an empty command; give the program to run');
  return words;
}

function notifyOf(raw: RawNotify | undefined, path: string): VrrpNotify {
  const out: VrrpNotify = {};
  for (const key of ['master', 'backup', 'fault', 'stop', 'any'] as const) {
    const c = raw?.[key];
    if (c !== undefined) out[key] = splitCommand(c, `${path}.${key}`);
  }
  return out;
}

function checkName(name: string, path: string): void {
  if (!/^[A-Za-z0-9_.@-]{1,64}$/.test(name)) {
    fail(path, `"${name}" is not a usable name (1 to 64 letters, digits, "_", ".", "@" or "-")`);
  }
}

function ipv4(text: string, path: string): string {
  const parsed = parseAddress(text);
  if (parsed === null) fail(path, `"${text}" is not an IP address`);
  if (parsed.family !== 4) fail(path, `"${text}" is IPv6; VRRP for IPv6 is not supported yet, use IPv4 addresses`);
  return parsed.address;
}

function validateInstance(raw: RawInstance, path: string, director: DirectorSettings): VrrpInstanceSettings {
  checkName(raw.name, `${path}.name`);
  const iface = raw.interface ?? director.interface;
  if (iface !== director.interface) {
    fail(`${path}.interface`, `"${iface}" is not the director's interface "${director.interface}", the only one pivsd sends and receives on`);
  }
  const version = raw.version ?? 2;
  const advertInt = raw.advertInt ?? DEFAULT_VRRP_ADVERT_INT;
  if (version === 2 && !Number.isInteger(advertInt)) {
    fail(`${path}.advertInt`, `${advertInt} is not a whole number of seconds, which VRRP version 2 needs (use version: 3 for fractions)`);
  }
  if (version === 3 && (Math.abs(advertInt * 100 - Math.round(advertInt * 100)) > 1e-6 || advertInt > 40.95)) {
    fail(`${path}.advertInt`, `${advertInt} is not a multiple of 0.01 s up to 40.95 s, as VRRP version 3 needs`);
  }
  if (raw.authPass !== undefined) {
    if (version !== 2) fail(`${path}.authPass`, 'is only for VRRP version 2 (RFC 5798 removed authentication); remove it or use version: 2');
    if (Buffer.byteLength(raw.authPass) > 8 || raw.authPass === '') fail(`${path}.authPass`, 'must be 1 to 8 bytes long, as VRRP carries it');
  }
  if (raw.virtualAddresses.length === 0) fail(`${path}.virtualAddresses`, 'is empty; list the addresses this instance moves');
  const virtualAddresses = raw.virtualAddresses.map((a, i) => ipv4(a, `${path}.virtualAddresses[${i}]`));
  const unicastPeers = (raw.unicastPeers ?? []).map((a, i) => ipv4(a, `${path}.unicastPeers[${i}]`));
  const interfaces = (raw.track?.interfaces ?? []).map((t) => ({ name: t.name, weight: t.weight ?? 0 }));
  const scripts = (raw.track?.scripts ?? []).map((s, i): VrrpTrackScript => {
    const p = `${path}.track.scripts[${i}]`;
    checkName(s.name, `${p}.name`);
    const interval = s.interval ?? 1;
    return {
      name: s.name, script: splitCommand(s.script, `${p}.script`), interval, timeout: s.timeout ?? interval,
      weight: s.weight ?? 0, rise: s.rise ?? 1, fall: s.fall ?? 1,
    };
  });
  scripts.forEach((s, i) => {
    const first = scripts.findIndex((o) => o.name === s.name);
    if (first !== i) fail(`${path}.track.scripts[${i}].name`, `"${s.name}" is already track.scripts[${first}]`);
  });
  const instance: VrrpInstanceSettings = {
    name: raw.name, interface: iface, virtualRouterId: raw.virtualRouterId,
    priority: raw.priority ?? DEFAULT_VRRP_PRIORITY, advertInt, version,
    preempt: raw.preempt ?? true, preemptDelay: raw.preemptDelay ?? 0,
    unicastPeers, virtualAddresses,
    garp: { ...DEFAULT_VRRP_GARP, ...raw.garp },
    notify: notifyOf(raw.notify, `${path}.notify`),
    track: { interfaces, scripts },
  };
  if (raw.authPass !== undefined) instance.authPass = raw.authPass;
  return instance;
}

export function validateVrrp(raw: RawVrrp, director: DirectorSettings): VrrpConfig {
  const instances: VrrpInstanceSettings[] = [];
  (raw.instances ?? []).forEach((r, i) => {
    const path = `vrrp.instances[${i}]`;
    const inst = validateInstance(r, path, director);
    for (const [j, other] of instances.entries()) {
      if (other.name === inst.name) fail(`${path}.name`, `"${inst.name}" is already vrrp.instances[${j}]`);
      if (other.virtualRouterId === inst.virtualRouterId && other.interface === inst.interface) {
        fail(`${path}.virtualRouterId`, `${inst.virtualRouterId} is already used by vrrp.instances[${j}] on ${inst.interface}`);
      }
      const shared = inst.virtualAddresses.find((a) => other.virtualAddresses.includes(a));
      if (shared !== undefined) {
        fail(`${path}.virtualAddresses`, `${shared} is already a virtual address of vrrp.instances[${j}]; an address moves with one instance only`);
      }
    }
    instances.push(inst);
  });
  const syncGroups: VrrpSyncGroup[] = [];
  (raw.syncGroups ?? []).forEach((g, i) => {
    const path = `vrrp.syncGroups[${i}]`;
    checkName(g.name, `${path}.name`);
    if (syncGroups.some((o) => o.name === g.name)) fail(`${path}.name`, `"${g.name}" names another sync group too`);
    g.instances.forEach((name, k) => {
      if (!instances.some((inst) => inst.name === name)) fail(`${path}.instances[${k}]`, `"${name}" is not the name of any vrrp instance`);
      const owner = syncGroups.find((o) => o.instances.includes(name));
      if (owner !== undefined) fail(`${path}.instances[${k}]`, `"${name}" is already in sync group "${owner.name}"; an instance belongs to one group`);
    });
    syncGroups.push({ name: g.name, instances: [...g.instances], notify: notifyOf(g.notify, `${path}.notify`) });
  });
  return { instances, syncGroups };
}

/**
 * With VRRP, a director forwards and answers ARP only for the addresses of the instances it is
 * master of; a virtual service whose address no instance moves would never get traffic (and
 * answering for it on every director would split the LAN). Returns that sentence, or null.
 */
export function uncoveredVirtualAddress(vrrp: VrrpConfig | undefined, address: string): string | null {
  if (vrrp === undefined) return null;
  if (vrrp.instances.some((inst) => inst.virtualAddresses.includes(address))) return null;
  return `${address} is in no vrrp instance's virtualAddresses, so no director would ever forward it; add it to an instance`;
}
