// A LAN of network namespaces for the lab, the network tests and the benches:
//
//   client ──┐
//   director ├── br0 (in the "sw" namespace)
//   rs1..rsN ┘
//
// Every host has one interface, eth0, in 198.18.0.0/24 (RFC 2544 benchmarking space). All names
// carry a per-run prefix, and nothing is created in the caller's own namespace, so concurrent runs
// and a crashed run cannot collide with anything else. teardown() removes all of it.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, openSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, runSyncQuiet } from './exec';

export const LAN_PREFIX_LEN = 24;
export const VIP = '198.18.0.100';
export const CLIENT_ADDRESS = '198.18.0.1';
export const DIRECTOR_ADDRESS = '198.18.0.2';
/** The second director (TopologyOptions.directors = 2), for HA tests: same LAN, next address. */
export const DIRECTOR2_ADDRESS = '198.18.0.3';
export const FIRST_REAL_OCTET = 11;
export const IFACE = 'eth0';
/** Every host's second link with `lans: 2`, on LAN2 (docs/links.md). */
export const IFACE2 = 'eth1';

/** The MAC of a host's second link: its first MAC with :01: in place of :00: before the last byte. */
export function lan2Mac(h: { mac: string }): string {
  return h.mac.replace(/:00:([0-9a-f]{2})$/, ':01:$1');
}

/** Namespace names of every lab/test/bench run start with this, so `lab clean` can find leftovers. */
export const NS_PREFIX = 'pv';

export type Role = 'client' | 'director' | 'director2' | `rs${number}`;

export interface Host {
  role: Role;
  ns: string;
  address: string;
  /** Fixed per role (02:00:c6:12:00:<last octet>) so captures and neighbour tables read easily. */
  mac: string;
}

export interface TopologyOptions {
  /** Short tag in the namespace names: "lab", "t", "b" (bench). */
  kind: string;
  realServers?: number;
  /** 2 adds a second director, `director2` at DIRECTOR2_ADDRESS, configured as the first (default 1). */
  directors?: 1 | 2;
  /** Tear down and exit on SIGINT/SIGTERM/SIGHUP (default). The lab turns it off to stop gracefully. */
  handleSignals?: boolean;
  /**
   * 2 adds LAN2: a second switch (br1) joined to br0 by an inter-switch link, and on every host an
   * eth1 (up, no address) on it — one IP subnet over two switches, as link redundancy needs
   * (docs/links.md). Every host then answers ARP only on the interface holding the address.
   */
  lans?: 1 | 2;
}

const live = new Set<Topology>();
let handlersInstalled = false;

function macFor(address: string): string {
  const last = Number(address.split('.')[3]);
  return `02:00:c6:12:00:${last.toString(16).padStart(2, '0')}`;
}

let signalsInstalled = false;

function installExitHandlers(signals: boolean): void {
  if (!handlersInstalled) {
    handlersInstalled = true;
    process.on('exit', () => {
      for (const t of live) t.teardownSync();
    });
  }
  if (!signals || signalsInstalled) return;
  signalsInstalled = true;
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(sig, () => {
      for (const t of live) t.teardownSync();
      process.exit(128 + (sig === 'SIGINT' ? 2 : sig === 'SIGTERM' ? 15 : 1));
    });
  }
}

export class Topology {
  readonly prefix: string;
  readonly switchNs: string;
  readonly client: Host;
  readonly director: Host;
  /** Present only with `directors: 2`. */
  readonly director2: Host | null;
  readonly reals: Host[];
  readonly vip = VIP;
  /** Scratch directory of this run: control socket, logs, config files. */
  readonly runDir: string;
  readonly lans: 1 | 2;
  private readonly children = new Set<ChildProcess>();
  private created: string[] = [];
  private torndown = false;

  private constructor(opts: TopologyOptions) {
    const id = randomBytes(3).toString('hex');
    this.prefix = `${NS_PREFIX}${opts.kind}${id}`;
    this.switchNs = `${this.prefix}-sw`;
    const host = (role: Role, address: string): Host => ({ role, ns: `${this.prefix}-${role}`, address, mac: macFor(address) });
    this.client = host('client', CLIENT_ADDRESS);
    this.director = host('director', DIRECTOR_ADDRESS);
    if (opts.directors !== undefined && opts.directors !== 1 && opts.directors !== 2) throw new Error('directors must be 1 or 2.');
    this.director2 = opts.directors === 2 ? host('director2', DIRECTOR2_ADDRESS) : null;
    const n = opts.realServers ?? 3;
    if (!Number.isInteger(n) || n < 1 || n > 50) throw new Error('realServers must be an integer from 1 to 50.');
    this.reals = Array.from({ length: n }, (_, i) => host(`rs${i + 1}`, `198.18.0.${FIRST_REAL_OCTET + i}`));
    this.runDir = join(tmpdir(), this.prefix);
    if (opts.lans !== undefined && opts.lans !== 1 && opts.lans !== 2) throw new Error('lans must be 1 or 2.');
    this.lans = opts.lans ?? 1;
  }

  /** The switch-side port (in switchNs) of a host's link on LAN1 or LAN2: cut it to cut the link. */
  switchPort(host: Host, lan: 1 | 2 = 1): string {
    const port = host.role === 'director' ? 'dir' : host.role === 'director2' ? 'dir2' : host.role === 'client' ? 'cli' : host.role;
    return lan === 1 ? port : `${port}b`;
  }

  /** Builds the whole LAN; on any failure removes what it had made and rethrows. */
  static async create(opts: TopologyOptions): Promise<Topology> {
    if (!/^[a-z]{1,4}$/.test(opts.kind)) throw new Error('kind must be 1 to 4 lowercase letters.');
    const t = new Topology(opts);
    installExitHandlers(opts.handleSignals ?? true);
    live.add(t);
    try {
      await t.build();
    } catch (e) {
      await t.teardown();
      throw e;
    }
    return t;
  }

  get hosts(): Host[] {
    return [this.client, this.director, ...(this.director2 === null ? [] : [this.director2]), ...this.reals];
  }

  host(role: string): Host {
    const h = this.hosts.find((x) => x.role === role);
    if (h === undefined) throw new Error(`No host "${role}" in this lab; hosts are ${this.hosts.map((x) => x.role).join(', ')}.`);
    return h;
  }

  private async ip(args: string[]): Promise<void> {
    await run('ip', args);
  }

  async sysctl(ns: string, key: string, value: string | number): Promise<void> {
    await run('ip', ['netns', 'exec', ns, 'sysctl', '-qw', `${key}=${value}`]);
  }

  private async addNamespace(ns: string): Promise<void> {
    await this.ip(['netns', 'add', ns]);
    this.created.push(ns);
    await this.ip(['-n', ns, 'link', 'set', 'lo', 'up']);
    // IPv6 autoconfiguration and MLD chatter would add frames the tests and benches don't expect.
    await this.sysctl(ns, 'net.ipv6.conf.all.disable_ipv6', 1);
    await this.sysctl(ns, 'net.ipv6.conf.default.disable_ipv6', 1);
  }

  private async build(): Promise<void> {
    mkdirSync(this.runDir, { recursive: true });
    await this.addNamespace(this.switchNs);
    await this.ip(['-n', this.switchNs, 'link', 'add', 'br0', 'type', 'bridge', 'stp_state', '0', 'forward_delay', '0']);
    await this.ip(['-n', this.switchNs, 'link', 'set', 'br0', 'up']);
    for (const h of this.hosts) {
      await this.addNamespace(h.ns);
      // The switch-side port is named after the role, the host side is always eth0.
      const port = this.switchPort(h);
      await this.ip(['-n', this.switchNs, 'link', 'add', port, 'type', 'veth', 'peer', 'name', IFACE, 'netns', h.ns]);
      await this.ip(['-n', this.switchNs, 'link', 'set', port, 'master', 'br0', 'up']);
      await this.ip(['-n', h.ns, 'link', 'set', IFACE, 'address', h.mac]);
      await this.ip(['-n', h.ns, 'addr', 'add', `${h.address}/${LAN_PREFIX_LEN}`, 'dev', IFACE]);
      await this.ip(['-n', h.ns, 'link', 'set', IFACE, 'up']);
    }
    if (this.lans === 2) await this.buildLan2();
    await this.checksumTowardDirectors();
    // The director forwards only through pivsd: the kernel must neither route nor own the VIP.
    await this.sysctl(this.director.ns, 'net.ipv4.ip_forward', 0);
    if (this.director2 !== null) await this.sysctl(this.director2.ns, 'net.ipv4.ip_forward', 0);
    for (const r of this.reals) {
      // Direct routing: the real server accepts the VIP locally but never answers ARP for it.
      await this.ip(['-n', r.ns, 'addr', 'add', `${VIP}/32`, 'dev', 'lo']);
      for (const dev of ['all', IFACE]) {
        await this.sysctl(r.ns, `net.ipv4.conf.${dev}.arp_ignore`, 1);
        await this.sysctl(r.ns, `net.ipv4.conf.${dev}.arp_announce`, 2);
      }
    }
  }

  /**
   * veth passes a sender's checksum offload on (CHECKSUM_PARTIAL) to whatever receives the frame,
   * and XDP cannot see that state: frames reaching pivsd's AF_XDP sockets would leave with the L4
   * checksum never filled in. A real NIC never receives such frames. The switch ports facing the
   * directors compute the checksums, as a wire would have them.
   */
  private async checksumTowardDirectors(): Promise<void> {
    for (const h of this.hosts) {
      if (h.role !== 'director' && h.role !== 'director2') continue;
      for (const lan of this.lans === 2 ? [1, 2] as const : [1] as const) {
        await run('ip', ['netns', 'exec', this.switchNs, 'ethtool', '-K', this.switchPort(h, lan), 'tx', 'off']);
      }
    }
  }

  private async buildLan2(): Promise<void> {
    await this.ip(['-n', this.switchNs, 'link', 'add', 'br1', 'type', 'bridge', 'stp_state', '0', 'forward_delay', '0']);
    await this.ip(['-n', this.switchNs, 'link', 'set', 'br1', 'up']);
    await this.ip(['-n', this.switchNs, 'link', 'add', 'isl0', 'type', 'veth', 'peer', 'name', 'isl1']);
    await this.ip(['-n', this.switchNs, 'link', 'set', 'isl0', 'master', 'br0', 'up']);
    await this.ip(['-n', this.switchNs, 'link', 'set', 'isl1', 'master', 'br1', 'up']);
    for (const h of this.hosts) {
      const port = this.switchPort(h, 2);
      await this.ip(['-n', this.switchNs, 'link', 'add', port, 'type', 'veth', 'peer', 'name', IFACE2, 'netns', h.ns]);
      await this.ip(['-n', this.switchNs, 'link', 'set', port, 'master', 'br1', 'up']);
      await this.ip(['-n', h.ns, 'link', 'set', IFACE2, 'address', lan2Mac(h)]);
      await this.ip(['-n', h.ns, 'link', 'set', IFACE2, 'up']);
      // Two links on one subnet: without this the kernel answers ARP for its address on both.
      for (const dev of ['all', IFACE, IFACE2]) {
        await this.sysctl(h.ns, `net.ipv4.conf.${dev}.arp_ignore`, 1);
        await this.sysctl(h.ns, `net.ipv4.conf.${dev}.arp_announce`, 2);
      }
    }
  }

  /** The kernel-forwarding reference for benches: the director becomes a plain IP router for the
   *  VIP, spreading flows over the real servers by an L4 hash, with no pivsd involved. */
  async makeDirectorKernelRouter(): Promise<void> {
    const ns = this.director.ns;
    await this.sysctl(ns, 'net.ipv4.ip_forward', 1);
    await this.sysctl(ns, 'net.ipv4.conf.all.send_redirects', 0);
    await this.sysctl(ns, `net.ipv4.conf.${IFACE}.send_redirects`, 0);
    await this.sysctl(ns, 'net.ipv4.conf.all.rp_filter', 0);
    await this.sysctl(ns, `net.ipv4.conf.${IFACE}.rp_filter`, 0);
    await this.sysctl(ns, 'net.ipv4.fib_multipath_hash_policy', 1);
    const hops = this.reals.flatMap((r) => ['nexthop', 'via', r.address, 'dev', IFACE, 'weight', '1']);
    await this.ip(['-n', ns, 'route', 'replace', `${VIP}/32`, ...hops]);
  }

  async undoDirectorKernelRouter(): Promise<void> {
    await this.ip(['-n', this.director.ns, 'route', 'del', `${VIP}/32`]);
    await this.sysctl(this.director.ns, 'net.ipv4.ip_forward', 0);
  }

  /** Runs a command inside a host's namespace and returns its stdout (rejects on failure). */
  exec(host: Host | string, cmd: string, args: readonly string[], timeoutMs = 15_000): Promise<string> {
    const ns = typeof host === 'string' ? host : host.ns;
    return run('ip', ['netns', 'exec', ns, cmd, ...args], { timeoutMs });
  }

  /**
   * Starts a long-running process inside a host's namespace; it is stopped by teardown().
   * Output goes to logFile (appended) when given, else is discarded, so a chatty process cannot
   * block on a full pipe.
   */
  spawnIn(host: Host | string, cmd: string, args: readonly string[], opts: { logFile?: string; env?: NodeJS.ProcessEnv } = {}): ChildProcess {
    if (this.torndown) throw new Error('This lab has been torn down.');
    const ns = typeof host === 'string' ? host : host.ns;
    const fd = opts.logFile === undefined ? 'ignore' : openSync(opts.logFile, 'a');
    // `ip netns exec` execs the command, so the child's pid is the command's own pid.
    const child = spawn('ip', ['netns', 'exec', ns, cmd, ...args], {
      stdio: ['ignore', fd, fd],
      env: opts.env ?? process.env,
    });
    if (typeof fd === 'number') closeSync(fd);
    this.children.add(child);
    child.on('exit', () => this.children.delete(child));
    return child;
  }

  /** Stops one spawned process: SIGTERM, then SIGKILL if it is still there after graceMs. */
  async stop(child: ChildProcess, graceMs = 3000): Promise<void> {
    const done = (): boolean => child.exitCode !== null || child.signalCode !== null;
    if (done()) return;
    // Timers are cleared as soon as the child exits: a pending one would keep the caller alive.
    const exitedWithin = (ms: number): Promise<boolean> => new Promise((resolve) => {
      const timer = setTimeout(() => { child.off('exit', onExit); resolve(done()); }, ms);
      function onExit(): void { clearTimeout(timer); resolve(true); }
      child.once('exit', onExit);
    });
    child.kill('SIGTERM');
    if (await exitedWithin(graceMs)) return;
    child.kill('SIGKILL');
    await exitedWithin(1000);
  }

  /** Interface counters of a host's eth0 as the kernel reports them. */
  async linkStats(host: Host): Promise<{ rxPackets: number; txPackets: number; rxBytes: number }> {
    const out = await run('ip', ['-n', host.ns, '-s', '-j', 'link', 'show', IFACE]);
    const parsed = JSON.parse(out) as Array<{ stats64: { rx: { packets: number; bytes: number }; tx: { packets: number } } }>;
    const s = parsed[0].stats64;
    return { rxPackets: s.rx.packets, txPackets: s.tx.packets, rxBytes: s.rx.bytes };
  }

  /** Removes every namespace and process of this run. Safe to call more than once. */
  async teardown(): Promise<void> {
    if (this.torndown) return;
    await Promise.all([...this.children].map((c) => this.stop(c, 2000)));
    this.teardownSync();
  }

  /** The same for exit and signal handlers, where nothing asynchronous runs any more. */
  teardownSync(): void {
    if (this.torndown) return;
    this.torndown = true;
    live.delete(this);
    for (const c of this.children) {
      if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    }
    for (const ns of this.created) {
      // Processes still inside (curl from a failed test, a grandchild) would keep the namespace and
      // its veths alive after `netns del`; they are ours, since the namespace is.
      const pids = runSyncQuiet('ip', ['netns', 'pids', ns]).split('\n').filter((p) => /^\d+$/.test(p));
      for (const p of pids) {
        try { process.kill(Number(p), 'SIGKILL'); } catch { /* already gone */ }
      }
      runSyncQuiet('ip', ['netns', 'del', ns]);
    }
    this.created = [];
    rmSync(this.runDir, { recursive: true, force: true });
  }
}

/** Namespaces left by runs that died without cleaning up (kill -9, power loss). */
export async function staleNamespaces(): Promise<string[]> {
  const out = await run('ip', ['-j', 'netns', 'list']).catch(() => '[]');
  const list = (out.trim() === '' ? [] : JSON.parse(out)) as Array<{ name: string }>;
  return list.map((x) => x.name).filter((n) => new RegExp(`^${NS_PREFIX}[a-z]{1,4}[0-9a-f]{6}-`).test(n));
}
