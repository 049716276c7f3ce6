// The director's side of pivs-agent: verifies each report, hands load indexes to the dataplane
// (the has scheduler reads them at pick time), and turns an agent's silence into quiescence.
//
// Which real servers it affects: those of virtual services that use scheduler has or set
// dynamicWeights: true ("agent-managed"), per service, so the same address in a service without
// either keeps its configured weight and is never made quiescent by an agent.
import type { Logger } from 'pino';
import { systemClock, wallTimeOf, type Clock } from '../common/clock';
import { RejectionLog } from '../common/rejection_log';
import { isReplay, REPLAY_WINDOW_SIZE, ReplayWindow } from '../common/replay_window';
import { canonicalAddress } from '../config/address';
import type { AgentSettings, VirtualService, VirtualServiceKey } from '../config/model';
import type { ListResult } from '../control/protocol';
import type { RealAvailability, RealTarget } from '../control/weights';
import type { Dataplane } from '../dataplane/types';
import { decodeReport } from './codec';
import { dynamicWeightOf } from './dynamic_weight';
import type { AgentState } from './state';

/** What the receiver needs of control/'s Director. */
export interface AgentDirector {
  setAvailability(source: 'agent', target: RealTarget, availability: RealAvailability): void;
  setDynamicWeight(address: string, weight: number | null): void;
}

export interface AgentReceiverDeps {
  settings: AgentSettings;
  director: AgentDirector;
  /** The configured virtual services, read at each tick so reloads and pivsadm edits follow. */
  services: () => readonly VirtualService[];
  dataplane: Pick<Dataplane, 'setLoad'>;
  /** Wall clock, ms since the epoch: lastReport is shown on it (default Date.now). */
  now?: () => number;
  /** Timeouts run on this monotonic clock, so a wall clock set back or forward moves none (default performance.now). */
  clock?: Pick<Clock, 'now'>;
  logger?: Logger;
}

interface Heard {
  loadIndex: number;
  weight?: number;
  /** When the last report was accepted, on the monotonic clock. */
  at: number;
}

/** spoofed: a report for another address than the one it came from. */
export type HandleOutcome = 'accepted' | 'forged' | 'replayed' | 'spoofed';

function managed(s: VirtualService): boolean {
  return s.scheduler === 'has' || s.dynamicWeights === true;
}

function targetKey(service: VirtualServiceKey, address: string): string {
  return `${service.protocol}|${service.address}|${service.port}|${address}`;
}

export class AgentReceiver {
  private readonly heard = new Map<string, Heard>();
  /** Bounded as `heard` is, by the addresses whose reports verify: one window per real server, none forgotten. */
  private readonly replay = new ReplayWindow(REPLAY_WINDOW_SIZE, Number.POSITIVE_INFINITY);
  private readonly rejections: RejectionLog | null;
  private readonly wallNow: () => number;
  private readonly clock: Pick<Clock, 'now'>;
  private readonly startedAt: number;
  /** Targets this receiver made quiescent, so it can take back exactly those. */
  private readonly quiescent = new Map<string, RealTarget>();
  private readonly loadsSet = new Set<string>();
  private readonly weightsSet = new Map<string, number>();
  private readonly key: Buffer;
  private readonly keys: Map<string, Buffer>;
  /** Reports dropped, by why: what /status and the logs say of them. */
  readonly refused: Record<Exclude<HandleOutcome, 'accepted'>, number> = { forged: 0, replayed: 0, spoofed: 0 };

  constructor(private readonly deps: AgentReceiverDeps) {
    this.wallNow = deps.now ?? Date.now;
    this.clock = deps.clock ?? systemClock;
    this.startedAt = this.clock.now();
    this.rejections = deps.logger === undefined ? null : new RejectionLog(deps.logger);
    this.key = Buffer.from(deps.settings.key, 'utf8');
    this.keys = new Map((deps.settings.keys ?? []).map((k) => [canonicalAddress(k.address).address, Buffer.from(k.key, 'utf8')]));
  }

  /**
   * One datagram off the agent socket, from `from` (its source address). A report speaks only for
   * the address it came from, signed with that real server's key when it has one of its own.
   */
  handle(message: Buffer, from: string): HandleOutcome {
    const sender = canonicalAddress(from.replace(/^::ffff:(?=\d+\.)/, '')).address;
    const decoded = decodeReport(message, this.keys.get(sender) ?? this.key);
    if (!decoded.ok) return this.refuse('forged', { from: sender, reason: decoded.reason });
    const { report } = decoded;
    if (canonicalAddress(report.address).address !== sender) {
      return this.refuse('spoofed', { from: sender, address: report.address });
    }
    const previous = this.heard.get(report.address);
    const now = this.clock.now();
    let verdict = this.replay.check(report.address, report.seq);
    // A seq already seen, or below the window, is a replay unless the last accepted report is
    // timeoutMs old: then the agent restarted with a clock that went back, or a forged huge seq
    // got in; either way that seq must not lock the real agent out for good.
    if (isReplay(verdict)) {
      if (previous === undefined || now - previous.at < this.deps.settings.timeoutMs) {
        return this.refuse('replayed', { from: sender, seq: String(report.seq), replay: verdict });
      }
      this.deps.logger?.warn({ address: report.address, seq: String(report.seq) },
        'agent sequence went back after a silence: taking it as a restart');
      this.replay.forget(report.address);
      verdict = this.replay.check(report.address, report.seq);
    }
    const wasAlive = previous !== undefined && this.isAlive(report.address, now);
    if (verdict === 'late' && previous !== undefined) {
      // A reordered report shows the agent is up, but its figures are older than those already taken.
      previous.at = now;
    } else {
      const heard: Heard = { loadIndex: report.loadIndex, at: now };
      if (report.weight !== undefined) heard.weight = report.weight;
      this.heard.set(report.address, heard);
      this.deps.dataplane.setLoad(report.address, report.loadIndex);
      this.loadsSet.add(report.address);
    }
    // A server coming back takes new connections at once rather than at the next tick.
    if (!wasAlive) this.tick();
    return 'accepted';
  }

  private refuse(why: Exclude<HandleOutcome, 'accepted'>, detail: Record<string, unknown>): HandleOutcome {
    this.refused[why]++;
    this.rejections?.note(why, detail, `agent report refused: ${why}`);
    return why;
  }

  /** Applies timeouts and dynamic weights; the listener runs it a few times per timeout. */
  tick(): void {
    const now = this.clock.now();
    const services = this.deps.services();
    const wantQuiescent = new Map<string, RealTarget>();
    const dynamicAddresses = new Set<string>();
    for (const service of services) {
      if (!managed(service)) continue;
      const key: VirtualServiceKey = { protocol: service.protocol, address: service.address, port: service.port };
      for (const real of service.realServers) {
        if (service.dynamicWeights === true) dynamicAddresses.add(real.address);
        if (!this.isAlive(real.address, now)) wantQuiescent.set(targetKey(key, real.address), { service: key, address: real.address });
      }
    }
    for (const [k, target] of this.quiescent) {
      if (wantQuiescent.has(k)) continue;
      this.quiescent.delete(k);
      this.deps.director.setAvailability('agent', target, 'up');
      this.deps.logger?.info({ address: target.address }, 'agent reports again: real server back in scheduling');
    }
    for (const [k, target] of wantQuiescent) {
      if (this.quiescent.has(k)) continue;
      this.quiescent.set(k, target);
      this.deps.director.setAvailability('agent', target, 'quiescent');
      this.deps.logger?.warn({ address: target.address, timeoutMs: this.deps.settings.timeoutMs },
        'agent silent: real server quiescent');
    }
    for (const address of this.loadsSet) {
      if (this.isAlive(address, now)) continue;
      this.loadsSet.delete(address);
      this.deps.dataplane.setLoad(address, null);
    }
    this.applyDynamicWeights(dynamicAddresses, now);
  }

  /** What the director knows of the agent at this address (shown for agent-managed services). */
  view(address: string): AgentState {
    const heard = this.heard.get(address);
    const state: AgentState = {
      loadIndex: heard?.loadIndex ?? null,
      lastReport: heard === undefined ? null : new Date(wallTimeOf(heard.at, this.wallNow(), this.clock.now())).toISOString(),
      alive: this.isAlive(address, this.clock.now()),
    };
    if (heard?.weight !== undefined) state.weight = heard.weight;
    return state;
  }

  /** Adds `agent` to each real server of agent-managed services in a list result. */
  annotate(list: ListResult): void {
    for (const service of list.virtualServices) {
      if (service.scheduler !== 'has' && service.dynamicWeights !== true) continue;
      for (const real of service.realServers) real.agent = this.view(real.address);
    }
  }

  /** Heard within timeoutMs; a server never heard of gets timeoutMs from the receiver's start. */
  private isAlive(address: string, now: number): boolean {
    const since = this.heard.get(address)?.at ?? this.startedAt;
    return now - since < this.deps.settings.timeoutMs;
  }

  private applyDynamicWeights(addresses: Set<string>, now: number): void {
    let best = 0;
    for (const address of addresses) {
      const h = this.heard.get(address);
      if (h !== undefined && this.isAlive(address, now)) best = Math.max(best, h.loadIndex);
    }
    const want = new Map<string, number>();
    for (const address of addresses) {
      const h = this.heard.get(address);
      if (h !== undefined && this.isAlive(address, now)) want.set(address, dynamicWeightOf(h, best));
    }
    for (const address of this.weightsSet.keys()) {
      if (want.has(address)) continue;
      this.weightsSet.delete(address);
      this.deps.director.setDynamicWeight(address, null);
    }
    for (const [address, weight] of want) {
      if (this.weightsSet.get(address) === weight) continue;
      this.weightsSet.set(address, weight);
      this.deps.director.setDynamicWeight(address, weight);
    }
  }
}
