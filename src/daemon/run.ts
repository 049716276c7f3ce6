// Starting and stopping the daemon's parts in order. main.ts passes in the real dataplane and
// ARP; tests can pass fakes.
import type { Logger } from 'pino';
import { loadConfigFile, parseConfig, type Config, type ValidateOptions } from '../config';
import { Director, type AddressListener } from '../control/director';
import { handleRequest } from '../control/dispatch';
import { startControlServer, type ControlServer } from '../control/server';
import { resolveSocketPath } from '../control/socket-path';
import type { Dataplane, DataplaneOptions } from '../dataplane/types';
import type { DaemonOptions } from './options';
import { reloadConfig, type ReloadOutcome } from './reload';

export interface DaemonDeps {
  openDataplane(options: DataplaneOptions): Dataplane;
  startArp(opts: { dataplane: Dataplane; interface: string; logger: Logger }): AddressListener & { close(): void };
  logger: Logger;
  env?: NodeJS.ProcessEnv;
}

export interface Daemon {
  readonly director: Director;
  readonly socket: string;
  /** Re-reads the config file (no-op success without --config). */
  reload(): ReloadOutcome;
  stop(): Promise<void>;
}

export async function startDaemon(opts: DaemonOptions, deps: DaemonDeps): Promise<Daemon> {
  const { logger } = deps;
  const overrides: ValidateOptions = {};
  if (opts.interface !== undefined) overrides.interface = opts.interface;
  if (opts.workers !== undefined) overrides.workers = opts.workers;
  const config: Config = opts.config === undefined ? parseConfig('', overrides) : loadConfigFile(opts.config, overrides);
  const { director: settings } = config;
  const dataplane = deps.openDataplane({
    interface: settings.interface, workers: settings.workers,
    connTableSize: settings.connTableSize, mhTableSize: settings.mhTableSize,
  });
  const undo: (() => void)[] = [() => dataplane.close()];
  try {
    const arp = deps.startArp({ dataplane, interface: settings.interface, logger });
    undo.unshift(() => arp.close());
    const director = new Director({ config, dataplane, arp, logger });
    undo.unshift(() => director.close());
    director.startRates();
    const socket = resolveSocketPath(opts.socket, deps.env ?? process.env);
    const server: ControlServer = await startControlServer({
      path: socket, logger, handle: (request) => handleRequest(director, request),
    });
    logger.info({ interface: settings.interface, workers: settings.workers, config: opts.config ?? null,
      virtualServices: config.virtualServices.length }, 'pivsd started');
    return {
      director,
      socket,
      reload: () => (opts.config === undefined ? { ok: true } : reloadConfig(director, opts.config, overrides, logger)),
      stop: async () => {
        await server.close();
        for (const step of undo) step();
        logger.info('pivsd stopped');
      },
    };
  } catch (e) {
    for (const step of undo) step();
    throw e;
  }
}
