// The director's side of pivs-agent: verifies each report, hands load indexes to the dataplane
// (the has scheduler reads them at pick time), and turns an agent's silence into quiescence.
//
// Which real servers it affects: those of virtual services that use scheduler has or set
// dynamicWeights: true ("agent-managed"), per service, so the same address in a service without
// either keeps its configured weight and is never made quiescent by an agent.
import type { Logger } from 'pino';
import type { AgentSettings, VirtualService, VirtualServiceKey } from '../config/model';
import type { AgentState, ListResult } from '../control/protocol';
import type { RealAvailability, RealTarget } from '../control/weights';
import type { Dataplane } from '../dataplane/types';
import { decodeReport } from './codec';
import { dynamicWeightOf } from './dynamic_weight';

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
  /** ms since the epoch (lastReport is shown as an ISO time of this clock). */
  now: () => number;
  logger?: Logger;
}

interface Heard {
  seq: bigint;
  loadIndex: number;
  weight?: number;
  atMs: number;
}

export type HandleOutcome = 'accepted' | 'forged' | 'replayed';

function managed(s: VirtualService): boolean {
  return s.scheduler === 'has' || s.dynamicWeights === true;
}

function targetKey(service: VirtualServiceKey, address: string): string {
  return `${service.protocol}|${service.address}|${service.port}|${address}`;
}

export class AgentReceiver {
  private readonly heard = new Map<string, Heard>();
  private readonly startedMs: number;
  /** Targets this receiver made quiescent, so it can take back exactly those. */
  private readonly quiescent = new Map<string, RealTarget>();
  private readonly loadsSet = new Set<string>();
  private readonly weightsSet = new Map<string, number>();
  private readonly key: Buffer;

  constructor(private readonly deps: AgentReceiverDeps) {
    this.startedMs = deps.now();
    this.key = Buffer.from(deps.settings.key, 'utf8');
  }

  /** One datagram off the agent socket. */
  handle(message: Buffer): HandleOutcome {
    const decoded = decodeReport(message, this.key);
    if (!decoded.ok) {
      this.deps.logger?.debug({ reason: decoded.reason }, 'agent report dropped');
      return 'forged';
    }
    const { report } = decoded;
    const previous = this.heard.get(report.address);
    // Anything not above the last accepted seq is a replay (or a duplicate): dropped.
    if (previous !== undefined && report.seq <= previous.seq) return 'replayed';
    const wasAlive = previous !== undefined && this.isAlive(report.address, this.deps.now());
    const heard: Heard = { seq: report.seq, loadIndex: report.loadIndex, atMs: this.deps.now() };
    if (report.weight !== undefined) heard.weight = report.weight;
    this.heard.set(report.address, heard);
    this.deps.dataplane.setLoad(report.address, report.loadIndex);
    this.loadsSet.add(report.address);
    // A server coming back takes new connections at once rather than at the next tick.
    if (!wasAlive) this.tick();
    return 'accepted';
  }

  /** Applies timeouts and dynamic weights; the listener runs it a few times per timeout. */
  tick(): void {
    const now = this.deps.now();
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
      lastReport: heard === undefined ? null : new Date(heard.atMs).toISOString(),
      alive: this.isAlive(address, this.deps.now()),
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
    const since = this.heard.get(address)?.atMs ?? this.startedMs;
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
