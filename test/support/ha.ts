// Two pivsd directors on one lab LAN, for the failover tests and bench: director (A) and director2
// (B) share the VIP through VRRP, sync their connections to each other and exchange heartbeats.
import { after, before } from 'node:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startPivsd, startRealServers, type Pivsd } from '../../src/lab/pivsd';
import { IFACE, Topology, type Host } from '../../src/lab/topology';
import { Capture } from './capture';

export const VRID = 51;
export const UDP_PROBE_PORT = 53;
export const AUTH_KEY = 'pivs-lab-shared-secret';

export interface HaSettings {
  /** VRRP version: 3 allows advert intervals in 10 ms steps, 2 only whole seconds. */
  version: 2 | 3;
  /** Seconds. */
  advertInt: number;
  priorityA: number;
  priorityB: number;
  preempt: boolean;
  /** Shared key of sync and heartbeat (HMAC-SHA256). */
  authKey: string;
  /** false: no heartbeat, so VRRP alone decides (tests of the election itself). */
  heartbeat: boolean;
  /** false: sync in plain IPVS format, which trusts the peer's address only. */
  signedSync: boolean;
  /** multicast: to IPVS's group 224.0.0.81, as Linux IPVS syncs (the peer is still listed). */
  syncTransport: 'unicast' | 'multicast';
}

export const DEFAULT_HA: HaSettings = {
  version: 3, advertInt: 0.1, priorityA: 150, priorityB: 100, preempt: true, authKey: AUTH_KEY, heartbeat: true,
  signedSync: true, syncTransport: 'unicast',
};

/** RFC 5798 Master_Down_Interval of a backup with this priority, in ms. */
export function masterDownIntervalMs(advertInt: number, priority: number): number {
  return 3 * advertInt * 1000 + ((256 - priority) * advertInt * 1000) / 256;
}

/** The whole pivsd config of one director of the pair (the sample in docs/ha.md has this shape). */
export function directorConfig(t: Topology, self: Host, peer: Host, priority: number, s: HaSettings): Record<string, unknown> {
  const reals = (): object[] => t.reals.map((r) => ({ address: r.address, weight: 1 }));
  return {
    // Both directors share the host's UTS namespace, so the host name cannot tell them apart.
    director: { interface: IFACE, name: directorName(self) },
    virtualServices: [
      { protocol: 'tcp', address: t.vip, port: 80, scheduler: 'rr', realServers: reals() },
      { protocol: 'udp', address: t.vip, port: UDP_PROBE_PORT, scheduler: 'rr', realServers: reals() },
    ],
    vrrp: {
      instances: [{
        name: 'VI_1',
        interface: IFACE,
        virtualRouterId: VRID,
        priority,
        advertInt: s.advertInt,
        version: s.version,
        preempt: s.preempt,
        virtualAddresses: [t.vip],
      }],
    },
    sync: {
      transport: s.syncTransport,
      peers: [peer.address],
      ...(s.signedSync ? { auth: { key: s.authKey } } : {}),
    },
    heartbeat: !s.heartbeat ? undefined : {
      key: s.authKey,
      // Declared dead after two advert intervals, within Master_Down_Interval (3.6 of them), so the
      // heartbeat never delays a takeover; no faster than every 10 ms, which Node keeps up with.
      intervalMs: Math.min(200, Math.max(10, Math.round((s.advertInt * 1000) / 2))),
      deadIntervals: 4,
      links: [{ name: 'lan', interface: IFACE, localAddress: self.address }],
      peers: [{ name: directorName(peer), addresses: [peer.address] }],
    },
  };
}

export function directorName(h: Host): string {
  return h.role === 'director' ? 'director-a' : 'director-b';
}

export type Side = 'a' | 'b';

export class HaLab {
  private readonly running: Record<Side, Pivsd | null> = { a: null, b: null };
  /** Every pivsd run so far, killed ones too, for their logs. */
  private readonly runs: Array<[string, Pivsd]> = [];

  private constructor(readonly t: Topology, readonly settings: HaSettings) {}

  static async create(kind: string, settings: Partial<HaSettings> = {}): Promise<HaLab> {
    const t = await Topology.create({ kind, directors: 2, realServers: 3 });
    try {
      await startRealServers(t, { udpPort: UDP_PROBE_PORT });
      return new HaLab(t, { ...DEFAULT_HA, ...settings });
    } catch (e) {
      await t.teardown();
      throw e;
    }
  }

  host(side: Side): Host {
    const h = side === 'a' ? this.t.director : this.t.director2;
    if (h === null) throw new Error('This topology has no second director.');
    return h;
  }

  other(side: Side): Side {
    return side === 'a' ? 'b' : 'a';
  }

  pivsd(side: Side): Pivsd {
    const p = this.running[side];
    if (p === null) throw new Error(`director ${side.toUpperCase()} is not running.`);
    return p;
  }

  priority(side: Side): number {
    return side === 'a' ? this.settings.priorityA : this.settings.priorityB;
  }

  /** Master_Down_Interval of `side` as a backup, in ms. */
  masterDownMs(side: Side): number {
    return masterDownIntervalMs(this.settings.advertInt, this.priority(side));
  }

  configFile(side: Side): string {
    const file = join(this.t.runDir, `director-${side}.yaml`);
    writeFileSync(file, stringify(directorConfig(this.t, this.host(side), this.host(this.other(side)), this.priority(side), this.settings)));
    return file;
  }

  async start(side: Side): Promise<Pivsd> {
    const p = await startPivsd(this.t, { host: this.host(side), configFile: this.configFile(side), tag: `pivsd-${side}-${this.runs.length + 1}` });
    this.running[side] = p;
    this.runs.push([`${side.toUpperCase()} #${this.runs.length + 1}`, p]);
    return p;
  }

  /** kill -9 one director's pivsd; returns the epoch ms just before the signal. */
  kill(side: Side): number {
    const p = this.pivsd(side);
    const at = Date.now();
    p.child.kill('SIGKILL');
    this.running[side] = null;
    return at;
  }

  /**
   * Waits until `side` is the VRRP master as the LAN sees it: it sends the adverts (IP protocol 112)
   * and the other director sends none for a few advert intervals.
   */
  async waitMaster(side: Side, timeoutMs = 20_000): Promise<void> {
    const mine = await Capture.start(this.t, this.host(side), 'ip proto 112');
    const theirs = await Capture.start(this.t, this.host(this.other(side)), 'ip proto 112');
    try {
      const quiet = Math.max(4 * this.settings.advertInt * 1000, 300);
      const until = Date.now() + timeoutMs;
      while (Date.now() < until) {
        const since = Date.now();
        await new Promise((r) => setTimeout(r, quiet));
        if (mine.frames.some((f) => f.at >= since) && !theirs.frames.some((f) => f.at >= since)) return;
      }
      throw new Error(`director ${side.toUpperCase()} did not become the only VRRP master within ${timeoutMs} ms.`);
    } finally {
      mine.stop();
      theirs.stop();
    }
  }

  /** Log text of every pivsd run so far, for assertion messages. */
  logs(): string {
    return this.runs.map(([name, p]) => `--- pivsd ${name}:\n${p.log().slice(-3000)}`).join('\n');
  }

  async teardown(): Promise<void> {
    await this.t.teardown();
  }
}

/** Client ports of the TCP connections from the client to VIP:80 in a `pivsadm -L -c -n` listing. */
export function clientPorts(listing: string, client: string, vip: string): Set<number> {
  const ports = new Set<number>();
  for (const line of listing.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f[0] !== 'TCP' || f.length < 6 || f[4] !== `${vip}:80`) continue;
    const [addr, port] = f[3].split(':');
    if (addr === client) ports.add(Number(port));
  }
  return ports;
}

/** The ports in `wanted` that `have` lacks, for assertion messages. */
export function missingPorts(wanted: Iterable<number>, have: Set<number>): number[] {
  return [...wanted].filter((p) => !have.has(p));
}

/**
 * Registers before()/after() hooks that build the two-director lab with A elected master and B
 * ready as its backup, and tear it down whatever happened; use the returned getter in the tests.
 */
export function useHaLab(settings: Partial<HaSettings> = {}): () => HaLab {
  let lab: HaLab | undefined;
  before(async () => {
    lab = await HaLab.create('t', settings);
    await lab.start('a');
    await lab.waitMaster('a');
    await lab.start('b');
    await lab.pivsd('a').waitReady();
    await lab.pivsd('b').waitReady();
    await lab.waitMaster('a');
  });
  after(async () => { await lab?.teardown(); });
  return () => {
    if (lab === undefined) throw new Error('The HA lab was not built (see the before hook\'s error).');
    return lab;
  };
}
