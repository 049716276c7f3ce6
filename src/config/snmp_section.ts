// The `snmp:` section: AgentX and/or a standalone agent, its credentials and trap receivers.
import { fail } from './errors';
import { parseAddress } from './address';
import { parseListen } from './status';
import {
  DEFAULT_AGENTX_SOCKET, DEFAULT_TRAP_PORT, type SnmpSettings, type SnmpTrapTarget, type SnmpUser,
} from './snmp_model';

const text = { type: 'string' };

export const snmpSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    agentx: {
      type: ['object', 'boolean'],
      additionalProperties: false,
      properties: { socket: text },
    },
    listen: text,
    community: text,
    users: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'authKey', 'privKey'],
        properties: {
          name: text,
          authKey: text,
          privKey: text,
          authProtocol: { enum: ['sha'] },
          privProtocol: { enum: ['aes'] },
        },
      },
    },
    trapTargets: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['address'],
        properties: { address: text, community: text, user: text },
      },
    },
  },
} as const;

export interface RawSnmp {
  agentx?: boolean | { socket?: string };
  listen?: string;
  community?: string;
  users?: { name: string; authKey: string; privKey: string; authProtocol?: 'sha'; privProtocol?: 'aes' }[];
  trapTargets?: { address: string; community?: string; user?: string }[];
}

/** RFC 3414 section 11.2: a USM password shorter than 8 characters is refused. */
const MIN_KEY_LENGTH = 8;

export function validateSnmp(raw: RawSnmp): SnmpSettings {
  const settings: SnmpSettings = { users: [], trapTargets: [] };
  if (raw.agentx !== undefined && raw.agentx !== false) {
    const socket = raw.agentx === true ? DEFAULT_AGENTX_SOCKET : raw.agentx.socket ?? DEFAULT_AGENTX_SOCKET;
    if (!socket.startsWith('/') && !/^tcp:[^:]+:\d{1,5}$/.test(socket)) {
      fail('snmp.agentx.socket', `"${socket}" is neither an absolute Unix socket path nor tcp:HOST:PORT`);
    }
    settings.agentx = { socket };
  }
  if (raw.listen !== undefined) {
    const listen = parseListen(raw.listen);
    if (listen === null || listen.port === 0) {
      fail('snmp.listen', `"${raw.listen}" is not ADDRESS:PORT (e.g. 127.0.0.1:1161 or [::1]:1161)`);
    }
    settings.listen = listen;
  }
  if (raw.community !== undefined) {
    if (raw.community === '') fail('snmp.community', 'must not be empty');
    settings.community = raw.community;
  }
  (raw.users ?? []).forEach((u, i) => settings.users.push(validateUser(u, `snmp.users[${i}]`, settings.users)));
  (raw.trapTargets ?? []).forEach((t, i) => settings.trapTargets.push(validateTarget(t, `snmp.trapTargets[${i}]`, settings)));
  if (settings.agentx === undefined && settings.listen === undefined) {
    fail('snmp', 'serves nothing; give agentx: {socket: PATH} (a running snmpd) or listen: ADDRESS:PORT');
  }
  if (settings.listen !== undefined && settings.community === undefined && settings.users.length === 0) {
    fail('snmp.listen', 'needs a community (v2c) or users (v3) to answer anyone');
  }
  return settings;
}

function validateUser(u: NonNullable<RawSnmp['users']>[number], path: string, earlier: SnmpUser[]): SnmpUser {
  if (u.name === '' || u.name.length > 32) fail(`${path}.name`, 'must be 1 to 32 characters (RFC 3414)');
  if (earlier.some((e) => e.name === u.name)) fail(`${path}.name`, `"${u.name}" is listed twice`);
  for (const key of ['authKey', 'privKey'] as const) {
    if (u[key].length < MIN_KEY_LENGTH) fail(`${path}.${key}`, `must be at least ${MIN_KEY_LENGTH} characters (RFC 3414)`);
  }
  return { name: u.name, authProtocol: 'sha', authKey: u.authKey, privProtocol: 'aes', privKey: u.privKey };
}

function validateTarget(t: NonNullable<RawSnmp['trapTargets']>[number], path: string, s: SnmpSettings): SnmpTrapTarget {
  const withPort = parseListen(t.address);
  const bare = withPort === null ? parseAddress(t.address) : null;
  if (withPort === null && bare === null) {
    fail(`${path}.address`, `"${t.address}" is not ADDRESS or ADDRESS:PORT (e.g. 198.18.0.9:162)`);
  }
  const target: SnmpTrapTarget = withPort !== null ? { host: withPort.host, port: withPort.port }
    : { host: bare!.address, port: DEFAULT_TRAP_PORT };
  if ((t.community === undefined) === (t.user === undefined)) {
    fail(path, 'needs exactly one of community (v2c trap) or user (v3 inform)');
  }
  if (t.community !== undefined) {
    if (t.community === '') fail(`${path}.community`, 'must not be empty');
    target.community = t.community;
  }
  if (t.user !== undefined) {
    if (!s.users.some((u) => u.name === t.user)) fail(`${path}.user`, `"${t.user}" is not one of snmp.users`);
    target.user = t.user;
  }
  return target;
}
