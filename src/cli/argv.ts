// Splits argv into options the way ipvsadm's popt does: short clusters (-Ln), an argument glued
// to its short option (-w3) or in the next word, --long=value, and -p/--persistent whose value is
// optional (taken from the next word only when that word does not start with '-').
import { tryHelp } from './errors';

export type ArgKind = 'none' | 'required' | 'optional';

export interface OptionSpec {
  name: string;
  short?: string;
  arg: ArgKind;
}

export const OPTION_SPECS: readonly OptionSpec[] = [
  // commands
  { name: 'add-service', short: 'A', arg: 'none' },
  { name: 'edit-service', short: 'E', arg: 'none' },
  { name: 'delete-service', short: 'D', arg: 'none' },
  { name: 'clear', short: 'C', arg: 'none' },
  { name: 'list', short: 'L', arg: 'none' },
  { name: 'list', short: 'l', arg: 'none' },
  { name: 'zero', short: 'Z', arg: 'none' },
  { name: 'add-server', short: 'a', arg: 'none' },
  { name: 'edit-server', short: 'e', arg: 'none' },
  { name: 'delete-server', short: 'd', arg: 'none' },
  { name: 'set', arg: 'none' },
  { name: 'help', short: 'h', arg: 'none' },
  { name: 'version', short: 'v', arg: 'none' },
  { name: 'restore', short: 'R', arg: 'none' },
  { name: 'save', short: 'S', arg: 'none' },
  { name: 'start-daemon', arg: 'required' },
  { name: 'stop-daemon', arg: 'required' },
  // options
  { name: 'tcp-service', short: 't', arg: 'required' },
  { name: 'udp-service', short: 'u', arg: 'required' },
  { name: 'sctp-service', arg: 'required' },
  { name: 'fwmark-service', short: 'f', arg: 'required' },
  { name: 'scheduler', short: 's', arg: 'required' },
  { name: 'persistent', short: 'p', arg: 'optional' },
  { name: 'netmask', short: 'M', arg: 'required' },
  { name: 'real-server', short: 'r', arg: 'required' },
  { name: 'masquerading', short: 'm', arg: 'none' },
  { name: 'ipip', short: 'i', arg: 'none' },
  { name: 'gatewaying', short: 'g', arg: 'none' },
  { name: 'weight', short: 'w', arg: 'required' },
  { name: 'u-threshold', short: 'x', arg: 'required' },
  { name: 'l-threshold', short: 'y', arg: 'required' },
  { name: 'numeric', short: 'n', arg: 'none' },
  { name: 'connection', short: 'c', arg: 'none' },
  { name: 'mcast-interface', arg: 'required' },
  { name: 'syncid', arg: 'required' },
  { name: 'timeout', arg: 'none' },
  { name: 'daemon', arg: 'none' },
  { name: 'stats', arg: 'none' },
  { name: 'rate', arg: 'none' },
  { name: 'thresholds', arg: 'none' },
  { name: 'persistent-conn', arg: 'none' },
  { name: 'nosort', arg: 'none' },
  { name: 'sort', arg: 'none' },
  { name: 'exact', short: 'X', arg: 'none' },
  { name: 'ipv6', short: '6', arg: 'none' },
  { name: 'ops', short: 'o', arg: 'none' },
  { name: 'pe', arg: 'required' },
  { name: 'sched-flags', short: 'b', arg: 'required' },
  { name: 'mcast-group', arg: 'required' },
  { name: 'mcast-port', arg: 'required' },
  { name: 'mcast-ttl', arg: 'required' },
  { name: 'sync-maxlen', arg: 'required' },
  { name: 'tun-info', arg: 'none' },
  { name: 'tun-type', arg: 'required' },
  { name: 'tun-port', arg: 'required' },
  { name: 'tun-nocsum', arg: 'none' },
  { name: 'tun-csum', arg: 'none' },
  { name: 'tun-remcsum', arg: 'none' },
  // pivs's own
  { name: 'json', arg: 'none' },
  { name: 'links', arg: 'none' },
  { name: 'socket', arg: 'required' },
  { name: 'sloppy', arg: 'none' },
];

export interface OptionToken {
  name: string;
  /** As the user wrote it (-t, --tcp-service), for messages. */
  text: string;
  value?: string;
}

export interface Tokens {
  options: OptionToken[];
  positionals: string[];
}

const byLong = new Map(OPTION_SPECS.map((s) => [s.name, s]));
const byShort = new Map(OPTION_SPECS.filter((s) => s.short).map((s) => [s.short as string, s]));

function missing(text: string): never {
  throw tryHelp(`${text}: missing argument`);
}

export function tokenize(argv: readonly string[]): Tokens {
  const options: OptionToken[] = [];
  const positionals: string[] = [];
  let i = 0;
  const takeNext = (spec: OptionSpec, text: string): string | undefined => {
    const next = argv[i + 1];
    if (spec.arg === 'required') {
      if (next === undefined) missing(text);
      i++;
      return next;
    }
    if (spec.arg === 'optional' && next !== undefined && !next.startsWith('-')) {
      i++;
      return next;
    }
    return undefined;
  };
  for (; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = arg.slice(2, eq < 0 ? undefined : eq);
      const spec = byLong.get(name);
      if (!spec) throw tryHelp(`--${name}: unknown option`);
      const text = `--${name}`;
      if (eq >= 0) {
        if (spec.arg === 'none') throw tryHelp(`${text}: option does not take an argument`);
        options.push({ name: spec.name, text, value: arg.slice(eq + 1) });
      } else {
        options.push({ name: spec.name, text, value: takeNext(spec, text) });
      }
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1) {
      for (let j = 1; j < arg.length; j++) {
        const text = `-${arg[j]}`;
        const spec = byShort.get(arg[j]);
        if (!spec) throw tryHelp(`${text}: unknown option`);
        if (spec.arg === 'none') {
          options.push({ name: spec.name, text });
          continue;
        }
        const rest = arg.slice(j + 1);
        options.push({ name: spec.name, text, value: rest !== '' ? rest : takeNext(spec, text) });
        break;
      }
      continue;
    }
    positionals.push(arg);
  }
  return { options, positionals };
}
