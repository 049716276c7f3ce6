// The sync transport: carries the fast path's IPVS sync messages to every peer, installs what
// peers send, authenticates datagrams when a key is set, and runs the bulk resync that a starting
// director needs before it may become master (VRRP asks mayBecomeMaster()).
// Whatever arrives, receive() contains its own errors: a datagram that breaks a rule is counted
// and dropped, never thrown out of the socket's handler.
import { randomInt } from 'node:crypto';
import dgram from 'node:dgram';
import { onDoubling, RejectionLog } from '../common/rejection_log';
import { isReplay, ReplayWindow } from '../common/replay_window';
import { SequenceSource, type Reservation } from '../common/sequence';
import { DEFAULT_MAX_INSTALLED_SHARE } from '../config/ha_model';
import { DEFAULT_TIMEOUTS } from '../config/model';
import type { Dataplane } from '../dataplane/types';
import { admitRecords, type SyncLimits } from './admission';
import { appendTrailer, checkTrailer, trailerLength } from './auth_trailer';
import { CONTROL_LENGTH, decodeControl, encodeControl, isControlMessage, type ControlMessage } from './control_message';
import { readIpvsHeader } from './ipvs_header';
import { readIpvsRecords, repackIpvsMessage } from './ipvs_records';

export const SYNC_PORT = 8848;
export const SYNC_GROUP = '224.0.0.81';

export interface SyncPeer {
  address: string;
  /** Defaults to the service's own port. */
  port?: number;
}

export interface SyncLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

export interface SyncServiceOptions {
  dataplane: Dataplane;
  /** This director's name: the sender id of auth trailers. */
  name: string;
  /** IPv4 address of the sync interface: source of what we send, and how our own datagrams are recognised. */
  localAddress: string;
  port: number;
  transport: 'multicast' | 'unicast';
  group: string;
  /**
   * Unicast destinations, the peers whose resync answer is awaited and, in plain mode, the only
   * addresses whose datagrams are taken (multicast: any port, as Linux IPVS sends from any).
   */
  peers: readonly SyncPeer[];
  syncId: number;
  /** Largest UDP payload on the sync interface (MTU - 28); the auth trailer is taken off it. */
  maxPayload: number;
  flushDelayMs: number;
  threshold: number;
  period: number;
  resyncTimeoutMs: number;
  auth: { key: Buffer; keyId: number } | null;
  /** The running timeouts and persistence, which records may not exceed (default: IPVS's, no persistence). */
  limits?: SyncLimits;
  /** Peers' records are installed only while the table holds fewer entries than this share of its size (default 0.5). */
  maxInstalledShare?: number;
  logger?: SyncLogger;
  /** Where auth trailers' sequence numbers come from (default: the clock alone; pivsd: sequence_store.ts). */
  sequences?: Reservation;
}

export interface SyncCounters {
  /** Datagrams sent (one per destination). */
  sent: number;
  /** Datagrams received from others (own multicast echoes excluded). */
  received: number;
  /** Connections installed from peers' messages. */
  installed: number;
  /**
   * Datagrams dropped as malformed, of another syncid, from an address that is no peer (plain
   * mode), refused by the fast path, or resync requests left unanswered (from port 0, or while
   * that address is being answered).
   */
  refused: number;
  /** Auth mode: datagrams with no valid HMAC. */
  forged: number;
  /** Auth mode: datagrams whose sequence that sender already used, or too old to tell (replay_window.ts). */
  replayed: number;
  /** Bulk resyncs served to peers that asked. */
  resyncs: number;
}

/** Records left out of messages that were otherwise installed (SyncCounters counts datagrams). */
export interface SyncRecordCounters {
  /** A timeout above this director's own for the record's state, or a template of no persistent service. */
  overTimeout: number;
  /** Beyond sync.maxInstalledShare of the connection table. */
  overCap: number;
}

const defaultLimits: SyncLimits = { timeouts: () => DEFAULT_TIMEOUTS, persistenceTimeout: () => null };

/** Messages per event-loop turn while answering a resync, so a big table doesn't starve the loop. */
const EXPORT_CHUNK = 32;
/** A resync request is repeated this often to peers that haven't answered (UDP may lose it). */
const REQUEST_REPEAT_MS = 1000;
/**
 * Each answer walks the whole table, so one address gets at most one answer at a time and one
 * start per half repeat interval: a peer that lost our answer still gets the next, while a
 * flood of requests (signed replays aside, a plain peer's address is easy to forge) costs one.
 */
const ANSWER_GAP_MS = REQUEST_REPEAT_MS / 2;

const noLog: SyncLogger = { info: () => {}, warn: () => {}, debug: () => {} };

export class SyncService {
  private readonly opts: SyncServiceOptions;
  private readonly log: SyncLogger;
  private socket: dgram.Socket | null = null;
  /** Auth mode only. */
  private readonly sequence: SequenceSource | null;
  private readonly replay = new ReplayWindow();
  private readonly rejections: RejectionLog;
  private readonly count: SyncCounters = { sent: 0, received: 0, installed: 0, refused: 0, forged: 0, replayed: 0, resyncs: 0 };
  private readonly recordCount: SyncRecordCounters = { overTimeout: 0, overCap: 0 };
  /** Senders already warned about timeouts above ours: a misconfigured peer shows once, not per message. */
  private readonly warnedTimeout = new Set<string>();
  private capped = false;
  /** Datagrams whose handling threw (a bug, contained); logged at warn on powers of two only. */
  private failed = 0;
  /** When the last resync answer to each address started (monotonic ms); who is being answered now. */
  private readonly answeredAt = new Map<string, number>();
  private readonly answering = new Set<string>();
  private requestId = 0;
  private awaiting = new Set<string>();
  private isResynced = false;
  private readonly resyncWaiters: (() => void)[] = [];
  private timers: NodeJS.Timeout[] = [];
  private closed = false;

  constructor(opts: SyncServiceOptions) {
    this.opts = opts;
    this.log = opts.logger ?? noLog;
    this.rejections = new RejectionLog(this.log);
    this.sequence = opts.auth === null ? null : new SequenceSource(opts.sequences);
  }

  /** Binds the sync port, configures the fast path and asks the peers for their tables. */
  async start(): Promise<void> {
    const o = this.opts;
    const socket = dgram.createSocket({ type: 'udp4', reuseAddr: o.transport === 'multicast' });
    this.socket = socket;
    socket.on('message', (msg, rinfo) => {
      try {
        this.receive(msg, rinfo);
      } catch (err) {
        // A bug on some path through receive() must cost one datagram, not the daemon.
        this.count.refused++;
        this.failed++;
        const fields = { err, from: `${rinfo.address}:${rinfo.port}`, length: msg.length, times: this.failed };
        if (onDoubling(this.failed)) this.log.warn(fields, 'sync: handling a datagram failed; dropped it');
        else this.log.debug(fields, 'sync: handling a datagram failed; dropped it');
      }
    });
    socket.on('error', (err) => this.log.warn({ err }, 'sync socket error'));
    // Multicast is only delivered to a socket bound to the wildcard (or the group) address.
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(o.port, o.transport === 'multicast' ? undefined : o.localAddress, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    if (o.transport === 'multicast') {
      socket.addMembership(o.group, o.localAddress);
      socket.setMulticastInterface(o.localAddress);
      socket.setMulticastTTL(1);
      socket.setMulticastLoopback(false);
    }
    // A resync answer arrives as a burst of full-size datagrams.
    try { socket.setRecvBufferSize(4 * 1024 * 1024); } catch { /* capped by net.core.rmem_max */ }
    const trailer = o.auth === null ? 0 : trailerLength(o.name);
    o.dataplane.configureSync({
      syncId: o.syncId, maxMessageSize: o.maxPayload - trailer, flushDelayMs: o.flushDelayMs,
      threshold: o.threshold, period: o.period,
    });
    o.dataplane.onSyncMessages((messages) => { for (const m of messages) this.sendToPeers(m); });
    if (o.auth === null) {
      this.log.warn({ peers: o.peers.map((p) => p.address) },
        'sync is unauthenticated (no sync.auth): it trusts any datagram from a peer address, so anyone who can send from one can change the connection table; set sync.auth to sign it');
    }
    this.startResync();
  }

  /** The VRRP gate: a director that has not received its peers' tables must not become master. */
  mayBecomeMaster(): boolean {
    return this.isResynced;
  }

  /** Resolves once the bulk resync is done (all answers, or the timeout). */
  resynced(): Promise<void> {
    if (this.isResynced) return Promise.resolve();
    return new Promise((resolve) => this.resyncWaiters.push(resolve));
  }

  counters(): SyncCounters {
    return { ...this.count };
  }

  recordCounters(): SyncRecordCounters {
    return { ...this.recordCount };
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
    this.socket?.close();
    this.socket = null;
  }

  private peerKey(address: string, port: number): string {
    return `${address}:${port}`;
  }

  private peerPort(p: SyncPeer): number {
    return p.port ?? this.opts.port;
  }

  private startResync(): void {
    const o = this.opts;
    this.requestId = randomInt(1, 0xffffffff);
    this.awaiting = new Set(o.peers.map((p) => this.peerKey(p.address, this.peerPort(p))));
    this.log.info({ peers: [...this.awaiting], timeoutMs: o.resyncTimeoutMs }, 'sync: asking peers for their connection tables');
    const ask = (): void => {
      if (this.isResynced || this.closed) return;
      const request = encodeControl({ type: 'resync-request', syncId: o.syncId, requestId: this.requestId });
      if (o.transport === 'multicast') this.send(request, o.group, o.port);
      else for (const p of o.peers) if (this.awaiting.has(this.peerKey(p.address, this.peerPort(p)))) this.send(request, p.address, this.peerPort(p));
      // With nobody listed there is no answer to miss: one request, then the timeout.
      if (this.awaiting.size > 0) this.timers.push(setTimeout(ask, REQUEST_REPEAT_MS));
    };
    ask();
    this.timers.push(setTimeout(() => {
      if (this.isResynced) return;
      if (this.awaiting.size > 0) {
        this.log.warn({ missing: [...this.awaiting] }, `sync: resync timed out after ${o.resyncTimeoutMs} ms without an answer from every peer`);
      }
      this.finishResync();
    }, o.resyncTimeoutMs));
    if (o.peers.length === 0 && o.transport === 'unicast') this.finishResync();
  }

  private finishResync(): void {
    if (this.isResynced) return;
    this.isResynced = true;
    this.log.info({ installed: this.count.installed }, 'sync: resync complete');
    for (const w of this.resyncWaiters.splice(0)) w();
  }

  /** Signs (auth mode) and sends one body; every datagram gets its own sequence number. */
  private wrap(body: Buffer): Buffer {
    const { auth, name } = this.opts;
    if (auth === null || this.sequence === null) return body;
    return appendTrailer(body, { keyId: auth.keyId, sender: name, sequence: this.sequence.take() }, auth.key);
  }

  private send(body: Buffer, address: string, port: number): void {
    const socket = this.socket;
    if (socket === null) return;
    // Port 0 cannot be sent to (dgram throws): a datagram claiming it gets no answer.
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      this.log.debug({ address, port }, 'sync: not sending to an invalid port');
      return;
    }
    const datagram = this.wrap(body);
    this.count.sent++;
    try {
      socket.send(datagram, port, address, (err) => {
        if (err) this.log.debug({ err, address, port }, 'sync: send failed');
      });
    } catch (err) {
      this.log.debug({ err, address, port }, 'sync: send failed');
    }
  }

  private sendToPeers(message: Buffer): void {
    const o = this.opts;
    if (o.transport === 'multicast') {
      this.send(message, o.group, o.port);
      return;
    }
    // One signed datagram for every peer: each receiver keeps its own replay state for us.
    const socket = this.socket;
    if (socket === null) return;
    const datagram = this.wrap(message);
    for (const p of o.peers) {
      this.count.sent++;
      socket.send(datagram, this.peerPort(p), p.address, (err) => {
        if (err) this.log.debug({ err, address: p.address }, 'sync: send failed');
      });
    }
  }

  private receive(datagram: Buffer, rinfo: dgram.RemoteInfo): void {
    const o = this.opts;
    if (rinfo.address === o.localAddress && rinfo.port === o.port) return;
    this.count.received++;
    const from = this.peerKey(rinfo.address, rinfo.port);
    let bodyLength: number;
    if (isControlMessage(datagram)) {
      bodyLength = CONTROL_LENGTH;
    } else {
      const header = readIpvsHeader(datagram);
      if (typeof header === 'string') return this.refuse(from, header);
      bodyLength = header.size;
    }
    if (datagram.length < bodyLength) return this.refuse(from, 'datagram shorter than its message');
    if (o.auth !== null) {
      const check = checkTrailer(datagram, bodyLength, o.auth.key, o.auth.keyId);
      if (!check.ok) {
        this.count.forged++;
        this.rejections.note('forged', { from, detail: check.detail }, 'sync: dropped an unauthenticated datagram');
        return;
      }
      const verdict = this.replay.check(check.sender, check.sequence);
      if (isReplay(verdict)) {
        this.count.replayed++;
        this.rejections.note(verdict, { from, sender: check.sender, sequence: String(check.sequence) }, 'sync: dropped a replayed datagram');
        return;
      }
    } else {
      if (!this.isPeer(rinfo)) return this.refuse(from, 'sender is not a configured peer (plain sync trusts only sync.peers)');
      if (datagram.length !== bodyLength) return this.refuse(from, 'datagram longer than its message');
    }
    const body = datagram.subarray(0, bodyLength);
    if (bodyLength === CONTROL_LENGTH && isControlMessage(body)) {
      const m = decodeControl(body);
      if (typeof m === 'string') return this.refuse(from, m);
      if (m.syncId !== o.syncId) return this.refuse(from, `syncid ${m.syncId} is not ours (${o.syncId})`);
      this.control(m, rinfo);
      return;
    }
    if (body[1] !== o.syncId) return this.refuse(from, `syncid ${body[1]} is not ours (${o.syncId})`);
    const admitted = this.admit(body, from);
    if (admitted === null) return;
    try {
      this.count.installed += o.dataplane.installSync(admitted);
    } catch (e) {
      this.refuse(from, e instanceof Error ? e.message : String(e));
    }
  }

  /** The message with only the records the admission rules let through; null when none is left. */
  private admit(message: Buffer, from: string): Buffer | null {
    const o = this.opts;
    const records = readIpvsRecords(message);
    if (typeof records === 'string') {
      this.refuse(from, records);
      return null;
    }
    const table = o.dataplane.counters();
    const cap = Math.floor((o.maxInstalledShare ?? DEFAULT_MAX_INSTALLED_SHARE) * table.connTableSize);
    const room = Math.max(0, cap - table.connections);
    const a = admitRecords(records, o.limits ?? defaultLimits, room);
    this.recordCount.overTimeout += a.overTimeout;
    this.recordCount.overCap += a.overCap;
    if (a.firstRefusal !== null) {
      const sender = from.slice(0, from.lastIndexOf(':'));
      const fields = { from, refused: a.overTimeout, first: a.firstRefusal };
      if (!this.warnedTimeout.has(sender)) {
        this.warnedTimeout.add(sender);
        this.log.warn(fields, 'sync: refused records whose timeout is above this director\'s own; the timeouts and persistence must be the same on every director');
      } else {
        this.log.debug(fields, 'sync: refused records whose timeout is above this director\'s own');
      }
    }
    if (a.overCap > 0 && !this.capped) {
      this.capped = true;
      this.log.warn({ connections: table.connections, connTableSize: table.connTableSize, cap },
        'sync: the connection table is at the share peers may fill (sync.maxInstalledShare); their further records are refused');
    } else if (a.overCap === 0 && this.capped && room > 0) {
      this.capped = false;
      this.log.info({ connections: table.connections, cap }, 'sync: the connection table has room for peers\' records again');
    }
    if (a.kept.length === records.length) return message;
    return a.kept.length === 0 ? null : repackIpvsMessage(message, a.kept);
  }

  /** Plain mode's only defence: the source address (and, over unicast, the port) of a configured peer. */
  private isPeer(rinfo: dgram.RemoteInfo): boolean {
    const unicast = this.opts.transport === 'unicast';
    return this.opts.peers.some((p) => p.address === rinfo.address && (!unicast || this.peerPort(p) === rinfo.port));
  }

  private refuse(from: string, detail: string): void {
    this.count.refused++;
    this.rejections.note('refused', { from, detail }, 'sync: refused a datagram');
  }

  private control(m: ControlMessage, rinfo: dgram.RemoteInfo): void {
    if (m.type === 'resync-request') {
      const from = this.peerKey(rinfo.address, rinfo.port);
      if (rinfo.port === 0) return this.refuse(from, 'a resync request from port 0 cannot be answered');
      const now = performance.now();
      const last = this.answeredAt.get(rinfo.address);
      if (this.answering.has(rinfo.address) || (last !== undefined && now - last < ANSWER_GAP_MS)) {
        // A peer repeats its request until our answer is done: not worth a warning.
        this.count.refused++;
        this.log.debug({ from }, 'sync: refused a resync request: an answer to this address is under way or has just been sent');
        return;
      }
      if (this.answeredAt.size >= 256) {
        for (const [a, t] of this.answeredAt) if (now - t >= ANSWER_GAP_MS) this.answeredAt.delete(a);
      }
      this.answeredAt.set(rinfo.address, now);
      this.answering.add(rinfo.address);
      this.answerResync(m.requestId, rinfo.address, rinfo.port)
        .catch((err: unknown) => this.log.warn({ err, peer: from }, 'sync: answering a resync request failed'))
        .finally(() => this.answering.delete(rinfo.address));
      return;
    }
    if (m.requestId !== this.requestId || this.isResynced) return;
    const key = this.peerKey(rinfo.address, rinfo.port);
    this.awaiting.delete(key);
    this.log.info({ peer: key, messages: m.messages }, 'sync: peer finished sending its table');
    if (this.opts.peers.length > 0 && this.awaiting.size === 0) this.finishResync();
  }

  /** A peer (re)joined: send it the whole table, then the end marker. */
  private async answerResync(requestId: number, address: string, port: number): Promise<void> {
    const messages = this.opts.dataplane.exportSync();
    this.count.resyncs++;
    this.log.info({ peer: `${address}:${port}`, messages: messages.length }, 'sync: sending our connection table to a peer');
    for (let i = 0; i < messages.length; i += EXPORT_CHUNK) {
      if (this.closed) return;
      for (const m of messages.slice(i, i + EXPORT_CHUNK)) this.send(m, address, port);
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (this.closed) return;
    this.send(encodeControl({ type: 'resync-end', syncId: this.opts.syncId, requestId, messages: messages.length }), address, port);
  }
}
