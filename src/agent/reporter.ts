// One reporting period of pivs-agent: check the application, read MemFree, send the signed
// report to every director. I/O comes in through AgentIo so tests drive it with fixtures.
import type { AgentConfig } from './config';
import { encodeReport } from './codec';
import type { HealthVerdict } from './health';
import { loadIndex, parseMemInfo } from './proc';

export interface AgentIo {
  readMeminfo(): string;
  runHealthCheck(): Promise<HealthVerdict>;
  send(message: Buffer, director: string, port: number): void;
  /** Wall clock, ms since the epoch. */
  now(): number;
}

export type TickOutcome =
  | { sent: true; loadIndex: number; weight?: number; seq: bigint }
  | { sent: false; reason: string };

export class Reporter {
  private seq: bigint;
  private readonly ramMb: number;

  /** bogoMips comes from /proc/cpuinfo (read once by the caller) or the config. */
  constructor(private readonly config: AgentConfig, private readonly bogoMips: number, private readonly io: AgentIo) {
    // Starting from the wall clock keeps seq above anything a previous run of this agent sent,
    // so the directors' replay check accepts a restarted agent at once.
    this.seq = BigInt(Math.floor(io.now()));
    const mem = parseMemInfo(io.readMeminfo());
    if (mem === null) throw new Error(`${config.procRoot}/meminfo has no MemTotal or MemFree line; pivs-agent cannot compute a load index.`);
    this.ramMb = config.ramMb ?? Math.max(1, Math.floor(mem.memTotalKb / 1024));
  }

  async tick(): Promise<TickOutcome> {
    let scriptWeight: number | undefined;
    if (this.config.healthCheck !== null) {
      const verdict = await this.io.runHealthCheck();
      // A silent agent is how the directors learn the application is down.
      if (!verdict.up) return { sent: false, reason: verdict.reason };
      scriptWeight = verdict.weight;
    }
    const mem = parseMemInfo(this.io.readMeminfo());
    if (mem === null) return { sent: false, reason: `${this.config.procRoot}/meminfo has no MemFree line` };
    const index = loadIndex(this.bogoMips, mem.memFreeKb, this.ramMb);
    const weight = scriptWeight ?? this.config.weight ?? undefined;
    this.seq += 1n;
    const message = encodeReport({
      address: this.config.address, loadIndex: index, seq: this.seq, timeMs: this.io.now(),
      ...(weight === undefined ? {} : { weight }),
    }, this.config.key);
    for (const director of this.config.directors) this.io.send(message, director, this.config.port);
    return { sent: true, loadIndex: index, seq: this.seq, ...(weight === undefined ? {} : { weight }) };
  }
}
