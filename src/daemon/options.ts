// pivsd's command line. Parsing only; main.ts decides what to do with it.
import { Command, InvalidArgumentError } from 'commander';
import { DATAPLANE_BACKENDS, type DataplaneBackend } from '../config/model';

export interface DaemonOptions {
  interface?: string;
  config?: string;
  socket?: string;
  workers?: number;
  dataplane?: DataplaneBackend;
  logLevel: string;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function parseDaemonArgs(argv: readonly string[], version: string): DaemonOptions {
  const program = new Command('pivsd')
    .description('pivs director daemon: direct-routing layer-4 dispatcher driven by a YAML config and pivsadm')
    .version(version, '-V, --version')
    .helpOption('-h, --help', 'show this help')
    .option('-i, --interface <iface>', 'LAN interface to dispatch on (overrides director.interface)')
    .option('-c, --config <file>', 'YAML config file (re-read on SIGHUP); without it pivsd starts with no virtual services')
    .option('--socket <path>', 'control socket path (default $PIVS_SOCKET or /run/pivs/pivsd.sock)')
    .option('--workers <n>', 'dataplane worker threads, 1 to 64 (overrides director.workers)', parseWorkers)
    .option('--dataplane <backend>', `how frames reach the workers: ${DATAPLANE_BACKENDS.join(', ')} (overrides director.dataplane)`, parseBackend)
    .option('--log-level <level>', `log level: ${LOG_LEVELS.join(', ')}`, parseLevel, 'info')
    .showHelpAfterError('(run pivsd --help for the options)')
    .allowExcessArguments(false);
  program.parse([...argv], { from: 'user' });
  const o = program.opts<DaemonOptions>();
  return { interface: o.interface, config: o.config, socket: o.socket, workers: o.workers, dataplane: o.dataplane, logLevel: o.logLevel };
}

function parseBackend(v: string): DataplaneBackend {
  if (!(DATAPLANE_BACKENDS as readonly string[]).includes(v)) {
    throw new InvalidArgumentError(`the dataplane is one of ${DATAPLANE_BACKENDS.join(', ')}, not "${v}".`);
  }
  return v as DataplaneBackend;
}

function parseWorkers(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 64) throw new InvalidArgumentError('it must be a whole number from 1 to 64.');
  return n;
}

function parseLevel(value: string): string {
  if (!LOG_LEVELS.includes(value)) throw new InvalidArgumentError(`it must be one of ${LOG_LEVELS.join(', ')}.`);
  return value;
}
