// notifyUp / notifyDown / quorumUp / quorumDown: an argv run without a shell, told what happened
// through its environment, never waited for by the caller and killed if it hangs.
import { spawn } from 'node:child_process';
import type { Logger } from 'pino';

export const NOTIFY_TIMEOUT_MS = 30_000;

export type RunCommand = (argv: readonly string[], env: Record<string, string>) => void;

export function notifier(logger: Logger): RunCommand {
  return (argv, env) => {
    const [cmd, ...args] = argv;
    const child = spawn(cmd, args, { stdio: 'ignore', env: { ...process.env, ...env } });
    const timer = setTimeout(() => child.kill('SIGKILL'), NOTIFY_TIMEOUT_MS);
    timer.unref();
    child.once('error', (e) => {
      clearTimeout(timer);
      logger.warn({ command: argv, err: e.message }, 'health: could not run the notify command');
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) logger.warn({ command: argv, code, signal }, 'health: the notify command failed');
    });
  };
}
