// Tracking as keepalived does it: interfaces (carrier) and scripts (exit status, rise/fall), each
// with a weight that moves the instance's priority or, at weight 0, puts it in FAULT.
import { readFileSync } from 'node:fs';
import type { Clock } from '../common/clock';
import type { VrrpInstanceSettings } from '../config/vrrp_model';
import { runScript } from '../health';

/** /sys is polled at this period; rtnetlink events are to replace it (issue 5). */
export const CARRIER_POLL_MS = 500;

export interface TrackResult {
  kind: 'interface' | 'script';
  name: string;
  weight: number;
  up: boolean;
}

export interface TrackIo {
  /** true when the interface has carrier; false when down, absent or unreadable. */
  carrier(iface: string): boolean;
  /** Resolves true when the command exited 0 within the timeout. */
  check(argv: readonly string[], timeoutMs: number): Promise<boolean>;
}

export const systemTrackIo: TrackIo = {
  carrier(iface) {
    try {
      return readFileSync(`/sys/class/net/${iface}/carrier`, 'utf8').trim() === '1';
    } catch {
      return false;
    }
  },
  // No shell, no capabilities, own process group killed whole on timeout (health/script_runner.ts).
  check: async (argv, timeoutMs) => (await runScript(argv, { timeoutMs }).exited).code === 0,
};

/** What tracking does to an instance: FAULT, or a priority adjusted by the weights (1..254). */
export function trackedPriority(priority: number, results: readonly TrackResult[]): { priority: number; fault: boolean } {
  const fault = results.some((r) => r.weight === 0 && !r.up);
  // As keepalived: the address owner's 255 is not adjusted.
  if (priority === 255) return { priority, fault };
  let delta = 0;
  for (const r of results) {
    if (r.weight > 0 && r.up) delta += r.weight;
    if (r.weight < 0 && !r.up) delta += r.weight;
  }
  return { priority: Math.min(254, Math.max(1, priority + delta)), fault };
}

export interface Tracking {
  results(): TrackResult[];
  close(): void;
}

export function startTracking(
  track: VrrpInstanceSettings['track'], io: TrackIo, clock: Clock, onChange: () => void,
): Tracking {
  const results: TrackResult[] = [];
  const timers = new Set<unknown>();
  let closed = false;
  const later = (fn: () => void, ms: number): void => {
    const h = clock.setTimeout(() => {
      timers.delete(h);
      if (!closed) fn();
    }, ms);
    timers.add(h);
  };

  for (const t of track.interfaces) {
    const r: TrackResult = { kind: 'interface', name: t.name, weight: t.weight, up: io.carrier(t.name) };
    results.push(r);
    const poll = (): void => {
      const up = io.carrier(t.name);
      if (up !== r.up) {
        r.up = up;
        onChange();
      }
      later(poll, CARRIER_POLL_MS);
    };
    later(poll, CARRIER_POLL_MS);
  }

  for (const s of track.scripts) {
    // keepalived's default: a script is good until it has failed `fall` times in a row.
    const r: TrackResult = { kind: 'script', name: s.name, weight: s.weight, up: true };
    results.push(r);
    let streak = 0;
    const run = (): void => {
      void io.check(s.script, s.timeout * 1000).then((ok) => {
        if (closed) return;
        if (ok === r.up) streak = 0;
        else if (++streak >= (ok ? s.rise : s.fall)) {
          r.up = ok;
          streak = 0;
          onChange();
        }
        later(run, s.interval * 1000);
      });
    };
    run();
  }

  return {
    results: () => results.map((r) => ({ ...r })),
    close() {
      closed = true;
      for (const h of timers) clock.clearTimeout(h);
      timers.clear();
    },
  };
}
