// Applies the boot partition's files to the installed system (every boot, before the network and
// pivs start). Each file is validated alone: an invalid one is reported in one sentence and its
// previous settings stay, so a typo in pivs.yaml never costs the SSH access.
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  BootFileError, DEFAULT_NETWORK, validateAuthorizedKeys, validateNetworkFile, validatePivsFile,
  type NetworkSettings, type PivsSettings,
} from './boot_files';
import { NETWORKD_DIR, networkFiles, type FileSet } from './network_files';

export interface ApplyOptions {
  /** The boot partition (FAT) as mounted: /boot/firmware on the appliance. */
  boot: string;
  /** The root to write into: "/" on the appliance, a directory in tests. */
  root: string;
}

export interface ApplyReport {
  /** One sentence per invalid file; empty when everything applied. */
  problems: string[];
  /** What was done, one line each (for the console and the journal). */
  notes: string[];
  role: PivsSettings['role'] | null;
  network: NetworkSettings;
  /** The host name to set now (null: unchanged). */
  hostname: string | null;
}

export const PIVS_FILES = { director: 'etc/pivs/pivs.yaml', realServer: 'etc/pivs/realserver.yaml', agent: 'etc/pivs/agent.yaml' };
export const AUTHORIZED_KEYS = 'root/.ssh/authorized_keys';

function readBootFile(boot: string, name: string): string | null {
  try {
    return readFileSync(join(boot, name), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new BootFileError(name, '', `cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/** Validates a file with `check`, turning its error into a problem sentence (result null). */
function attempt<T>(problems: string[], check: () => T): T | null {
  try {
    return check();
  } catch (e) {
    if (e instanceof BootFileError) {
      problems.push(e.message);
      return null;
    }
    throw e;
  }
}

export function applyBootFiles(opts: ApplyOptions): ApplyReport {
  const problems: string[] = [];
  const notes: string[] = [];
  const files: FileSet = new Map();
  const modes = new Map<string, { mode: number; group?: string }>();

  const pivsText = attempt(problems, () => readBootFile(opts.boot, 'pivs.yaml'));
  let role: PivsSettings['role'] | null = null;
  if (pivsText === null && problems.length === 0) {
    notes.push('pivs.yaml: not on the boot partition; pivs keeps its previous role and settings');
  } else if (pivsText !== null) {
    const pivs = attempt(problems, () => validatePivsFile(pivsText));
    if (pivs !== null) {
      role = pivs.role;
      if (pivs.role === 'director') {
        files.set(PIVS_FILES.director, pivs.configText);
        files.set(PIVS_FILES.realServer, null);
        files.set(PIVS_FILES.agent, null);
      } else {
        files.set(PIVS_FILES.director, null);
        files.set(PIVS_FILES.realServer, `# Written by pivs-boot-config from pivs.yaml on the boot partition.\nvirtualAddresses:\n${pivs.virtualAddresses.map((v) => `  - "${v}"\n`).join('')}`);
        files.set(PIVS_FILES.agent, pivs.agentText);
      }
      for (const f of Object.values(PIVS_FILES)) modes.set(f, { mode: 0o640, group: 'pivs' });
      notes.push(`pivs.yaml: applied (role: ${pivs.role})`);
    }
  }

  const netText = attempt(problems, () => readBootFile(opts.boot, 'network.yaml'));
  let network = DEFAULT_NETWORK;
  let hostname: string | null = null;
  const netBefore = problems.length;
  const parsedNet = netText === null ? null : attempt(problems, () => validateNetworkFile(netText));
  if (parsedNet !== null) network = parsedNet;
  const existing = safeReaddir(join(opts.root, NETWORKD_DIR));
  if (parsedNet !== null || netText === null || !existing.some((n) => n.startsWith('10-pivs-'))) {
    // A valid file, no file, or an invalid one on a node with no network yet: DHCP on eth0 at least.
    for (const [path, content] of networkFiles(network, existing)) files.set(path, content);
    hostname = network.hostname;
    if (network.wifi !== null) modes.set('etc/wpa_supplicant/wpa_supplicant-wlan0.conf', { mode: 0o600 });
    notes.push(problems.length > netBefore ? 'network.yaml: invalid, DHCP on eth0 instead'
      : netText === null ? 'network.yaml: not on the boot partition; DHCP on eth0' : 'network.yaml: applied');
  } else {
    notes.push('network.yaml: invalid, the previous network settings stay');
  }

  const keysText = attempt(problems, () => readBootFile(opts.boot, 'authorized_keys'));
  if (keysText !== null) {
    const keys = attempt(problems, () => validateAuthorizedKeys(keysText));
    if (keys !== null) {
      files.set(AUTHORIZED_KEYS, keys);
      modes.set(AUTHORIZED_KEYS, { mode: 0o600 });
      notes.push(`authorized_keys: applied (${keys.trim().split('\n').length} key(s))`);
    } else {
      notes.push('authorized_keys: invalid, the previous keys stay');
    }
  } else if (problems.every((p) => !p.startsWith('authorized_keys'))) {
    notes.push('authorized_keys: not on the boot partition; the previous keys stay');
  }

  writeFiles(opts.root, files, modes);
  return { problems, notes, role, network, hostname };
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function groupId(root: string, name: string): number | null {
  const line = (readBootFileAbs(join(root, 'etc/group')) ?? '').split('\n').find((l) => l.startsWith(`${name}:`));
  const gid = line === undefined ? NaN : Number(line.split(':')[2]);
  return Number.isInteger(gid) ? gid : null;
}

function readBootFileAbs(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

function writeFiles(root: string, files: FileSet, modes: Map<string, { mode: number; group?: string }>): void {
  for (const [rel, content] of files) {
    const path = join(root, rel);
    if (content === null) {
      rmSync(path, { force: true });
      continue;
    }
    mkdirSync(dirname(path), { recursive: true, mode: rel.startsWith('root/.ssh') ? 0o700 : 0o755 });
    const tmp = `${path}.pivs-new`;
    writeFileSync(tmp, content, { mode: 0o644 });
    const want = modes.get(rel);
    if (want !== undefined) {
      chmodSync(tmp, want.mode);
      const gid = want.group === undefined ? null : groupId(root, want.group);
      if (gid !== null && process.getuid?.() === 0) chownSync(tmp, 0, gid);
    }
    // rename: a power cut leaves the old file or the new one, never half of one.
    renameSync(tmp, path);
  }
  if (existsSync(join(root, 'root/.ssh'))) chmodSync(join(root, 'root/.ssh'), 0o700);
}
