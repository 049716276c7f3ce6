// Network-test helpers for VRRP: a keepalived peer with a notify script, pivsd configs with a vrrp
// section, and the state files both sides' notify commands append to ("MASTER", "BACKUP", ...).
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { runAny, waitFor } from '../../src/lab/exec';
import { Keepalived } from '../support/keepalived';
import { IFACE, type Host, type Topology } from '../../src/lab/topology';

export interface VrrpSide {
  virtualRouterId: number;
  priority: number;
  advertInt: number;
  version: 2 | 3;
  authPass?: string;
}

/** A notify script (keepalived's `notify` argument order) that appends the state ($3) to a file. */
export function stateScript(t: Topology, tag: string): { script: string; file: string } {
  const file = join(t.runDir, `${tag}.states`);
  const script = join(t.runDir, `${tag}.notify.sh`);
  writeFileSync(file, '');
  writeFileSync(script, `#!/bin/sh\necho "$3" >> '${file}'\n`);
  chmodSync(script, 0o755);
  return { script, file };
}

export function states(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');
  } catch {
    return [];
  }
}

/** Waits until the last state written to `file` is `state`. */
export async function waitState(file: string, state: string, what: string, seconds = 15): Promise<void> {
  await waitFor(`${what} to be ${state}`, async () => (states(file).at(-1) === state ? true : undefined), seconds * 10, 100);
}

export function keepalivedConf(side: VrrpSide, vip: string, notify: string): string {
  return [
    'global_defs {',
    `  vrrp_version ${side.version}`,
    '  script_user root',
    '}',
    'vrrp_instance VI_1 {',
    '  state BACKUP',
    `  interface ${IFACE}`,
    `  virtual_router_id ${side.virtualRouterId}`,
    `  priority ${side.priority}`,
    `  advert_int ${side.advertInt}`,
    ...(side.authPass === undefined ? [] : ['  authentication {', '    auth_type PASS', `    auth_pass ${side.authPass}`, '  }']),
    `  notify ${notify}`,
    '  virtual_ipaddress {',
    `    ${vip}/32 dev ${IFACE}`,
    '  }',
    '}',
    '',
  ].join('\n');
}

/** keepalived (VRRP only) in `host`'s namespace; its notify script writes to the returned file. */
export async function startKeepalivedPeer(t: Topology, host: Host, side: VrrpSide, tag: string): Promise<{ k: Keepalived; stateFile: string }> {
  const { script, file } = stateScript(t, tag);
  const conf = join(t.runDir, `${tag}.conf`);
  writeFileSync(conf, keepalivedConf(side, t.vip, script));
  const pidFile = join(t.runDir, `${tag}.pid`);
  const vrrpPidFile = join(t.runDir, `${tag}.vrrp.pid`);
  const logFile = join(t.runDir, `${tag}.log`);
  // A VIP left on the interface by an earlier keepalived killed with -9 would answer ARP for it.
  await runAny('ip', ['-n', host.ns, 'addr', 'del', `${t.vip}/32`, 'dev', IFACE]);
  const child = t.spawnIn(host, 'keepalived', ['-n', '-l', '-D', '-P', '-f', conf, '-p', pidFile, '-r', vrrpPidFile], { logFile });
  return { k: new Keepalived(t, host, child, pidFile, vrrpPidFile, logFile), stateFile: file };
}

/** A pivsd config file with one virtual service on the VIP and one VRRP instance moving it. */
export function writePivsdConfig(t: Topology, side: VrrpSide, notify: string, tag: string): string {
  const instance: Record<string, unknown> = {
    name: 'VI_1', virtualRouterId: side.virtualRouterId, priority: side.priority,
    advertInt: side.advertInt, version: side.version, virtualAddresses: [t.vip],
    notify: { any: notify },
    // One burst is enough on a test LAN, and a second one 5 s later would outlive short scenarios.
    garp: { masterRepeat: 2, masterDelay: 0 },
  };
  if (side.authPass !== undefined) instance.authPass = side.authPass;
  const config = {
    director: { interface: IFACE },
    virtualServices: [{
      protocol: 'tcp', address: t.vip, port: 80, scheduler: 'rr',
      realServers: t.reals.map((r) => ({ address: r.address, weight: 1 })),
    }],
    vrrp: { instances: [instance] },
  };
  const file = join(t.runDir, `${tag}.yaml`);
  writeFileSync(file, stringify(config));
  return file;
}

/** Lines of a keepalived log that show it disliked what it received. */
export function keepalivedProtocolErrors(log: string): string[] {
  return log.split('\n').filter((l) =>
    /bad checksum|invalid|ttl|mismatch|wrong|malformed|discard|receive an? (?:advert|packet).*(?:error|fail)|authentication/i.test(l)
    && !/Unknown keyword/i.test(l));
}

/** Lines of a pivsd log (pino JSON) where it dropped or questioned an advert. */
export function pivsdProtocolErrors(log: string): string[] {
  return log.split('\n').filter((l) => /dropped a VRRP advert|address list mismatch|malformed VRRP/.test(l));
}
