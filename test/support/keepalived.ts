// keepalived (Debian's package) as a real VRRP peer inside a lab director's namespace: the reference
// the failover bench compares pivs with, and a peer for interop tests.
import type { ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runAny } from '../../src/lab/exec';
import { IFACE, type Host, type Topology } from '../../src/lab/topology';

export interface KeepalivedInstance {
  virtualRouterId: number;
  priority: number;
  /** Seconds; fractions need version 3. */
  advertInt: number;
  version: 2 | 3;
  preempt: boolean;
  virtualAddresses: string[];
}

export function keepalivedConf(i: KeepalivedInstance): string {
  return [
    'global_defs {',
    `  vrrp_version ${i.version}`,
    '}',
    'vrrp_instance VI_1 {',
    '  state BACKUP',
    `  interface ${IFACE}`,
    `  virtual_router_id ${i.virtualRouterId}`,
    `  priority ${i.priority}`,
    `  advert_int ${i.advertInt}`,
    ...(i.preempt ? [] : ['  nopreempt']),
    '  virtual_ipaddress {',
    ...i.virtualAddresses.map((a) => `    ${a}/32 dev ${IFACE}`),
    '  }',
    '}',
    '',
  ].join('\n');
}

export class Keepalived {
  constructor(readonly topology: Topology, readonly host: Host, readonly child: ChildProcess,
    readonly pidFile: string, readonly vrrpPidFile: string, readonly logFile: string) {}

  /** Pids of keepalived's parent and its VRRP child (the one that sends adverts). */
  pids(): number[] {
    const read = (f: string): number[] => {
      try { return [Number(readFileSync(f, 'utf8').trim())].filter((n) => Number.isInteger(n) && n > 0); } catch { return []; }
    };
    return [...read(this.vrrpPidFile), ...read(this.pidFile), ...(this.child.pid === undefined ? [] : [this.child.pid])];
  }

  /** kill -9 every keepalived process of this instance; returns the epoch ms just before. */
  kill(): number {
    const at = Date.now();
    for (const p of this.pids()) {
      try { process.kill(p, 'SIGKILL'); } catch { /* already gone */ }
    }
    return at;
  }

  log(): string {
    try { return readFileSync(this.logFile, 'utf8'); } catch { return ''; }
  }
}

/** Starts keepalived (VRRP only) in `host`'s namespace with one instance. */
export async function startKeepalived(t: Topology, host: Host, i: KeepalivedInstance, tag: string): Promise<Keepalived> {
  const conf = join(t.runDir, `${tag}.conf`);
  writeFileSync(conf, keepalivedConf(i));
  const pidFile = join(t.runDir, `${tag}.pid`);
  const vrrpPidFile = join(t.runDir, `${tag}.vrrp.pid`);
  // A VIP left on the interface by a keepalived killed with -9 would make the kernel answer for it.
  for (const a of i.virtualAddresses) await runAny('ip', ['-n', host.ns, 'addr', 'del', `${a}/32`, 'dev', IFACE]);
  // -P: the VRRP subsystem only (no checkers); -n: stay in the foreground so teardown can stop it.
  const child = t.spawnIn(host, 'keepalived', ['-n', '-l', '-D', '-P', '-f', conf, '-p', pidFile, '-r', vrrpPidFile], { logFile: join(t.runDir, `${tag}.log`) });
  return new Keepalived(t, host, child, pidFile, vrrpPidFile, join(t.runDir, `${tag}.log`));
}
