// keepalived-style notify commands: run without a shell, never awaited by the election, killed
// after a timeout. close() waits (bounded) for the ones still running, e.g. notify_stop.
import { spawn } from 'node:child_process';
import type { Logger } from 'pino';
import type { VrrpNotify } from '../config/vrrp_model';

export type NotifyState = 'MASTER' | 'BACKUP' | 'FAULT' | 'STOP';

export interface Notifier {
  /** Runs the state's own command, then `any` with "INSTANCE"|"GROUP" NAME STATE PRIORITY. */
  notify(kind: 'INSTANCE' | 'GROUP', name: string, notify: VrrpNotify, state: NotifyState, priority: number): void;
  /** Resolves once every command started so far has exited or been killed. */
  idle(): Promise<void>;
}

/** How commands run; tests pass a recorder. */
export type CommandRunner = (argv: readonly string[], timeoutMs: number) => Promise<void>;

export const NOTIFY_TIMEOUT_MS = 10_000;

export function spawnRunner(logger: Logger): CommandRunner {
  return (argv, timeoutMs) => new Promise((resolve) => {
    let child;
    try {
      child = spawn(argv[0], argv.slice(1), { stdio: 'ignore' });
    } catch (err) {
      logger.warn({ err, command: argv }, 'could not start a notify command');
      resolve();
      return;
    }
    const timer = setTimeout(() => {
      logger.warn({ command: argv, timeoutMs }, 'notify command took too long; killed it');
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (err) => logger.warn({ err, command: argv }, 'could not start a notify command'));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code !== 0 && signal === null) logger.warn({ command: argv, code }, 'notify command failed');
      resolve();
    });
  });
}

export function createNotifier(run: CommandRunner, timeoutMs = NOTIFY_TIMEOUT_MS): Notifier {
  const running = new Set<Promise<void>>();
  const start = (argv: readonly string[]): void => {
    const p = run(argv, timeoutMs).catch(() => undefined);
    running.add(p);
    void p.then(() => running.delete(p));
  };
  return {
    notify(kind, name, notify, state, priority) {
      const own = { MASTER: notify.master, BACKUP: notify.backup, FAULT: notify.fault, STOP: notify.stop }[state];
      if (own !== undefined) start(own);
      if (notify.any !== undefined) start([...notify.any, kind, name, state, String(priority)]);
    },
    async idle() {
      await Promise.all([...running]);
    },
  };
}
