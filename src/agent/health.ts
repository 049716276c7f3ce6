// The local health script pivs-agent runs each period before reporting. keepalived MISC_CHECK
// semantics: exit 0 = up, 1 = down, 2..255 = up with weight = code - 2; a timeout, a signal or a
// script that cannot start counts as down, so an agent never vouches for an application it could
// not check.
import { execFile } from 'node:child_process';
import type { AgentHealthCheck } from './config';

export type HealthVerdict = { up: true; weight?: number } | { up: false; reason: string };

export function verdictOfExit(code: number | null, signal: string | null): HealthVerdict {
  if (code === 0) return { up: true };
  if (code !== null && code >= 2 && code <= 255) return { up: true, weight: code - 2 };
  if (code === 1) return { up: false, reason: 'the health script exited with 1 (application down)' };
  return { up: false, reason: `the health script ended by ${signal ?? 'an unknown cause'}` };
}

export function runHealthCheck(check: AgentHealthCheck): Promise<HealthVerdict> {
  return new Promise((resolve) => {
    const [file, ...args] = check.command;
    execFile(file, args, { timeout: check.timeoutMs, killSignal: 'SIGKILL' }, (err) => {
      if (err === null) return resolve({ up: true });
      const e = err as NodeJS.ErrnoException & { code?: number | string; signal?: string | null; killed?: boolean };
      if (typeof e.code === 'number') return resolve(verdictOfExit(e.code, null));
      if (e.killed === true) return resolve({ up: false, reason: `the health script took over ${check.timeoutMs} ms` });
      if (e.signal) return resolve(verdictOfExit(null, e.signal));
      resolve({ up: false, reason: `the health script could not run (${String(e.code ?? e.message)})` });
    });
  });
}
