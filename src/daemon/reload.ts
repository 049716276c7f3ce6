// What SIGHUP does: re-read the file and swap the whole model, or keep running unchanged (an
// empty file or one that is not valid YAML is refused with one sentence: config/load.ts).
import type { Logger } from 'pino';
import { loadConfigFile, type ValidateOptions } from '../config';
import type { Director } from '../control/director';

export type ReloadOutcome = { ok: true } | { ok: false; message: string };

export function reloadConfig(
  director: Director, path: string, options: ValidateOptions, logger: Logger,
): ReloadOutcome {
  let message: string;
  try {
    const error = director.replace(loadConfigFile(path, options, { reload: true }));
    if (error === null) {
      logger.info({ config: path, virtualServices: director.config.virtualServices.length }, 'configuration reloaded');
      return { ok: true };
    }
    message = error.message;
  } catch (e) {
    message = e instanceof Error ? e.message : String(e);
  }
  logger.error({ config: path }, `reload refused, keeping the running configuration: ${message}`);
  return { ok: false, message };
}
