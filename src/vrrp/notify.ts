// keepalived-style notify commands: run without a shell or capabilities in their own process
// group (health/script_runner.ts), never awaited by the election, the group killed after a
// timeout. close() waits (bounded) for the ones still running, e.g. notify_stop.
import type { Logger } from 'pino';
import { runScript } from '../health';
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
  return async (argv, timeoutMs) => {
    const e = await runScript(argv, { timeoutMs }).exited;
    if (e.error !== undefined) logger.warn({ err: e.error, command: argv }, 'could not start a notify command');
    else if (e.timedOut) logger.warn({ command: argv, timeoutMs }, 'notify command took too long; killed its process group');
    else if (e.code !== 0 && e.signal === null) logger.warn({ command: argv, code: e.code }, 'notify command failed');
  };
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
