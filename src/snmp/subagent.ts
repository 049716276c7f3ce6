// AgentX subagent (RFC 2741) of a running snmpd: registers the VRRPv3-MIB and PIVS-MIB subtrees
// and answers the master's requests from the view. snmpd owns access control (communities, v3
// users, views) and the notification sinks. When the master goes away, pivsd reconnects.
import { createRequire } from 'node:module';
import * as snmp from 'net-snmp';
import type { Logger } from 'pino';
import type { Notification } from './notifications';
import { buildMib, providerFor, toVarbind } from './tree';
import { SERVED_ROOTS, type MibView } from './view';

export interface SubagentOptions {
  /** A Unix socket path, or tcp:HOST:PORT. */
  socket: string;
  view: MibView;
  logger: Logger;
  /** Wait before reconnecting to a master that went away or was not there (default 5 s). */
  retryMs?: number;
}

export interface RunningSubagent {
  /** True once the master accepted the session and both registrations. */
  readonly registered: boolean;
  notify(n: Notification): void;
  close(): void;
}

export function startSubagent(options: SubagentOptions): RunningSubagent {
  patchOctetStrings();
  const { view, logger } = options;
  const retryMs = options.retryMs ?? 5000;
  let current: snmp.Subagent | null = null;
  let registered = false;
  let closed = false;
  let retry: NodeJS.Timeout | null = null;
  let warned = false;

  const connect = () => {
    retry = null;
    if (closed) return;
    logger.debug({ socket: options.socket }, 'snmp: connecting to the AgentX master');
    const target = masterOf(options.socket);
    const sub = snmp.createSubagent({ ...target, description: 'pivsd: VRRPv3-MIB and PIVS-MIB' });
    current = sub;
    let lost = false;
    const onLost = (why: string) => {
      if (lost) return;
      lost = true;
      registered = false;
      if (current === sub) current = null;
      try { sub.socket?.destroy(); } catch { /* already gone */ }
      if (closed) return;
      logger.debug({ reason: why }, 'snmp: AgentX connection lost');
      // One warning per outage, not one per retry.
      if (!warned) logger.warn({ socket: options.socket, reason: why }, 'snmp: AgentX master not reachable; retrying');
      warned = true;
      retry = setTimeout(connect, retryMs);
      retry.unref();
    };
    reframe(sub);
    sub.on('error', (e) => onLost(e.message));
    sub.on('close', () => onLost('connection closed'));
    const refresh = () => {
      const { values, changed } = view.values();
      if (changed) sub.mib = buildMib(SERVED_ROOTS, values, 'agentx');
    };
    for (const method of ['getRequest', 'getNextRequest', 'getBulkRequest'] as const) {
      const original = sub[method].bind(sub);
      sub[method] = (...args: unknown[]) => {
        try {
          refresh();
        } catch (e) {
          logger.error({ err: e }, 'snmp: reading the state failed; serving the previous values');
        }
        original(...args);
      };
    }
    sub.open((error) => {
      if (error !== null) return onLost(error.message);
      let pending = SERVED_ROOTS.length;
      for (const root of SERVED_ROOTS) {
        sub.registerProvider(providerFor(root), (err, pdu) => {
          if (err !== null || (pdu.error ?? 0) !== 0) {
            logger.error({ root, err: err?.message, agentxError: pdu?.error }, 'snmp: the AgentX master refused a registration');
            return;
          }
          if (--pending === 0) {
            registered = true;
            warned = false;
            sub.mib = buildMib(SERVED_ROOTS, view.values().values, 'agentx');
            logger.info({ socket: options.socket }, 'snmp: registered with the AgentX master');
          }
        });
      }
    });
  };
  connect();

  return {
    get registered() {
      return registered;
    },
    notify(n: Notification) {
      if (current === null || !registered) {
        logger.warn({ notification: n.oid }, 'snmp: no AgentX master to send the notification through');
        return;
      }
      current.notify(n.oid, n.values.map((v) => toVarbind(v, 'agentx')), (error) => {
        if (error !== null) logger.warn({ err: error.message }, 'snmp: the AgentX master refused a notification');
      });
    },
    close() {
      closed = true;
      if (retry !== null) clearTimeout(retry);
      const sub = current;
      current = null;
      registered = false;
      if (sub === null) return;
      try {
        sub.close();
      } catch { /* the master is already gone */ }
      // The master answers Close by letting the session end; don't wait past a second for it.
      setTimeout(() => { try { sub.socket?.destroy(); } catch { /* gone */ } }, 1000).unref();
    },
  };
}

/** AgentX header: 20 bytes, flags at offset 2, payload length at offset 16 (RFC 2741 section 6.1). */
const HEADER = 20;
const NETWORK_BYTE_ORDER = 0x10;

/**
 * net-snmp hands each socket read to its PDU parser whole, so a second PDU in the same read (the
 * master answering two registrations at once) is lost. Split the stream into PDUs first.
 */
function reframe(sub: snmp.Subagent): void {
  const socket = sub.socket;
  if (socket === undefined) return;
  socket.removeAllListeners('data');
  let buffered: Buffer = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    while (buffered.length >= HEADER) {
      const length = (buffered[2]! & NETWORK_BYTE_ORDER) !== 0 ? buffered.readUInt32BE(16) : buffered.readUInt32LE(16);
      if (buffered.length < HEADER + length) break;
      const pdu = buffered.subarray(0, HEADER + length);
      buffered = buffered.subarray(HEADER + length);
      sub.onMsg(pdu);
    }
  });
}

function masterOf(socket: string): { master: string; masterPort: number | string } {
  const tcp = /^tcp:([^:]+):(\d+)$/.exec(socket);
  if (tcp !== null) return { master: tcp[1]!, masterPort: Number(tcp[2]) };
  // net.Socket.connect() takes a path in the port's place; the host is then ignored.
  return { master: 'localhost', masterPort: socket };
}

let patched = false;

/**
 * net-snmp's AgentX encoder writes OCTET STRING values through SmartBuffer.writeString, which
 * takes text only, while InetAddress and MacAddress values are bytes. Let writeString take a
 * Buffer too (it threw before, so no existing caller changes behaviour).
 */
function patchOctetStrings(): void {
  if (patched) return;
  patched = true;
  const fromNetSnmp = createRequire(require.resolve('net-snmp'));
  const { SmartBuffer } = fromNetSnmp('smart-buffer') as {
    SmartBuffer: { prototype: { writeString(value: unknown, ...rest: unknown[]): unknown; writeBuffer(b: Buffer): unknown } };
  };
  const original = SmartBuffer.prototype.writeString;
  SmartBuffer.prototype.writeString = function writeString(this: typeof SmartBuffer.prototype, value: unknown, ...rest: unknown[]) {
    if (Buffer.isBuffer(value)) return this.writeBuffer(value);
    return original.call(this, value, ...rest);
  };
}
