// Runs one real server's checks on its timer and feeds the results to the state machine.
// Transitions and weight changes go out through the callbacks; nothing else does.
import type { HealthCheck } from '../config/health_model';
import type { CheckResult, Checker } from './checker';
import { INITIAL, serving, step, type FsmState, type Transition } from './fsm';
import type { HealthState } from './state';

export interface RunnerEvents {
  transition(t: Transition, result: CheckResult): void;
  /** A dynamic script check changed the weight; null: back to the configured one. */
  weight(weight: number | null): void;
}

export interface RunnerOptions {
  check: HealthCheck;
  checkers: Checker[];
  events: RunnerEvents;
  /** 0 <= x < 1, for the warm-up spread; Math.random unless a test fixes it. */
  random?: () => number;
}

export class HealthRunner {
  private fsm: FsmState = INITIAL;
  private weightNow: number | null = null;
  private lastResult: HealthState['lastResult'] = null;
  private lastChange: string | null = null;
  private timer: NodeJS.Timeout | null = null;
  private round: AbortController | null = null;
  private stopped = false;

  constructor(private readonly opts: RunnerOptions) {}

  start(): void {
    const warmup = this.opts.check.warmup * 1000 * (this.opts.random ?? Math.random)();
    this.schedule(warmup);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.round?.abort();
  }

  /** Whether it takes new connections now (Unknown counts as serving unless alpha). */
  get serving(): boolean {
    return serving(this.fsm.status, this.opts.check.alpha);
  }

  get weight(): number | null {
    return this.weightNow;
  }

  state(): HealthState {
    const s: HealthState = {
      state: this.fsm.status,
      lastResult: this.lastResult,
      lastChange: this.lastChange,
      checks: this.opts.checkers.map((c) => c.description),
    };
    if (this.weightNow !== null) s.weight = this.weightNow;
    return s;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.runRound();
    }, ms);
  }

  private async runRound(): Promise<void> {
    const controller = new AbortController();
    this.round = controller;
    const timer = setTimeout(() => controller.abort(), this.opts.check.timeout * 1000);
    const results = await Promise.all(this.opts.checkers.map(async (c) => ({ checker: c, result: await c.check(controller.signal) })));
    clearTimeout(timer);
    this.round = null;
    if (this.stopped) return;
    const failed = results.find((r) => !r.result.ok);
    const shown = failed ?? results[results.length - 1];
    const at = new Date().toISOString();
    this.lastResult = { ok: failed === undefined, checker: shown.checker.description, message: shown.result.message, at };
    const next = step(this.fsm, failed === undefined, this.opts.check);
    this.fsm = next.state;
    if (next.transition !== null) {
      this.lastChange = at;
      this.opts.events.transition(next.transition, shown.result);
    }
    if (failed === undefined) {
      const weights = results.flatMap((r) => (r.result.weight === undefined ? [] : [r.result.weight]));
      const weight = weights.length === 0 ? null : Math.min(...weights);
      if (weight !== this.weightNow) {
        this.weightNow = weight;
        this.opts.events.weight(weight);
      }
    }
    this.schedule(this.opts.check.interval * 1000);
  }
}
