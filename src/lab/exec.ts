// Running commands for the lab, the network tests and the benches: always execFile with an argument
// vector (never a shell string), always with a timeout, so a wedged tool cannot hang a test run.
import { execFile, execFileSync } from 'node:child_process';

export interface RunResult {
  stdout: string;
  stderr: string;
  /** Exit status; null when a signal (including our timeout) ended the command. */
  code: number | null;
}

export interface RunOptions {
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  input?: string;
}

/** Runs a command and resolves with its output whatever its exit status. */
export function runAny(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = execFile(cmd, args as string[], {
      timeout: opts.timeoutMs ?? 15_000,
      env: opts.env ?? process.env,
      maxBuffer: 64 * 1024 * 1024,
      encoding: 'utf8',
    }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof (err as { code?: unknown }).code === 'number'
        ? (err as { code: number }).code : null;
      resolve({ stdout, stderr, code });
    });
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    else child.stdin?.end();
  });
}

/** Runs a command and rejects, with its stderr in the message, unless it exits 0. */
export async function run(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<string> {
  const r = await runAny(cmd, args, opts);
  if (r.code !== 0) {
    const why = r.code === null ? 'was killed (timeout?)' : `exited ${r.code}`;
    throw new Error(`${cmd} ${args.join(' ')} ${why}: ${r.stderr.trim() || r.stdout.trim()}`);
  }
  return r.stdout;
}

/** Synchronous best-effort run for exit handlers, where no promise can settle any more. */
export function runSyncQuiet(cmd: string, args: readonly string[]): string {
  try {
    return execFileSync(cmd, args as string[], { timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'], encoding: 'utf8' });
  } catch {
    return '';
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Thrown from a waitFor() check to stop waiting at once (the awaited thing can no longer happen). */
export class StopWaiting extends Error {}

/**
 * Polls until check() returns a value other than undefined, at most `tries` times. Errors thrown by
 * check() count as "not yet", except StopWaiting, which ends the wait with that error.
 */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, tries = 100, everyMs = 100): Promise<T> {
  let lastError: unknown;
  for (let i = 0; i < tries; i++) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (e) {
      if (e instanceof StopWaiting) throw e;
      lastError = e;
    }
    await sleep(everyMs);
  }
  const detail = lastError instanceof Error ? `: ${lastError.message}` : '';
  throw new Error(`gave up waiting for ${what} after ${tries} tries${detail}`);
}
