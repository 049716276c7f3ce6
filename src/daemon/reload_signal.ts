// SIGHUP for pivsd: a reload, never the default action (which kills), even during startup.
import type { Logger } from 'pino';

export interface ReloadSignal {
  /** From now on SIGHUP calls reload; a SIGHUP that came before runs it once, now. */
  started(reload: () => void, logger: Logger): void;
}

/**
 * Installs the SIGHUP handler first thing, so that a SIGHUP during startup (a `systemctl reload`
 * racing the start) is not the default action, which kills: it is remembered, and the reload runs
 * once, when startup has finished. main.ts calls it before its other imports load (seconds on
 * a Pi), so this module imports nothing at run time. Several early SIGHUPs make one reload.
 */
export function queueReloads(proc: Pick<NodeJS.EventEmitter, 'on'>): ReloadSignal {
  let reload: (() => void) | null = null;
  let log: Logger | null = null;
  let pending = false;
  proc.on('SIGHUP', () => {
    if (reload === null || log === null) {
      pending = true;
      return;
    }
    log.info('SIGHUP: reloading the configuration');
    reload();
  });
  return {
    started(fn, logger) {
      reload = fn;
      log = logger;
      if (!pending) return;
      pending = false;
      logger.info('SIGHUP during startup: reloading the configuration now that pivsd has started');
      fn();
    },
  };
}
