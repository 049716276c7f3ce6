// The appliance's three files on the boot partition (pivs.yaml, network.yaml, authorized_keys):
// pure validation into typed settings. Every problem is one sentence naming the file and field.
import { Document, parseDocument } from 'yaml';
import { parseAddress } from '../config/address';
import { ConfigError, parseConfig } from '../config';
import { validateAgentConfig } from '../agent/config';

export class BootFileError extends Error {
  constructor(readonly file: string, readonly field: string, detail: string) {
    super(field === '' ? `${file}: ${detail}` : `${file}: ${field}: ${detail}`);
    this.name = 'BootFileError';
  }
}

export type Role = 'director' | 'real-server';

export type PivsSettings =
  | { role: 'director'; /** pivsd's config file (the boot file without `role`). */ configText: string }
  | { role: 'real-server'; virtualAddresses: string[]; /** pivs-agent's file, when `agent:` is given. */ agentText: string | null };

function parseYaml(file: string, text: string): unknown {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const problem = doc.errors[0];
  if (problem !== undefined) {
    const where = problem.linePos?.[0];
    const at = where === undefined ? '' : ` (line ${where.line}, column ${where.col})`;
    throw new BootFileError(file, '', `is not valid YAML${at}: ${problem.message.split('\n')[0]}`);
  }
  return doc.toJS() ?? {};
}

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** pivs.yaml: a pivsd config with `role: director` (the default), or a real server's settings. */
export function validatePivsFile(text: string): PivsSettings {
  const file = 'pivs.yaml';
  const raw = parseYaml(file, text);
  if (!isMapping(raw)) throw new BootFileError(file, '', 'is not a mapping of settings (role, director, virtualServices, ...)');
  const role = raw.role ?? 'director';
  if (role !== 'director' && role !== 'real-server') {
    throw new BootFileError(file, 'role', `"${String(role)}" is not "director" or "real-server"`);
  }
  const doc = parseDocument(text);
  doc.delete('role');
  if (role === 'director') {
    const configText = doc.toString();
    try {
      parseConfig(configText);
    } catch (e) {
      if (e instanceof ConfigError) throw new BootFileError(file, e.path, e.detail);
      throw e;
    }
    return { role, configText };
  }
  for (const key of Object.keys(raw)) {
    if (!['role', 'virtualAddresses', 'agent'].includes(key)) {
      throw new BootFileError(file, key, 'is not a real-server setting (role, virtualAddresses, agent)');
    }
  }
  const vips = raw.virtualAddresses;
  if (!Array.isArray(vips) || vips.length === 0) {
    throw new BootFileError(file, 'virtualAddresses', 'must list the virtual addresses this real server accepts (at least one)');
  }
  const virtualAddresses = vips.map((v, i) => {
    const parsed = typeof v === 'string' ? parseAddress(v) : null;
    if (parsed === null) throw new BootFileError(file, `virtualAddresses[${i}]`, `"${String(v)}" is not an IPv4 or IPv6 address`);
    return parsed.address;
  });
  let agentText: string | null = null;
  if (raw.agent !== undefined) {
    try {
      validateAgentConfig(raw.agent);
    } catch (e) {
      const m = /^pivs-agent config: (.*)$/.exec((e as Error).message);
      throw new BootFileError(file, '', m === null ? (e as Error).message : `agent.${m[1]}`);
    }
    // Block style and the user's comments, as a file of its own.
    agentText = new Document(doc.get('agent', true)).toString();
  }
  return { role, virtualAddresses, agentText };
}

export interface InterfaceSettings {
  name: string;
  dhcp: boolean;
  /** CIDR, e.g. 198.18.0.2/24 */
  addresses: string[];
  gateway: string | null;
  gateway6: string | null;
}

export interface WifiSettings {
  country: string;
  ssid: string;
  /** Passphrase (8-63 characters) or null for an open network. */
  passphrase: string | null;
}

export interface NetworkSettings {
  hostname: string | null;
  interfaces: InterfaceSettings[];
  dns: string[];
  wifi: WifiSettings | null;
}

/** What applies without network.yaml (or with an invalid one): DHCP on eth0, so SSH works. */
export const DEFAULT_NETWORK: NetworkSettings = {
  hostname: null,
  interfaces: [{ name: 'eth0', dhcp: true, addresses: [], gateway: null, gateway6: null }],
  dns: [],
  wifi: null,
};

const HOSTNAME = /^(?=.{1,63}$)[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?$/;
const IFNAME = /^[A-Za-z0-9_.-]{1,15}$/;

function unknownKeys(file: string, where: string, raw: Record<string, unknown>, known: string[]): void {
  for (const key of Object.keys(raw)) {
    if (!known.includes(key)) throw new BootFileError(file, `${where}${key}`, `is not a known setting (${known.join(', ')})`);
  }
}

function address(file: string, field: string, v: unknown, family?: 4 | 6): string {
  const parsed = typeof v === 'string' ? parseAddress(v) : null;
  if (parsed === null || (family !== undefined && parsed.family !== family)) {
    throw new BootFileError(file, field, `"${String(v)}" is not an IPv${family ?? '4 or IPv6'} address`);
  }
  return parsed.address;
}

function cidr(file: string, field: string, v: unknown): string {
  const m = typeof v === 'string' ? /^([^/]+)\/(\d{1,3})$/.exec(v) : null;
  const parsed = m === null ? null : parseAddress(m[1]);
  if (m === null || parsed === null || Number(m[2]) > (parsed.family === 4 ? 32 : 128)) {
    throw new BootFileError(file, field, `"${String(v)}" is not ADDRESS/PREFIX (e.g. 198.18.0.2/24)`);
  }
  return `${parsed.address}/${Number(m[2])}`;
}

/** network.yaml: hostname, per-interface DHCP or static addresses, DNS, optional Wi-Fi. */
export function validateNetworkFile(text: string): NetworkSettings {
  const file = 'network.yaml';
  const raw = parseYaml(file, text);
  if (!isMapping(raw)) throw new BootFileError(file, '', 'is not a mapping of settings (hostname, interfaces, dns, wifi)');
  unknownKeys(file, '', raw, ['hostname', 'interfaces', 'dns', 'wifi']);
  let hostname: string | null = null;
  if (raw.hostname !== undefined) {
    if (typeof raw.hostname !== 'string' || !HOSTNAME.test(raw.hostname)) {
      throw new BootFileError(file, 'hostname', `"${String(raw.hostname)}" is not a host name (letters, digits and inner "-", at most 63)`);
    }
    hostname = raw.hostname;
  }
  const interfaces: InterfaceSettings[] = [];
  const rawIfs = raw.interfaces ?? { eth0: { dhcp: true } };
  if (!isMapping(rawIfs)) throw new BootFileError(file, 'interfaces', 'must map interface names to their settings (e.g. eth0: {dhcp: true})');
  for (const [name, rawIf] of Object.entries(rawIfs)) {
    const where = `interfaces.${name}`;
    if (!IFNAME.test(name)) throw new BootFileError(file, where, 'is not an interface name (1-15 letters, digits, "_", "." or "-")');
    const s = rawIf ?? {};
    if (!isMapping(s)) throw new BootFileError(file, where, 'must be a mapping (dhcp, addresses, gateway, gateway6)');
    unknownKeys(file, `${where}.`, s, ['dhcp', 'addresses', 'gateway', 'gateway6']);
    if (s.dhcp !== undefined && typeof s.dhcp !== 'boolean') throw new BootFileError(file, `${where}.dhcp`, 'must be true or false');
    const rawAddrs = s.addresses ?? [];
    if (!Array.isArray(rawAddrs)) throw new BootFileError(file, `${where}.addresses`, 'must be a list of ADDRESS/PREFIX');
    const addresses = rawAddrs.map((a, i) => cidr(file, `${where}.addresses[${i}]`, a));
    const dhcp = s.dhcp ?? addresses.length === 0;
    if (!dhcp && addresses.length === 0) {
      throw new BootFileError(file, where, 'has neither dhcp: true nor addresses, so it would get no address');
    }
    const gateway = s.gateway === undefined ? null : address(file, `${where}.gateway`, s.gateway, 4);
    const gateway6 = s.gateway6 === undefined ? null : address(file, `${where}.gateway6`, s.gateway6, 6);
    interfaces.push({ name, dhcp, addresses, gateway, gateway6 });
  }
  const rawDns = raw.dns ?? [];
  if (!Array.isArray(rawDns)) throw new BootFileError(file, 'dns', 'must be a list of addresses');
  const dns = rawDns.map((d, i) => address(file, `dns[${i}]`, d));
  let wifi: WifiSettings | null = null;
  if (raw.wifi !== undefined) {
    const w = raw.wifi;
    if (!isMapping(w)) throw new BootFileError(file, 'wifi', 'must be a mapping (country, ssid, passphrase)');
    unknownKeys(file, 'wifi.', w, ['country', 'ssid', 'passphrase']);
    if (typeof w.country !== 'string' || !/^[A-Z]{2}$/.test(w.country)) {
      throw new BootFileError(file, 'wifi.country', `"${String(w.country)}" is not a two-letter country code in capitals (e.g. DE, GB, US)`);
    }
    if (typeof w.ssid !== 'string' || Buffer.byteLength(w.ssid) < 1 || Buffer.byteLength(w.ssid) > 32) {
      throw new BootFileError(file, 'wifi.ssid', 'must be the network name, 1 to 32 bytes');
    }
    let passphrase: string | null = null;
    if (w.passphrase !== undefined && w.passphrase !== null) {
      if (typeof w.passphrase !== 'string' || !/^[\x20-\x7e]{8,63}$/.test(w.passphrase)) {
        throw new BootFileError(file, 'wifi.passphrase', 'must be 8 to 63 printable ASCII characters (WPA2)');
      }
      passphrase = w.passphrase;
    }
    wifi = { country: w.country, ssid: w.ssid, passphrase };
    if (!interfaces.some((i) => i.name === 'wlan0')) {
      interfaces.push({ name: 'wlan0', dhcp: true, addresses: [], gateway: null, gateway6: null });
    }
  }
  return { hostname, interfaces, dns, wifi };
}

const KEY_TYPES = ['ssh-ed25519', 'ssh-rsa', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521',
  'sk-ssh-ed25519@openssh.com', 'sk-ecdsa-sha2-nistp256@openssh.com'];

/** authorized_keys: every non-comment line holds a public key whose blob names its own type. */
export function validateAuthorizedKeys(text: string): string {
  const file = 'authorized_keys';
  const keys: string[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const fields = trimmed.split(/\s+/);
    const at = fields.findIndex((f) => KEY_TYPES.includes(f));
    const blob = at < 0 ? undefined : fields[at + 1];
    if (at < 0 || blob === undefined || !keyBlobMatches(blob, fields[at])) {
      throw new BootFileError(file, `line ${i + 1}`, 'is not an SSH public key (e.g. "ssh-ed25519 AAAAC3... you@laptop")');
    }
    keys.push(trimmed);
  });
  if (keys.length === 0) throw new BootFileError(file, '', 'holds no SSH public key, so nobody could log in');
  return `${keys.join('\n')}\n`;
}

function keyBlobMatches(blob: string, type: string): boolean {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(blob)) return false;
  const bytes = Buffer.from(blob, 'base64');
  if (bytes.length < 4) return false;
  const len = bytes.readUInt32BE(0);
  return bytes.subarray(4, 4 + len).toString('latin1') === type;
}
