// The standalone agent: SNMP v2c (read-only community) and v3 USM authPriv (SHA + AES) on a UDP
// address. Every request first swaps in a Mib built from the view's current values.
import * as snmp from 'net-snmp';
import type { Logger } from 'pino';
import { onDoubling } from '../common/rejection_log';
import type { SnmpUser } from '../config/model';
import { buildMib } from './tree';
import { SERVED_ROOTS, type MibView } from './view';

export interface AgentOptions {
  host: string;
  port: number;
  community?: string;
  users: SnmpUser[];
  view: MibView;
  logger: Logger;
}

export interface RunningAgent {
  /** The bound UDP port (useful when asked for port 0). */
  readonly port: number;
  close(): Promise<void>;
}

export function usmUser(u: SnmpUser): snmp.User {
  return {
    name: u.name,
    level: snmp.SecurityLevel.authPriv,
    authProtocol: snmp.AuthProtocols.sha,
    authKey: u.authKey,
    privProtocol: snmp.PrivProtocols.aes,
    privKey: u.privKey,
  };
}

type Listening = { sockets: Record<string, import('node:dgram').Socket> };

/**
 * net-snmp answers from inside its socket's handler, and dgram throws when asked to send to port 0:
 * a request from port 0, or one that trips net-snmp up, must cost that request only, not pivsd.
 */
function containRequests(socket: import('node:dgram').Socket, logger: Logger): void {
  let failed = 0;
  for (const listener of socket.listeners('message') as ((msg: Buffer, rinfo: import('node:dgram').RemoteInfo) => void)[]) {
    socket.off('message', listener);
    socket.on('message', (msg: Buffer, rinfo: import('node:dgram').RemoteInfo) => {
      if (rinfo.port === 0) {
        logger.debug({ from: rinfo.address }, 'snmp: dropped a request from port 0, which cannot be answered');
        return;
      }
      try {
        listener(msg, rinfo);
      } catch (e) {
        // net-snmp throws on some malformed requests (an OID not starting with 0, 1 or 2): said at
        // warn on the 1st, 2nd, 4th, 8th... time, so a flood of them cannot flood the log.
        failed++;
        const level = onDoubling(failed) ? 'warn' : 'debug';
        logger[level]({ err: e, from: `${rinfo.address}:${rinfo.port}`, length: msg.length, times: failed }, 'snmp: handling a request failed; dropped it');
      }
    });
  }
}

export async function startAgent(options: AgentOptions): Promise<RunningAgent> {
  const { view, logger } = options;
  const agent = snmp.createAgent({
    port: options.port,
    address: options.host,
    transport: options.host.includes(':') ? 'udp6' : 'udp4',
  }, (error) => {
    // Requests with a wrong community or user land here: worth a debug line, not more.
    if (error !== null) logger.debug({ err: error.message }, 'snmp agent refused a request');
  });
  const refresh = () => {
    const { values, changed } = view.values();
    if (changed) agent.setMib(buildMib(SERVED_ROOTS, values, 'ber'));
  };
  for (const method of ['getRequest', 'getNextRequest', 'getBulkRequest'] as const) {
    const original = agent[method].bind(agent);
    agent[method] = (...args: unknown[]) => {
      try {
        refresh();
      } catch (e) {
        logger.error({ err: e }, 'snmp: reading the state failed; serving the previous values');
      }
      original(...args);
    };
  }
  refresh();
  const authorizer = agent.getAuthorizer();
  if (options.community !== undefined) authorizer.addCommunity(options.community);
  for (const u of options.users) authorizer.addUser(usmUser(u));

  const socket = Object.values((agent.listener as unknown as Listening).sockets)[0];
  if (socket === undefined) throw new Error('net-snmp opened no socket');
  containRequests(socket, logger);
  await new Promise<void>((resolve, reject) => {
    const onError = (e: Error) => reject(new Error(`SNMP agent cannot listen on ${options.host}:${options.port}: ${e.message}`));
    socket.once('error', onError);
    socket.once('listening', () => {
      socket.off('error', onError);
      resolve();
    });
  }).catch((e: unknown) => {
    try {
      agent.close();
    } catch {
      // The socket never bound, so there is nothing to close.
    }
    throw e;
  });
  const port = socket.address().port;
  logger.info({ address: options.host, port, v2c: options.community !== undefined, users: options.users.length },
    'snmp agent listening');
  return {
    port,
    close: () => new Promise<void>((resolve) => {
      agent.close(() => resolve());
    }),
  };
}
