// Watching frames on the lab's switch with tcpdump, to time failovers from the outside: a capture on
// a director's switch port with direction "in" sees exactly the frames that director transmits.
// Timestamps are the kernel's receive times (wall clock, microseconds), comparable with Date.now().
import { spawn, type ChildProcess } from 'node:child_process';
import type { Host, Topology } from '../../src/lab/topology';

/** The switch-side port of a host (named after its role in topology.ts). */
export function switchPort(h: Host): string {
  if (h.role === 'director') return 'dir';
  if (h.role === 'director2') return 'dir2';
  if (h.role === 'client') return 'cli';
  return h.role;
}

export interface CapturedFrame {
  /** Epoch milliseconds (fractional). */
  at: number;
  line: string;
}

/**
 * tcpdump on one switch port, frames sent by that port's host only, with a BPF filter. Collects
 * every matching frame until stopped (or until maxFrames). Always stop() it (teardown also kills it).
 */
export class Capture {
  readonly frames: CapturedFrame[] = [];
  private readonly waiters: Array<() => void> = [];

  private constructor(private readonly child: ChildProcess) {}

  static async start(t: Topology, from: Host, filter: string, maxFrames = 10_000): Promise<Capture> {
    const child = spawn('ip', ['netns', 'exec', t.switchNs, 'tcpdump', '-i', switchPort(from), '-Q', 'in',
      '-n', '-e', '-tt', '-l', '-U', '-c', String(maxFrames), filter], { stdio: ['ignore', 'pipe', 'pipe'] });
    const c = new Capture(child);
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      out += d;
      let nl: number;
      while ((nl = out.indexOf('\n')) >= 0) {
        const line = out.slice(0, nl);
        out = out.slice(nl + 1);
        const m = /^(\d+)\.(\d{6}) /.exec(line);
        if (m !== null) c.frames.push({ at: Number(m[1]) * 1000 + Number(m[2]) / 1000, line });
      }
      for (const w of c.waiters.splice(0)) w();
    });
    // tcpdump says "listening on" once the capture is open: frames before that would be missed.
    let err = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`tcpdump did not start: ${err.trim()}`)); }, 10_000);
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (d: string) => {
        err += d;
        if (err.includes('listening on')) { clearTimeout(timer); resolve(); }
      });
      child.on('exit', () => { clearTimeout(timer); reject(new Error(`tcpdump exited: ${err.trim()}`)); });
    });
    return c;
  }

  /** The first frame at or after `since` (epoch ms), waiting up to timeoutMs for it; null if none. */
  async firstAfter(since: number, timeoutMs: number): Promise<CapturedFrame | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const f = this.frames.find((x) => x.at >= since);
      if (f !== undefined) return f;
      const left = deadline - Date.now();
      if (left <= 0 || this.child.exitCode !== null) return null;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 200));
        this.waiters.push(() => { clearTimeout(timer); resolve(); });
      });
    }
  }

  /** Frames captured before `until` (epoch ms). */
  before(until: number): CapturedFrame[] {
    return this.frames.filter((f) => f.at < until);
  }

  stop(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
  }
}
