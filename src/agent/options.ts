// pivs-agent's command line. Parsing only; main.ts decides what to do with it.
import { Command, InvalidArgumentError } from 'commander';
import type { AgentOverrides } from './config';

export interface AgentCliOptions {
  config: string;
  /** Link redundancy (docs/links.md): this server's links in order of preference; [] = off. */
  links: string[];
  holdDownMs: number;
  overrides: AgentOverrides;
  logLevel: string;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function parseAgentArgs(argv: readonly string[], version: string): AgentCliOptions {
  const program = new Command('pivs-agent')
    .description('pivs traffic client: reports this real server\'s load index to every director')
    .version(version, '-V, --version')
    .helpOption('-h, --help', 'show this help')
    .requiredOption('-c, --config <file>', 'YAML settings file (address, directors, key, ...)')
    .option('--address <ip>', 'this real server\'s address (overrides address)')
    .option('--director <ip>', 'a director to report to; repeat for several (overrides directors)', collect)
    .option('--port <n>', 'directors\' agent UDP port (overrides port)', whole(1, 65535))
    .option('--period-ms <n>', 'reporting period in ms (overrides periodMs)', whole(100, 3600000))
    .option('--ram-mb <n>', 'RAM of the smallest node in MB (overrides ramMb)', whole(1, 1 << 30))
    .option('--proc-root <dir>', 'read cpuinfo and meminfo from DIR instead of /proc (tests, diagnosis)')
    .option('--link <iface>', 'a link of this server, in order of preference; two or more turn link redundancy on', collect)
    .option('--hold-down-ms <n>', 'stable carrier a better link needs before traffic moves back (default 5000)', whole(0, 3600000), 5000)
    .option('--log-level <level>', `log level: ${LOG_LEVELS.join(', ')}`, level, 'info')
    .showHelpAfterError('(run pivs-agent --help for the options)')
    .allowExcessArguments(false);
  program.parse([...argv], { from: 'user' });
  const o = program.opts<{
    config: string; address?: string; director?: string[]; port?: number; periodMs?: number;
    ramMb?: number; procRoot?: string; logLevel: string; link?: string[]; holdDownMs: number;
  }>();
  return {
    config: o.config,
    links: o.link ?? [],
    holdDownMs: o.holdDownMs,
    logLevel: o.logLevel,
    overrides: {
      address: o.address, directors: o.director, port: o.port, periodMs: o.periodMs, ramMb: o.ramMb, procRoot: o.procRoot,
    },
  };
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function whole(min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > max) throw new InvalidArgumentError(`it must be a whole number from ${min} to ${max}.`);
    return n;
  };
}

function level(value: string): string {
  if (!LOG_LEVELS.includes(value)) throw new InvalidArgumentError(`it must be one of ${LOG_LEVELS.join(', ')}.`);
  return value;
}
