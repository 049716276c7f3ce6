// Liveness of the peers over every link: each link has its own socket bound to its local address,
// sends a signed heartbeat to each peer's address on that link every interval, and declares a path
// dead after deadIntervals intervals without a valid one. VRRP asks isPeerAlive() so a standby does
// not take over while the master still answers on some path (split-brain guard). Each heartbeat also
// carries the sender's view: FAULT (it has stepped down, so it must not hold its peer back), which
// paths it hears the recipient on, since a one-way cut is invisible to the side that still receives,
// and its VRRP claims and STOPPING flag, against which VRRP checks each advert (peer_word.ts).
import dgram from 'node:dgram';
import { EventEmitter } from 'node:events';
import { systemClock, wallTimeOf, type Clock } from '../common/clock';
import { MAX_HEARTBEAT_LINKS } from '../common/limits';
import { onDoubling, RejectionLog } from '../common/rejection_log';
import { isReplay, ReplayWindow } from '../common/replay_window';
import { clockReservation, SequenceSource, type Reservation } from '../common/sequence';
import { decodeHeartbeat, encodeHeartbeat, type VrrpClaim } from './codec';
import { holdsMastership, vouchFor, type PeerWord, type Vouch } from './peer_word';

export const HEARTBEAT_PORT = 8849;

export interface HeartbeatLinkOptions {
  name: string;
  localAddress: string;
}

export interface HeartbeatPeerOptions {
  name: string;
  /** One address per link, in the order of the links. */
  addresses: readonly string[];
}

export interface HeartbeatLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

export interface HeartbeatServiceOptions {
  /** This director's name, the sender id of its heartbeats. */
  name: string;
  links: readonly HeartbeatLinkOptions[];
  peers: readonly HeartbeatPeerOptions[];
  key: Buffer;
  port: number;
  /** Port the peers listen on (default `port`; tests run several services on one host). */
  peerPort?: number;
  intervalMs: number;
  deadIntervals: number;
  logger?: HeartbeatLogger;
  /** Wall clock: the datagrams' timestamp field and lastSeenMs as shown (default Date.now). */
  now?: () => number;
  /** Liveness runs on this monotonic clock: a wall clock set back or forward moves no deadline (default performance.now). */
  clock?: Pick<Clock, 'now'>;
  /** Where the sequence numbers come from (default: the wall clock alone; pivsd: sequence_store.ts). */
  sequences?: Reservation;
  /** Opens a link's socket; tests wrap it to cut a path. */
  createSocket?: (link: HeartbeatLinkOptions) => dgram.Socket;
  /** This director's fault state (every link down), read at each send; default never. */
  fault?: () => boolean;
}

export interface PathStatus {
  link: string;
  /** The peer's address on this link. */
  address: string;
  alive: boolean;
  /** When the last valid heartbeat came over this path (ms since 1970), null if none yet. */
  lastSeenMs: number | null;
  /** Whether the peer, in its last heartbeat, said it hears this director over this path; null: none yet. */
  peerHears: boolean | null;
}

export interface PeerStatus {
  name: string;
  alive: boolean;
  /** The peer's last heartbeat said it has every link down and has stepped down. */
  fault: boolean;
  /** The peer's last heartbeat said it is stopping. */
  stopping: boolean;
  /** The VRRP instances the peer's last heartbeat listed, with their state and effective priority. */
  claims: VrrpClaim[];
  paths: PathStatus[];
}

export interface PathEvent {
  peer: string;
  link: string;
  address: string;
  alive: boolean;
}

/** The peer's report of one path (what it hears from this director) changed. */
export interface PeerReportEvent {
  peer: string;
  link: string;
  address: string;
  peerHears: boolean;
}

export interface HeartbeatCounters {
  sent: number;
  received: number;
  forged: number;
  replayed: number;
  /** Well signed but from an unknown sender, or on the wrong link or from the wrong address. */
  refused: number;
}

interface PathState {
  alive: boolean;
  /** On the monotonic clock. */
  lastSeenAt: number | null;
  peerHears: boolean | null;
}

const noLog: HeartbeatLogger = { info: () => {}, warn: () => {}, debug: () => {} };

export class HeartbeatService {
  private readonly opts: HeartbeatServiceOptions;
  private readonly log: HeartbeatLogger;
  private readonly now: () => number;
  private readonly clock: Pick<Clock, 'now'>;
  private readonly events = new EventEmitter();
  private readonly sockets: (dgram.Socket | null)[] = [];
  private readonly sequences: SequenceSource[];
  private readonly replay = new ReplayWindow();
  private readonly rejections: RejectionLog;
  /** paths[peer index][link index] */
  private readonly paths: PathState[][];
  /** What each peer's last heartbeat said of it: FAULT, STOPPING, its VRRP claims. */
  private readonly reports: Omit<PeerWord, 'alive'>[];
  private claimSource: () => VrrpClaim[] = () => [];
  private stopping = false;
  private readonly count: HeartbeatCounters = { sent: 0, received: 0, forged: 0, replayed: 0, refused: 0 };
  private timer: NodeJS.Timeout | null = null;
  /** Datagrams whose handling threw (a bug, contained); logged at warn on powers of two only. */
  private failed = 0;

  constructor(opts: HeartbeatServiceOptions) {
    if (opts.links.length > MAX_HEARTBEAT_LINKS) {
      throw new Error(`heartbeat has ${opts.links.length} links; a heartbeat has one bit per link, so at most ${MAX_HEARTBEAT_LINKS}.`);
    }
    for (const p of opts.peers) {
      if (p.addresses.length !== opts.links.length) {
        throw new Error(`heartbeat peer "${p.name}" has ${p.addresses.length} addresses for ${opts.links.length} links; give one per link.`);
      }
    }
    this.opts = opts;
    this.log = opts.logger ?? noLog;
    this.now = opts.now ?? Date.now;
    this.clock = opts.clock ?? systemClock;
    this.rejections = new RejectionLog(this.log);
    const sequences = opts.sequences ?? clockReservation(this.now());
    this.sequences = opts.links.map(() => new SequenceSource(sequences));
    this.paths = opts.peers.map(() => opts.links.map(() => ({ alive: false, lastSeenAt: null, peerHears: null })));
    this.reports = opts.peers.map(() => ({ fault: false, stopping: false, claims: [] }));
  }

  /** Binds every link's socket, then starts sending and watching. */
  async start(): Promise<void> {
    const o = this.opts;
    for (const [i, link] of o.links.entries()) {
      const socket = o.createSocket?.(link) ?? dgram.createSocket('udp4');
      this.sockets[i] = socket;
      socket.on('message', (msg, rinfo) => {
        try {
          this.receive(i, msg, rinfo);
        } catch (err) {
          // A bug on some path through receive() must cost one datagram, not the daemon.
          this.count.refused++;
          this.failed++;
          const fields = { err, link: link.name, from: `${rinfo.address}:${rinfo.port}`, length: msg.length, times: this.failed };
          if (onDoubling(this.failed)) this.log.warn(fields, 'heartbeat: handling a datagram failed; dropped it');
          else this.log.debug(fields, 'heartbeat: handling a datagram failed; dropped it');
        }
      });
      socket.on('error', (err) => this.log.warn({ err, link: link.name }, 'heartbeat socket error'));
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind(o.port, link.localAddress, () => {
          socket.off('error', reject);
          resolve();
        });
      });
    }
    this.tick();
    this.timer = setInterval(() => this.tick(), o.intervalMs);
    this.timer.unref();
  }

  /**
   * True if the peer owning `address` (on any link) is alive on at least one path and reports neither
   * FAULT nor STOPPING: a master that stepped down or is leaving must not keep its backup from taking
   * over. Unknown address: false.
   */
  isPeerAlive(address: string): boolean {
    return holdsMastership(this.wordOf(address));
  }

  /** Whether the peer owning `address` backs an advert for `vrid` at `priority` (see Vouch). */
  vouch(address: string, vrid: number, priority: number): Vouch {
    return vouchFor(this.wordOf(address), vrid, priority);
  }

  /** True if one of this director's heartbeat links has `localAddress`, so peers' addresses there are theirs on that LAN. */
  hasLinkAt(localAddress: string): boolean {
    return this.opts.links.some((l) => l.localAddress === localAddress);
  }

  /** Where this director's VRRP claims come from (read at every send). */
  setClaimSource(source: () => VrrpClaim[]): void {
    this.claimSource = source;
  }

  /** Sends a heartbeat now: the claims changed, and the peer must hear it before the advert that shows it. */
  announce(): void {
    this.send(this.now());
  }

  /** From now on every heartbeat says STOPPING; one goes out at once, ahead of the priority-0 adverts. */
  leave(): void {
    this.stopping = true;
    this.announce();
  }

  /** Called after every valid heartbeat, with the sending peer's addresses (a pending advert may now be vouched for). */
  onPeerHeartbeat(handler: (addresses: readonly string[]) => void): void {
    this.events.on('heartbeat', handler);
  }

  private wordOf(address: string): PeerWord | undefined {
    const i = this.opts.peers.findIndex((p) => p.addresses.includes(address));
    if (i < 0) return undefined;
    return { alive: this.paths[i].some((p) => p.alive), ...this.reports[i] };
  }

  peers(): PeerStatus[] {
    return this.opts.peers.map((peer, i) => ({
      name: peer.name,
      alive: this.paths[i].some((p) => p.alive),
      fault: this.reports[i].fault,
      stopping: this.reports[i].stopping,
      claims: this.reports[i].claims.map((c) => ({ ...c })),
      paths: this.opts.links.map((link, j) => {
        const { alive, lastSeenAt, peerHears } = this.paths[i][j];
        return { link: link.name, address: peer.addresses[j], alive, lastSeenMs: this.wallTimeOf(lastSeenAt), peerHears };
      }),
    }));
  }

  /** Called on every path transition (up or down), never for unchanged state. */
  onPathChange(handler: (e: PathEvent) => void): void {
    this.events.on('path', handler);
  }

  /** Called when a peer's report of a path changes (it starts or stops hearing this director there). */
  onPeerReport(handler: (e: PeerReportEvent) => void): void {
    this.events.on('report', handler);
  }

  counters(): HeartbeatCounters {
    return { ...this.count };
  }

  close(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    for (const s of this.sockets) s?.close();
    this.sockets.fill(null);
  }

  private wallTimeOf(at: number | null): number | null {
    return at === null ? null : wallTimeOf(at, this.now(), this.clock.now());
  }

  private tick(): void {
    const o = this.opts;
    const now = this.now();
    // Expire first, so the hears masks sent below are current.
    const deadAfter = o.deadIntervals * o.intervalMs;
    const at = this.clock.now();
    for (const [i, states] of this.paths.entries()) {
      for (const [j, state] of states.entries()) {
        if (state.alive && state.lastSeenAt !== null && at - state.lastSeenAt > deadAfter) this.transition(i, j, false);
      }
    }
    this.send(now);
  }

  /** One heartbeat to every peer over every link; `timestampMs` is the datagram's timestamp field. */
  private send(timestampMs: number): void {
    const o = this.opts;
    const fault = o.fault?.() ?? false;
    const claims = this.claimSource();
    const hears = this.paths.map((states) => states.reduce((mask, s, j) => (s.alive ? mask | (1 << j) : mask), 0));
    for (const [j, socket] of this.sockets.entries()) {
      if (socket === null) continue;
      const sequence = this.sequences[j].take();
      for (const [i, peer] of o.peers.entries()) {
        const datagram = encodeHeartbeat({
          linkId: j, sender: o.name, sequence, timestampMs, fault, stopping: this.stopping, hears: hears[i], claims,
        }, o.key);
        this.count.sent++;
        socket.send(datagram, o.peerPort ?? o.port, peer.addresses[j], (err) => {
          if (err) this.log.debug({ err, peer: peer.name, link: o.links[j].name }, 'heartbeat: send failed');
        });
      }
    }
  }

  private receive(linkIndex: number, datagram: Buffer, rinfo: dgram.RemoteInfo): void {
    const o = this.opts;
    this.count.received++;
    const h = decodeHeartbeat(datagram, o.key);
    if (!h.ok) {
      if (h.reason === 'forged') this.count.forged++;
      else this.count.refused++;
      this.rejections.note(h.reason, { link: o.links[linkIndex].name, from: rinfo.address, detail: h.detail }, 'heartbeat: dropped a datagram');
      return;
    }
    const i = o.peers.findIndex((p) => p.name === h.sender);
    // A heartbeat counts for one path only: the link it was sent for, from the peer's address there.
    if (i < 0 || h.linkId !== linkIndex || o.peers[i].addresses[linkIndex] !== rinfo.address) {
      this.count.refused++;
      this.rejections.note('unknownPath', { link: o.links[linkIndex].name, from: rinfo.address, sender: h.sender, linkId: h.linkId }, 'heartbeat: not from a known peer on this link');
      return;
    }
    const verdict = this.replay.check(`${h.sender}/${linkIndex}`, h.sequence);
    if (isReplay(verdict)) {
      this.count.replayed++;
      this.rejections.note(verdict, { link: o.links[linkIndex].name, from: rinfo.address, sender: h.sender, sequence: String(h.sequence) }, 'heartbeat: dropped a replayed datagram');
      return;
    }
    this.paths[i][linkIndex].lastSeenAt = this.clock.now();
    if (!this.paths[i][linkIndex].alive) this.transition(i, linkIndex, true);
    // A late (reordered) heartbeat proves the path, but its flags are older than those already taken.
    if (verdict === 'late') return;
    this.takeReport(i, h.fault, h.hears);
    this.takeClaims(i, h.stopping, h.claims);
    this.events.emit('heartbeat', o.peers[i].addresses);
  }

  private takeClaims(peerIndex: number, stopping: boolean, claims: VrrpClaim[]): void {
    const peer = this.opts.peers[peerIndex];
    const report = this.reports[peerIndex];
    if (stopping !== report.stopping) {
      report.stopping = stopping;
      if (stopping) this.log.info({ peer: peer.name }, `heartbeat: peer ${peer.name} is stopping`);
      else this.log.info({ peer: peer.name }, `heartbeat: peer ${peer.name} is back in the election`);
    }
    report.claims = claims;
  }

  private takeReport(peerIndex: number, fault: boolean, hears: number): void {
    const peer = this.opts.peers[peerIndex];
    if (fault !== this.reports[peerIndex].fault) {
      this.reports[peerIndex].fault = fault;
      if (fault) this.log.warn({ peer: peer.name }, `heartbeat: peer ${peer.name} reports FAULT (every link down; it has stepped down)`);
      else this.log.info({ peer: peer.name }, `heartbeat: peer ${peer.name} no longer reports FAULT`);
    }
    for (const [j, state] of this.paths[peerIndex].entries()) {
      const peerHears = (hears & (1 << j)) !== 0;
      const was = state.peerHears;
      state.peerHears = peerHears;
      // A first report of "not heard" is the start-up race (the peer has not had our heartbeat yet), not a loss.
      if (was === peerHears || (was === null && !peerHears)) continue;
      const link = this.opts.links[j];
      const event: PeerReportEvent = { peer: peer.name, link: link.name, address: peer.addresses[j], peerHears };
      if (peerHears) this.log.info(event, `heartbeat: peer ${peer.name} reports the path over link ${link.name} restored`);
      else this.log.warn(event, `heartbeat: peer ${peer.name} reports the path over link ${link.name} lost`);
      this.events.emit('report', event);
    }
  }

  private transition(peerIndex: number, linkIndex: number, alive: boolean): void {
    const peer = this.opts.peers[peerIndex];
    const link = this.opts.links[linkIndex];
    this.paths[peerIndex][linkIndex].alive = alive;
    const event: PathEvent = { peer: peer.name, link: link.name, address: peer.addresses[linkIndex], alive };
    if (alive) this.log.info(event, `heartbeat: path to peer ${peer.name} over link ${link.name} restored`);
    else this.log.warn(event, `heartbeat: path to peer ${peer.name} over link ${link.name} lost`);
    this.events.emit('path', event);
  }
}
