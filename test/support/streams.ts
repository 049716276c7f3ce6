// Driving stream_client.ts and udp_probe.ts in the client's namespace from a test or bench.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../../src/lab/pivsd';
import type { Topology } from '../../src/lab/topology';
import type { StreamReport } from './stream_client';

export const STREAM_CLIENT_JS = join(ROOT, 'dist', 'test', 'support', 'stream_client.js');
export const UDP_PROBE_JS = join(ROOT, 'dist', 'test', 'support', 'udp_probe.js');

export interface StreamParams {
  connections: number;
  /** How long each stream lasts at its pace (bytes = chunk * durationMs / interval). */
  durationMs: number;
  chunk?: number;
  interval?: number;
  port?: number;
}

/** A running stream_client: N paced streams through the VIP, every byte checked. */
export class StreamRun {
  private out = '';
  private err = '';
  private established = false;
  private report: StreamReport | null = null;
  private readonly exited: Promise<void>;

  private constructor(private readonly child: ChildProcess, readonly expectedBytes: number) {
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (d: string) => {
      this.out += d;
      for (const line of this.out.split('\n')) {
        if (line.startsWith('{"event":"established"')) this.established = true;
        if (line.startsWith('{"event":"report"')) this.report = JSON.parse(line) as StreamReport;
      }
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (d: string) => { this.err += d; });
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  static start(t: Topology, p: StreamParams): StreamRun {
    const chunk = p.chunk ?? 1000;
    const interval = p.interval ?? 10;
    const bytes = chunk * Math.ceil(p.durationMs / interval);
    // Bounded whatever happens: the streams' own time plus a generous margin for a stalled one.
    const deadline = Math.ceil(p.durationMs * 2 + 20_000);
    const child = spawn('ip', ['netns', 'exec', t.client.ns, process.execPath, STREAM_CLIENT_JS,
      '--to', `${t.vip}:${p.port ?? 80}`, '--connections', String(p.connections), '--bytes', String(bytes),
      '--chunk', String(chunk), '--interval', String(interval), '--deadline', String(deadline)],
    { stdio: ['pipe', 'pipe', 'pipe'] });
    return new StreamRun(child, bytes);
  }

  /** Waits until every connection has its first body byte (throws if that does not happen). */
  async waitEstablished(timeoutMs = 15_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!this.established) {
      if (this.report !== null || this.child.exitCode !== null || Date.now() > until) {
        await this.finished(2000).catch(() => undefined);
        throw new Error(`streams were not all established: ${this.err.trim()} ${JSON.stringify(this.report?.connections ?? [])}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Records an instant (epoch ms) the report measures "first byte after" from. */
  mark(at: number): void {
    this.child.stdin?.write(`mark ${at}\n`);
  }

  /** Waits for the client's report (it is bounded by its own deadline). */
  async finished(timeoutMs: number): Promise<StreamReport> {
    await Promise.race([this.exited, new Promise((r) => setTimeout(r, timeoutMs).unref())]);
    if (this.report === null) {
      this.stop();
      throw new Error(`stream_client gave no report (exit ${this.child.exitCode}): ${this.err.trim()}`);
    }
    return this.report;
  }

  stop(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

/** Sends a datagram every `everyMs` to VIP:port for `durationMs` (see udp_probe.ts). */
export function startProbe(t: Topology, port: number, everyMs: number, durationMs: number): ChildProcess {
  return spawn('ip', ['netns', 'exec', t.client.ns, process.execPath, UDP_PROBE_JS,
    '--to', `${t.vip}:${port}`, '--every', String(everyMs), '--duration', String(durationMs)], { stdio: 'ignore' });
}

/** Connections that did not arrive whole: anything but complete with a matching SHA-256. */
export function lostConnections(r: StreamReport): number {
  return r.connections.filter((c) => !(c.outcome === 'complete' && c.sha256Match)).length;
}

/** One line per damaged connection, for assertion messages. */
export function damageText(r: StreamReport): string {
  return r.connections.filter((c) => !(c.outcome === 'complete' && c.sha256Match))
    .map((c) => `#${c.index} port ${c.localPort} via ${c.realServer}: ${c.outcome} ${c.bytes}/${r.expectedBytes} bytes${c.error === null ? '' : ` (${c.error})`}`)
    .join('; ');
}
