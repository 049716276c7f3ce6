// Starting pivsd inside a lab's director namespace and driving it the way a user does: pivsadm on
// the command line, SIGHUP for a reload, the control socket for what the tests must wait for.
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ListResult } from '../control/protocol';
import type { StatusDocument } from '../status/model';
import { controlRequest } from './control_client';
import { StopWaiting, runAny, waitFor, type RunResult } from './exec';
import { IFACE, type Host, type Topology } from './topology';

/** The repository root, from dist/src/lab/ where this file runs. */
export const ROOT = resolve(__dirname, '..', '..', '..');
export const PIVSD_JS = join(ROOT, 'dist', 'src', 'daemon', 'main.js');
export const PIVSADM_JS = join(ROOT, 'dist', 'src', 'cli', 'main.js');
export const HTTP_SERVER_JS = join(ROOT, 'dist', 'src', 'lab', 'http_server.js');
export const UDP_CLIENT_JS = join(ROOT, 'dist', 'src', 'lab', 'udp_client.js');

export interface PivsdOptions {
  workers?: number;
  /** pivsd --dataplane; default $PIVS_TEST_DATAPLANE, else the config's (auto). */
  dataplane?: string;
  configFile?: string;
  /** Distinguishes several pivsd runs within one topology (socket and log names). */
  tag?: string;
  /** The namespace to run in (default the topology's director; e.g. t.director2). */
  host?: Host;
  /** Added to pivsd's environment (bench/ switches). */
  env?: NodeJS.ProcessEnv;
}

export class Pivsd {
  constructor(
    readonly topology: Topology,
    readonly child: ChildProcess,
    readonly socket: string,
    readonly logFile: string,
  ) {}

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** Runs pivsadm (in the caller's namespace: the socket is a file) and returns what it printed. */
  adm(args: readonly string[], input?: string): Promise<RunResult> {
    return runAny(process.execPath, [PIVSADM_JS, ...args], {
      env: { ...process.env, PIVS_SOCKET: this.socket },
      timeoutMs: 20_000,
      input,
    });
  }

  /** pivsadm that must succeed; returns stdout. */
  async admOk(args: readonly string[]): Promise<string> {
    const r = await this.adm(args);
    if (r.code !== 0) throw new Error(`pivsadm ${args.join(' ')} exited ${r.code}: ${r.stderr.trim()}`);
    return r.stdout;
  }

  list(): Promise<ListResult> {
    return controlRequest(this.socket, { method: 'list' }) as Promise<ListResult>;
  }

  /** Waits until every real server of every service has a resolved MAC, so traffic can flow. */
  async waitReady(): Promise<void> {
    await waitFor('real servers MAC resolution', async () => {
      const l = await this.list();
      const reals = l.virtualServices.flatMap((s) => s.realServers);
      return reals.length > 0 && reals.every((r) => r.macResolved) ? true : undefined;
    }, 100, 100);
  }

  log(): string {
    try { return readFileSync(this.logFile, 'utf8'); } catch { return ''; }
  }

  alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  reload(): void {
    this.child.kill('SIGHUP');
  }

  stop(): Promise<void> {
    return this.topology.stop(this.child);
  }
}

/** Starts pivsd on the director's LAN interface and waits until its control socket answers. */
/** The /status JSON of the pivsd running in `host`, at its default listen address (curl in its namespace). */
export async function statusDocument(t: Topology, host: Host): Promise<StatusDocument> {
  return JSON.parse(await t.exec(host, 'curl', ['-sS', '--max-time', '5', 'http://127.0.0.1:8080/status'])) as StatusDocument;
}

export async function startPivsd(t: Topology, opts: PivsdOptions = {}): Promise<Pivsd> {
  const tag = opts.tag ?? 'pivsd';
  const socket = join(t.runDir, `${tag}.sock`);
  const logFile = join(t.runDir, `${tag}.log`);
  const args = [PIVSD_JS, '-i', IFACE, '--socket', socket];
  if (opts.configFile !== undefined) args.push('-c', opts.configFile);
  if (opts.workers !== undefined) args.push('--workers', String(opts.workers));
  // The whole suite can run on either backend (scripts/test): PIVS_TEST_DATAPLANE=af_packet.
  const dataplane = opts.dataplane ?? process.env.PIVS_TEST_DATAPLANE;
  if (dataplane !== undefined && dataplane !== '') args.push('--dataplane', dataplane);
  const child = t.spawnIn(opts.host ?? t.director, process.execPath, args,
    { logFile, env: opts.env === undefined ? undefined : { ...process.env, ...opts.env } });
  const p = new Pivsd(t, child, socket, logFile);
  try {
    await waitFor('pivsd control socket', async () => {
      if (!p.alive()) throw new StopWaiting(`pivsd exited (${child.exitCode ?? child.signalCode}): ${p.log().trim().slice(-2000)}`);
      await p.list();
      return true;
    }, 150, 100);
  } catch (e) {
    await p.stop();
    throw e;
  }
  return p;
}

/** Starts the lab's HTTP (and UDP) server in every real server's namespace and waits for them. */
export async function startRealServers(t: Topology, opts: { udpPort?: number } = {}): Promise<void> {
  for (const r of t.reals) {
    const args = [HTTP_SERVER_JS, '--name', r.role, '--port', '80'];
    if (opts.udpPort !== undefined) args.push('--udp-port', String(opts.udpPort), '--udp-address', t.vip);
    t.spawnIn(r, process.execPath, args, { logFile: join(t.runDir, `${r.role}.log`) });
  }
  for (const r of t.reals) {
    // Asked from the real server itself, so the director is not yet involved.
    await waitFor(`${r.role} HTTP server`, async () => {
      const out = await t.exec(r, 'curl', ['-sS', '--max-time', '2', `http://${r.address}/`], 5000);
      return out.trim() === r.role ? true : undefined;
    }, 100, 100);
  }
}
