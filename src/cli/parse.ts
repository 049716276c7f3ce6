// argv -> Invocation, following ipvsadm's rules and messages (ipvsadm.c process_options) for what
// pivs supports, and one clear sentence for what it refuses. Pure: Names is passed in.
import {
  DEFAULT_PERSISTENCE_TIMEOUT, SCHED_FLAGS, SCHEDULERS,
  type Protocol, type SchedFlag, type Scheduler, type VirtualServiceKey,
} from '../config/model';
import type { Command, ServiceSettings } from '../control/protocol';
import type { Action, Invocation, ListFormat } from './action';
import { parseAddressPort, parseIPv4, parseNumber, type Family } from './address';
import { tokenize, type OptionToken } from './argv';
import { CliError, EXIT_REFUSED, tryHelp } from './errors';
import type { Names } from './names';

/** ipvsadm's MAX_TIMEOUT: 31 days. */
const MAX_TIMEOUT = 86400 * 31;
const INT_MAX = 2147483647;
const DEFAULT_SCHEDULER: Scheduler = 'wlc';

const COMMANDS: Record<string, string> = {
  'add-service': 'add-service',
  'edit-service': 'edit-service',
  'delete-service': 'delete-service',
  clear: 'flush',
  list: 'list',
  'add-server': 'add-server',
  'delete-server': 'delete-server',
  'edit-server': 'edit-server',
  set: 'set',
  restore: 'restore',
  save: 'save',
  zero: 'zero',
  help: 'help',
  version: 'version',
  links: 'links',
};

/** Option columns of ipvsadm's commands_v_options table, in its order (its check order too). */
const COLUMNS = [
  'numeric', 'connection', 'service-address', 'scheduler', 'persistent', 'netmask', 'real-server',
  'forwarding-method', 'weight', 'u-threshold', 'l-threshold', 'timeout', 'stats', 'rate',
  'thresholds', 'persistent-conn', 'nosort', 'exact', 'sched-flags', 'tun-info', 'json', 'sloppy',
] as const;
type Column = (typeof COLUMNS)[number];

const COLUMN_OF: Record<string, Column> = {
  'tcp-service': 'service-address',
  'udp-service': 'service-address',
  gatewaying: 'forwarding-method',
};
for (const c of COLUMNS) COLUMN_OF[c] = COLUMN_OF[c] ?? c;

/** '+' compulsory, '1' at most one of these, ' ' optional; anything unlisted is illegal. */
type Legal = Partial<Record<Column, '+' | '1' | ' '>>;
const SERVICE_OPTS: Legal = {
  'service-address': '+', scheduler: ' ', persistent: ' ', netmask: ' ', 'sched-flags': ' ', sloppy: ' ',
};
const SERVER_OPTS: Legal = {
  'service-address': '+', 'real-server': '+', 'forwarding-method': ' ', weight: ' ',
  'u-threshold': ' ', 'l-threshold': ' ',
};
const LEGAL: Record<string, Legal> = {
  'add-service': SERVICE_OPTS,
  'edit-service': SERVICE_OPTS,
  'delete-service': { 'service-address': '+' },
  flush: {},
  list: {
    numeric: ' ', connection: '1', 'service-address': '1', timeout: '1', stats: ' ', rate: ' ',
    thresholds: ' ', 'persistent-conn': ' ', nosort: ' ', exact: ' ', 'tun-info': ' ', json: ' ',
  },
  'add-server': SERVER_OPTS,
  'delete-server': { 'service-address': '+', 'real-server': '+' },
  'edit-server': SERVER_OPTS,
  set: {},
  restore: {},
  save: { numeric: ' ' },
  links: { json: ' ' },
  zero: { 'service-address': ' ' },
};

const ONLY_DR = 'pivs supports only direct routing (-g) so far';
const REFUSED: Record<string, string> = {
  'fwmark-service': 'Firewall-mark services (-f) need kernel packet marks, which pivs does not see; use -t or -u ADDRESS:PORT.',
  masquerading: `Masquerading (-m, NAT) is not available: ${ONLY_DR}.`,
  ipip: `Tunnelling (-i, IPIP) is not available: ${ONLY_DR}.`,
  'tun-type': `Tunnel options are not available: ${ONLY_DR}.`,
  'tun-port': `Tunnel options are not available: ${ONLY_DR}.`,
  'tun-nocsum': `Tunnel options are not available: ${ONLY_DR}.`,
  'tun-csum': `Tunnel options are not available: ${ONLY_DR}.`,
  'tun-remcsum': `Tunnel options are not available: ${ONLY_DR}.`,
  'sctp-service': 'SCTP services are not available: pivs dispatches TCP and UDP only.',
  ops: 'One-packet scheduling (-o) is not supported by pivs.',
  pe: 'Persistence engines (--pe) are not supported by pivs; use -p for client-address persistence.',
  ipv6: '-6 used before -f',
};
const SYNC_REFUSED = 'pivsd runs connection sync itself (set it up in its configuration), so pivsadm has no sync-daemon options.';
for (const o of ['start-daemon', 'stop-daemon', 'daemon', 'mcast-interface', 'mcast-group', 'mcast-port',
  'mcast-ttl', 'syncid', 'sync-maxlen']) REFUSED[o] = SYNC_REFUSED;

interface Collected {
  command?: string;
  socket?: string;
  set: Map<Column, OptionToken>;
  protocol: Protocol;
  service?: { address: string; family: Family; port: number };
  weight: number;
  upperThreshold: number;
  lowerThreshold: number;
  persistence?: number;
}

function fail(message: string): never {
  throw new CliError(message);
}

/** Parses one pivsadm (or ipvsadm) command line, argv without the program name. */
export function parseInvocation(argv: readonly string[], names: Names): Invocation {
  const { options, positionals } = tokenize(argv);
  const c: Collected = { set: new Map(), protocol: 'tcp', weight: 1, upperThreshold: 0, lowerThreshold: 0 };
  let ipvsadmOptions = 0;
  for (const opt of options) {
    if (opt.name === 'socket') {
      c.socket = opt.value;
      continue;
    }
    if (opt.name !== 'json') ipvsadmOptions++;
    const refusal = REFUSED[opt.name];
    if (refusal) throw new CliError(refusal);
    if (COMMANDS[opt.name]) {
      if (c.command) fail('multiple commands specified');
      c.command = COMMANDS[opt.name];
      continue;
    }
    if (opt.name === 'sort') continue; // ipvsadm: sorting is the default; accepted for compatibility
    const column = COLUMN_OF[opt.name];
    if (c.set.has(column)) fail(`multiple '${column}' options specified`);
    c.set.set(column, opt);
    readValue(opt, c, names);
  }
  if (!c.command) {
    if (ipvsadmOptions === 0 && positionals.length === 0) {
      return { action: { kind: 'listServices', format: listFormat(c, false) }, socket: c.socket };
    }
    throw tryHelp('No command specified.');
  }
  if (c.command === 'help') return { action: { kind: 'help' }, socket: c.socket };
  if (c.command === 'version') return { action: { kind: 'version' }, socket: c.socket };

  let timeouts: number[] | undefined;
  if (c.command === 'set') {
    if (positionals.length < 3) fail('--set option requires 3 timeout values');
    timeouts = positionals.splice(0, 3).map((t) => parseTimeout(t, 0));
  }
  if (positionals.length > 0) fail(`unexpected argument ${positionals[0]}`);

  const schedulerName = c.set.get('scheduler')?.value ?? DEFAULT_SCHEDULER;
  const schedFlags = c.set.has('sched-flags') ? parseSchedFlags(schedulerName, c.set.get('sched-flags')?.value ?? '') : [];
  checkOptions(c.command, c.set);
  return { action: buildAction(c, schedulerName, schedFlags, timeouts, names), socket: c.socket };
}

function parseTimeout(text: string, min: number): number {
  const n = parseNumber(text, min, MAX_TIMEOUT);
  if (n === undefined) fail(`invalid timeout value \`${text}' specified`);
  return n;
}

function readValue(opt: OptionToken, c: Collected, names: Names): void {
  const value = opt.value ?? '';
  switch (opt.name) {
    case 'tcp-service':
    case 'udp-service': {
      c.protocol = opt.name === 'tcp-service' ? 'tcp' : 'udp';
      const parsed = parseAddressPort(value, c.protocol, names);
      if (!parsed) fail('illegal virtual server address[:port] specified');
      c.service = { address: parsed.address, family: parsed.family, port: parsed.port ?? 0 };
      return;
    }
    case 'weight': {
      const n = parseNumber(value, 0, 65535);
      if (n === undefined) fail('illegal weight specified');
      c.weight = n;
      return;
    }
    case 'u-threshold': {
      const n = parseNumber(value, 0, INT_MAX);
      if (n === undefined) fail('illegal u_threshold specified');
      c.upperThreshold = n;
      return;
    }
    case 'l-threshold': {
      const n = parseNumber(value, 0, INT_MAX);
      if (n === undefined) fail('illegal l_threshold specified');
      c.lowerThreshold = n;
      return;
    }
    case 'persistent':
      c.persistence = opt.value === undefined ? DEFAULT_PERSISTENCE_TIMEOUT : parseTimeout(opt.value, 1);
      return;
    default:
      return;
  }
}

function parseSchedFlags(scheduler: string, text: string): SchedFlag[] {
  const flags = new Set<SchedFlag>();
  for (const word of text.split(',').filter((w) => w !== '')) {
    // flag-1/flag-2 are the generic names of the sh/mh flags' bits.
    const generic: Record<string, SchedFlag | undefined> = {
      'flag-1': scheduler === 'mh' ? 'mh-fallback' : scheduler === 'sh' ? 'sh-fallback' : undefined,
      'flag-2': scheduler === 'mh' ? 'mh-port' : scheduler === 'sh' ? 'sh-port' : undefined,
    };
    const flag = (SCHED_FLAGS as readonly string[]).includes(word) ? word as SchedFlag : generic[word];
    if (!flag) {
      if (/^flag-[123]$/.test(word)) fail(`incompatible scheduler flag \`${word}'`);
      fail(`invalid scheduler flag \`${word}'`);
    }
    if (!flag.startsWith(`${scheduler}-`)) fail(`incompatible scheduler flag \`${word}'`);
    flags.add(flag);
  }
  return SCHED_FLAGS.filter((f) => flags.has(f));
}

function checkOptions(command: string, set: Map<Column, OptionToken>): void {
  const legal = LEGAL[command];
  let exclusive: Column | undefined;
  for (const column of COLUMNS) {
    const mark = legal[column];
    if (!set.has(column)) {
      if (mark === '+') fail(`You need to supply the '${column}' option for the '${command}' command`);
      continue;
    }
    if (mark === undefined) fail(`Illegal '${column}' option with the '${command}' command`);
    if (mark === '1') {
      if (exclusive) fail(`The option '${column}' conflicts with the '${exclusive}' option in the '${command}' command`);
      exclusive = column;
    }
  }
}

function listFormat(c: Collected, numeric: boolean): ListFormat {
  return {
    numeric,
    stats: c.set.has('stats'),
    rate: c.set.has('rate'),
    thresholds: c.set.has('thresholds'),
    persistentConn: c.set.has('persistent-conn'),
    exact: c.set.has('exact'),
    nosort: c.set.has('nosort'),
    tunInfo: c.set.has('tun-info'),
    json: c.set.has('json'),
  };
}

function serviceKey(c: Collected): VirtualServiceKey {
  const s = c.service as NonNullable<Collected['service']>;
  return { protocol: c.protocol, address: s.address, port: s.port };
}

function parseNetmask(text: string, family: Family, names: Names): string {
  if (family === 'ipv6') {
    const n = parseNumber(text, 1, 128);
    if (n === undefined) fail('illegal ipv6 netmask specified');
    return String(n);
  }
  const mask = parseIPv4(text) ?? names.hostToAddress(text);
  if (mask === undefined) fail('illegal virtual server persistent mask specified');
  return mask;
}

function serviceSettings(c: Collected, schedulerName: string, schedFlags: SchedFlag[], names: Names): ServiceSettings {
  const key = serviceKey(c);
  const family = (c.service as NonNullable<Collected['service']>).family;
  const maskText = c.set.get('netmask')?.value;
  const netmask = maskText !== undefined ? parseNetmask(maskText, family, names) : undefined;
  if (key.port === 0 && c.persistence === undefined) fail('Zero port specified for non-persistent service');
  if (!(SCHEDULERS as readonly string[]).includes(schedulerName)) {
    throw new CliError('Scheduler or persistence engine not found', EXIT_REFUSED);
  }
  const settings: ServiceSettings = {
    ...key, scheduler: schedulerName as Scheduler, schedFlags, sloppy: c.set.has('sloppy'),
  };
  if (c.persistence !== undefined) {
    settings.persistence = {
      timeout: c.persistence,
      netmask: netmask ?? (family === 'ipv6' ? '128' : '255.255.255.255'),
    };
  }
  return settings;
}

function realServerCommand(c: Collected, method: 'addReal' | 'editReal' | 'deleteReal', names: Names): Command {
  const key = serviceKey(c);
  const family = (c.service as NonNullable<Collected['service']>).family;
  const parsed = parseAddressPort(c.set.get('real-server')?.value ?? '', c.protocol, names);
  if (!parsed) fail('illegal real server address[:port] specified');
  if (parsed.family !== family) fail('Different address family is allowed only for tunneling servers');
  if (method === 'deleteReal') {
    return { method, params: { key, address: parsed.address, port: parsed.port ?? key.port } };
  }
  // Direct routing cannot change the destination port: ipvsadm forces it to the service's.
  const real = {
    address: parsed.address, port: key.port, forward: 'dr' as const, weight: c.weight,
    upperThreshold: c.upperThreshold, lowerThreshold: c.lowerThreshold,
  };
  return { method, params: { key, real } };
}

function buildAction(
  c: Collected, schedulerName: string, schedFlags: SchedFlag[], timeouts: number[] | undefined, names: Names,
): Action {
  const command = (cmd: Command): Action => ({ kind: 'command', command: cmd });
  switch (c.command) {
    case 'add-service':
      return command({ method: 'addService', params: { service: serviceSettings(c, schedulerName, schedFlags, names) } });
    case 'edit-service':
      return command({ method: 'editService', params: { service: serviceSettings(c, schedulerName, schedFlags, names) } });
    case 'delete-service':
      return command({ method: 'deleteService', params: { key: serviceKey(c) } });
    case 'flush':
      return command({ method: 'clear' });
    case 'add-server':
      return command(realServerCommand(c, 'addReal', names));
    case 'edit-server':
      return command(realServerCommand(c, 'editReal', names));
    case 'delete-server':
      return command(realServerCommand(c, 'deleteReal', names));
    case 'zero':
      return command({ method: 'zero', params: c.service ? { key: serviceKey(c) } : {} });
    case 'set': {
      const [tcp, tcpfin, udp] = timeouts as number[];
      return command({ method: 'setTimeouts', params: { tcp, tcpfin, udp } });
    }
    case 'save':
      return { kind: 'save', numeric: c.set.has('numeric') };
    case 'links':
      return { kind: 'listLinks', json: c.set.has('json') };
    case 'restore':
      return { kind: 'restore' };
    case 'list': {
      const set = c.set;
      if ((set.has('connection') || set.has('timeout')) && (set.has('stats') || set.has('rate') || set.has('thresholds'))
        || (set.has('timeout') && set.has('persistent-conn'))) {
        fail('options conflicts in the list command');
      }
      const format = listFormat(c, set.has('numeric'));
      if (set.has('connection')) return { kind: 'listConnections', format };
      if (set.has('timeout')) return { kind: 'listTimeouts', format };
      return { kind: 'listServices', service: c.service ? serviceKey(c) : undefined, format };
    }
    default:
      throw new CliError(`unknown command ${c.command}`, EXIT_REFUSED);
  }
}
