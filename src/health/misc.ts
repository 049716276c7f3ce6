// keepalived MISC_CHECK: a program decides. Exit 0: up; 1: down; with `dynamic`, 2-255: up with
// weight = code - 2 (misc_dynamic); without it any non-zero code is down. Run through
// script_runner.ts (no shell, no capabilities, own process group), the whole group killed
// (SIGKILL) when the round's timeout ends it.
import type { HealthCheckSpec } from '../config/health_model';
import { endpoint, errorText, oneShot, type CheckResult, type Checker, type CheckTarget } from './checker';
import { runScript } from './script_runner';

export class ScriptChecker implements Checker {
  readonly type = 'script';
  readonly description: string;
  private readonly argv: string[];
  private readonly dynamic: boolean;

  constructor(private readonly target: CheckTarget, spec: HealthCheckSpec) {
    this.argv = spec.command ?? [];
    this.dynamic = spec.dynamic === true;
    this.description = `script ${this.argv.map((a) => JSON.stringify(a)).join(' ')} for ${endpoint(target)}`;
  }

  check(signal: AbortSignal): Promise<CheckResult> {
    const cmd = this.argv[0];
    return oneShot(signal, (done) => {
      // The same program can then serve every real server of a service.
      const run = runScript(this.argv, { env: { PIVS_REAL_ADDRESS: this.target.address, PIVS_REAL_PORT: String(this.target.port) } });
      void run.exited.then((e) => {
        if (e.error !== undefined) done({ ok: false, message: `could not run ${cmd}: ${errorText(e.error)}` });
        else if (e.code === null) done({ ok: false, message: `${cmd} was killed by ${e.signal}` });
        else done(this.judge(e.code));
      });
      return () => run.kill();
    });
  }

  private judge(code: number): CheckResult {
    if (code === 0) return { ok: true, message: 'exited 0' };
    if (this.dynamic && code >= 2) return { ok: true, message: `exited ${code}: weight ${code - 2}`, weight: code - 2 };
    return { ok: false, message: `exited ${code}` };
  }
}
