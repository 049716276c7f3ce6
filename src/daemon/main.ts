#!/usr/bin/env node
// pivsd: wiring only. Options, then startDaemon with the real dataplane and ARP, then signals.
// SIGHUP first, before the imports below load (seconds on a Pi): its default action kills, and a
// reload asked for during startup runs once startup has finished (reload_signal.ts).
import { queueReloads } from './reload_signal';
const reloads = queueReloads(process);
import pino from 'pino';
import { startArp } from '../arp';
import { PIVS_VERSION } from '../control/list';
import type { Dataplane, DataplaneOptions } from '../dataplane/types';
import { startStatusServer } from '../status';
import { installLastResort } from './last_resort';
import { parseDaemonArgs } from './options';
import { startDaemon, type Daemon } from './run';
import { systemdNotifier } from './sdnotify';

// Required lazily so that -h, --version and config errors work even where the addon isn't built.
function openDataplane(options: DataplaneOptions): Dataplane {
  try {
    const dataplane = require('../dataplane') as typeof import('../dataplane');
    return dataplane.openDataplane(options);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') {
      throw new Error(`the dataplane addon could not be loaded (${firstLine(e)}); build it with "npm run build:native"`);
    }
    throw e;
  }
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0];
}

async function main(): Promise<void> {
  const opts = parseDaemonArgs(process.argv.slice(2), PIVS_VERSION);
  const logger = pino({ level: opts.logLevel, base: { name: 'pivsd', pid: process.pid } });
  installLastResort(process, logger);
  let daemon: Daemon;
  try {
    daemon = await startDaemon(opts, { openDataplane, startArp, logger, startStatus: startStatusServer });
  } catch (e) {
    process.stderr.write(`pivsd: ${firstLine(e)}\n`);
    process.exit(1);
  }
  // systemd (Type=notify, WatchdogSec): ready once everything listens; no-op outside systemd.
  const systemd = systemdNotifier({ onError: (reason) => logger.warn({ reason }, 'systemd notification not sent') });
  systemd.ready();
  reloads.started(() => daemon.reload(), logger);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    systemd.stopping();
    daemon.stop().then(() => process.exit(0), (e: unknown) => {
      logger.error({ err: e }, 'error while stopping');
      process.exit(1);
    });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

void main();
