// keepalived MISC_CHECK: a program decides. Exit 0: up; 1: down; with `dynamic`, 2-255: up with
// weight = code - 2 (misc_dynamic); without it any non-zero code is down. Run without a shell,
// killed (SIGKILL) when the round's timeout ends it.
import { spawn } from 'node:child_process';
import type { HealthCheckSpec } from '../config/health_model';
import { endpoint, errorText, oneShot, type CheckResult, type Checker, type CheckTarget } from './checker';

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
    const [cmd, ...args] = this.argv;
    return oneShot(signal, (done) => {
      const child = spawn(cmd, args, {
        stdio: 'ignore',
        // The same program can then serve every real server of a service.
        env: { ...process.env, PIVS_REAL_ADDRESS: this.target.address, PIVS_REAL_PORT: String(this.target.port) },
      });
      child.once('error', (e) => done({ ok: false, message: `could not run ${cmd}: ${errorText(e)}` }));
      child.once('exit', (code, sig) => done(code === null ? { ok: false, message: `${cmd} was killed by ${sig}` } : this.judge(code)));
      return () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      };
    });
  }

  private judge(code: number): CheckResult {
    if (code === 0) return { ok: true, message: 'exited 0' };
    if (this.dynamic && code >= 2) return { ok: true, message: `exited ${code}: weight ${code - 2}`, weight: code - 2 };
    return { ok: false, message: `exited ${code}` };
  }
}
