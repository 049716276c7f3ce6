// notifyUp / notifyDown / quorumUp / quorumDown: an argv run without a shell, told what happened
// through its environment, never waited for by the caller and killed (its whole process group)
// if it hangs. script_runner.ts: no capabilities, own process group.
import type { Logger } from 'pino';
import { runScript } from './script_runner';

export const NOTIFY_TIMEOUT_MS = 30_000;

export type RunCommand = (argv: readonly string[], env: Record<string, string>) => void;

export function notifier(logger: Logger): RunCommand {
  return (argv, env) => {
    void runScript(argv, { env, timeoutMs: NOTIFY_TIMEOUT_MS }).exited.then((e) => {
      if (e.error !== undefined) logger.warn({ command: argv, err: e.error.message }, 'health: could not run the notify command');
      else if (e.timedOut) logger.warn({ command: argv, timeoutMs: NOTIFY_TIMEOUT_MS }, 'health: the notify command took too long; killed its process group');
      else if (e.code !== 0) logger.warn({ command: argv, code: e.code, signal: e.signal }, 'health: the notify command failed');
    });
  };
}
