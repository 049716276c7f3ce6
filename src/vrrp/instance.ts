// One running VRRP instance: feeds received adverts and timer expiries to the pure state machine,
// runs the actions it returns (send adverts, arm timers) and the gratuitous ARP of a new master.
// What the whole director does on a transition (virtual MAC, active addresses, ARP ownership,
// notify, sync groups) is the service's business, told through onTransition.
import type { Logger } from 'pino';
import { gratuitousArpFrame } from '../arp';
import { BROADCAST_MAC } from '../arp/ethernet';
import type { Clock } from '../common/clock';
import type { VrrpInstanceSettings } from '../config/vrrp_model';
import {
  AUTH_NONE, AUTH_SIMPLE, VRRP_MULTICAST_ADDRESS, advertFrame, virtualMac, type VrrpAdvertisement, type VrrpPacket,
} from './codec';
import type { Vouch } from '../heartbeat/peer_word';
import { initialState, masterDownMs, step, type FsmEvent, type FsmState, type TimerName, type VrrpStateName } from './fsm';
import { ADVERT_DROP_REASONS, checkAdvert, type DropReason, type Verdict } from './validate';

/** The signed heartbeat, as VRRP uses it: liveness of the master, and its word on each advert. */
export interface HeartbeatGuard {
  /** True while the peer owning this address answers on any link and neither is in fault nor stopping. */
  isPeerAlive(address: string): boolean;
  /** Whether the peer owning `address` backs an advert of `vrid` at `priority`. */
  vouch(address: string, vrid: number, priority: number): Vouch;
  /** True if the heartbeat runs over the LAN where this director sends adverts from `address`. */
  hasLinkAt(address: string): boolean;
  /** Sends this director's claims now, ahead of an advert that changes them. */
  announce(): void;
}

/** Distinct per-source log keys kept; past it, further sources share one, so spoofed sources cost no memory. */
export const MAX_LOGGED_SOURCES = 256;

export interface MasterGate {
  /** False until this director may take over (e.g. its connection table is resynced). */
  mayBecomeMaster(): boolean;
}

/** How often a Backup held back by the heartbeat or the gate asks again, at most. */
export const RECHECK_MS = 100;

export type TransitionCause = 'own' | 'forced';

export interface InstanceDeps {
  clock: Clock;
  logger: Logger;
  send(frame: Buffer): void;
  /** The interface's primary IPv4 address, the adverts' source; null puts the instance in FAULT. */
  primaryAddress: string | null;
  heartbeat?: HeartbeatGuard;
  gate?: MasterGate;
  onTransition(instance: VrrpInstance, from: VrrpStateName, to: VrrpStateName, cause: TransitionCause): void;
}

export interface InstanceCounters {
  advertsSent: number;
  advertsReceived: number;
  advertsDropped: Record<DropReason, number>;
  becameMaster: number;
  gratuitousArpsSent: number;
}

export class VrrpInstance {
  readonly vmac: string;
  private state: FsmState;
  private readonly timers = new Map<TimerName, unknown>();
  private readonly garpTimers = new Set<unknown>();
  private readonly peerMacs = new Map<string, string>();
  private readonly logged = new Set<string>();
  private readonly log: Logger;
  /** The master said goodbye (priority 0): the heartbeat guard must not hold us back. */
  private masterReleased = false;
  /**
   * The last advert the peer's heartbeat contradicted, decided on that peer's next heartbeat: a real
   * change of priority or state is announced by a heartbeat sent just before the advert, which may
   * still arrive after it; a forged advert stays contradicted.
   */
  private pending: { packet: VrrpPacket; intervalCs: number } | null = null;
  /** Whether adverts from hosts that are no heartbeat peer are refused: the heartbeat runs on this LAN. */
  private readonly strangersRefused: boolean;
  /** The state and priority the last heartbeat announcement carried for this instance. */
  private announced = '';
  private identification = 0;
  private lastTransitionMs: number;
  readonly counters: InstanceCounters = {
    advertsSent: 0, advertsReceived: 0, becameMaster: 0, gratuitousArpsSent: 0,
    advertsDropped: Object.fromEntries(ADVERT_DROP_REASONS.map((r) => [r, 0])) as Record<DropReason, number>,
  };

  constructor(readonly settings: VrrpInstanceSettings, private readonly deps: InstanceDeps) {
    this.vmac = virtualMac(settings.virtualRouterId);
    this.log = deps.logger.child({ module: 'vrrp', instance: settings.name, vrid: settings.virtualRouterId });
    this.state = initialState({
      version: settings.version,
      advertIntervalCs: Math.round(settings.advertInt * 100),
      preempt: settings.preempt,
      preemptDelayMs: settings.preemptDelay * 1000,
      primaryAddress: deps.primaryAddress ?? '0.0.0.0',
    }, settings.priority);
    this.lastTransitionMs = deps.clock.now();
    const hb = deps.heartbeat;
    this.strangersRefused = hb !== undefined && deps.primaryAddress !== null && hb.hasLinkAt(deps.primaryAddress);
    if (hb !== undefined && deps.primaryAddress !== null && !this.strangersRefused) {
      this.log.warn({ address: deps.primaryAddress },
        'no heartbeat link has this instance\'s address, so the heartbeat cannot vouch for adverts on this LAN; VRRP\'s own checks alone judge them');
    }
  }

  get stateName(): VrrpStateName {
    return this.state.name;
  }

  get fsm(): Readonly<FsmState> {
    return this.state;
  }

  get sinceMs(): number {
    return this.lastTransitionMs;
  }

  start(): void {
    if (this.deps.primaryAddress === null) {
      this.log.error({ interface: this.settings.interface }, 'the interface has no IPv4 address to send adverts from; instance is in FAULT');
      this.dispatch({ type: 'fault' }, 'own');
      return;
    }
    this.dispatch({ type: 'startup' }, 'own');
  }

  /** Tracking and sync-group verdict: effective priority and whether the instance must be in FAULT. */
  setHealth(priority: number, fault: boolean): void {
    if (this.deps.primaryAddress === null) return;
    if (priority !== this.state.priority) {
      this.log.info({ from: this.state.priority, to: priority }, 'effective priority changed');
      this.dispatch({ type: 'setPriority', priority }, 'own');
    }
    if (fault && this.state.name !== 'FAULT' && this.state.name !== 'INIT') this.dispatch({ type: 'fault' }, 'own');
    if (!fault && this.state.name === 'FAULT') this.dispatch({ type: 'faultCleared' }, 'own');
  }

  /** Sync group: a sibling changed state on its own. */
  force(kind: 'forceMaster' | 'forceBackup'): void {
    if (kind === 'forceMaster' && this.deps.gate !== undefined && !this.deps.gate.mayBecomeMaster()) return;
    this.dispatch({ type: kind }, 'forced');
  }

  receive(p: VrrpPacket): void {
    if (p.sourceAddress === this.deps.primaryAddress) return;
    this.counters.advertsReceived++;
    const verdict = checkAdvert(p, this.settings);
    if (!verdict.ok) {
      this.drop(p, verdict);
      return;
    }
    const hb = this.deps.heartbeat;
    const vouch = hb?.vouch(p.sourceAddress, this.settings.virtualRouterId, p.priority);
    if (vouch === 'stranger' && this.strangersRefused) {
      this.drop(p, { ok: false, reason: 'peer', detail: `${p.sourceAddress} is not a heartbeat peer` });
      return;
    }
    if (vouch === 'contradicted') {
      if (this.pending !== null) this.refuseContradicted(this.pending.packet);
      this.pending = { packet: p, intervalCs: verdict.intervalCs };
      return;
    }
    this.accept(p, verdict);
  }

  /** A heartbeat came from the peer with these addresses: decide the advert it contradicted, if any. */
  recheck(addresses: readonly string[]): void {
    const pending = this.pending;
    if (pending === null || !addresses.includes(pending.packet.sourceAddress)) return;
    this.pending = null;
    const p = pending.packet;
    if (this.deps.heartbeat?.vouch(p.sourceAddress, this.settings.virtualRouterId, p.priority) === 'contradicted') {
      this.refuseContradicted(p);
      return;
    }
    this.accept(p, { ok: true, intervalCs: pending.intervalCs });
  }

  private refuseContradicted(p: VrrpPacket): void {
    this.drop(p, { ok: false, reason: 'heartbeat', detail: `priority ${p.priority} is not what ${p.sourceAddress}'s signed heartbeat claims for this instance` });
  }

  private drop(p: VrrpPacket, verdict: Verdict & { ok: false }): void {
    this.counters.advertsDropped[verdict.reason]++;
    this.logOnce(this.sourceKey(`drop:${verdict.reason}`, p.sourceAddress), 'warn', { from: p.sourceAddress, reason: verdict.detail }, 'dropped a VRRP advert');
  }

  private accept(p: VrrpPacket, verdict: Verdict & { ok: true }): void {
    if (this.pending?.packet.sourceAddress === p.sourceAddress) {
      this.refuseContradicted(this.pending.packet);
      this.pending = null;
    }
    if (verdict.warning !== undefined) {
      this.logOnce(this.sourceKey('addresses', p.sourceAddress), 'warn', { from: p.sourceAddress, reason: verdict.warning }, 'VRRP advert address list mismatch');
    }
    // Only unicast peers need a MAC (sendAdvert); keeping one per multicast source would let spoofed sources grow the map.
    if (this.settings.unicastPeers.includes(p.sourceAddress)) this.peerMacs.set(p.sourceAddress, p.sourceMac);
    this.masterReleased = p.priority === 0;
    this.dispatch({ type: 'advert', priority: p.priority, intervalCs: verdict.intervalCs, sourceAddress: p.sourceAddress }, 'own');
  }

  private sourceKey(prefix: string, source: string): string {
    const key = `${prefix}:${source}`;
    return this.logged.has(key) || this.logged.size < MAX_LOGGED_SOURCES ? key : `${prefix}:others`;
  }

  /** Leaves the election: a master sends priority 0 so a backup takes over after its skew time. */
  shutdown(): void {
    this.dispatch({ type: 'shutdown' }, 'own');
    for (const name of [...this.timers.keys()]) this.stopTimer(name);
    this.stopGarp();
  }

  private dispatch(event: FsmEvent, cause: TransitionCause): void {
    const from = this.state.name;
    const result = step(this.state, event);
    this.state = result.state;
    for (const action of result.actions) {
      switch (action.type) {
        case 'sendAdvert': this.sendAdvert(action.priority); break;
        case 'startTimer': this.startTimer(action.timer, action.ms); break;
        case 'stopTimer': this.stopTimer(action.timer); break;
      }
    }
    const to = this.state.name;
    if (from === to) return;
    this.lastTransitionMs = this.deps.clock.now();
    this.log.info({ from, to, priority: this.state.priority, master: this.state.masterAddress, cause }, `VRRP instance is now ${to}`);
    if (to === 'MASTER') this.counters.becameMaster++;
    if (from === 'MASTER') this.stopGarp();
    this.deps.onTransition(this, from, to, cause);
    if (to === 'MASTER') this.startGarp();
  }

  private startTimer(name: TimerName, ms: number): void {
    this.stopTimer(name);
    this.timers.set(name, this.deps.clock.setTimeout(() => {
      this.timers.delete(name);
      this.onTimer(name);
    }, Math.max(0, ms)));
  }

  private stopTimer(name: TimerName): void {
    const h = this.timers.get(name);
    if (h === undefined) return;
    this.deps.clock.clearTimeout(h);
    this.timers.delete(name);
  }

  private onTimer(name: TimerName): void {
    if (name === 'adver') return this.dispatch({ type: 'adverTimer' }, 'own');
    if (name === 'preemptDelay') return this.dispatch({ type: 'preemptDelayTimer' }, 'own');
    const recheck = Math.min(RECHECK_MS, this.state.settings.advertIntervalCs * 10);
    const { gate, heartbeat } = this.deps;
    if (gate !== undefined && !gate.mayBecomeMaster()) {
      this.logOnce('hold:gate', 'info', {}, 'Master_Down_Timer expired but the connection table is not resynced yet; staying BACKUP');
      this.startTimer('masterDown', recheck);
      return;
    }
    this.logged.delete('hold:gate');
    const master = this.state.masterAddress;
    if (heartbeat !== undefined && master !== null && !this.masterReleased && heartbeat.isPeerAlive(master)) {
      this.logOnce('hold:heartbeat', 'warn', { master }, 'no VRRP adverts from the master but its heartbeat is alive; staying BACKUP');
      this.startTimer('masterDown', recheck);
      return;
    }
    this.logged.delete('hold:heartbeat');
    this.dispatch({ type: 'masterDownTimer' }, 'own');
  }

  private advertisement(priority: number): VrrpAdvertisement {
    const s = this.settings;
    const ad: VrrpAdvertisement = {
      version: s.version, vrid: s.virtualRouterId, priority, addresses: s.virtualAddresses,
      adverInt: s.version === 2 ? s.advertInt : Math.round(s.advertInt * 100),
    };
    if (s.version === 2) {
      ad.authType = s.authPass === undefined ? AUTH_NONE : AUTH_SIMPLE;
      if (s.authPass !== undefined) ad.authData = s.authPass;
    }
    return ad;
  }

  private sendAdvert(priority: number): void {
    const source = this.deps.primaryAddress;
    if (source === null) return;
    const claim = `${this.state.name}/${this.state.priority}`;
    if (claim !== this.announced) {
      this.announced = claim;
      this.deps.heartbeat?.announce();
    }
    const ad = this.advertisement(priority);
    const peers = this.settings.unicastPeers;
    const destinations = peers.length === 0 ? [VRRP_MULTICAST_ADDRESS] : peers;
    for (const destination of destinations) {
      this.identification = (this.identification + 1) & 0xffff;
      const frame = advertFrame(ad, {
        sourceMac: this.vmac, sourceAddress: source, destinationAddress: destination, identification: this.identification,
        // A peer not heard from yet gets a broadcast frame; its kernel still takes the unicast IP.
        destinationMac: peers.length === 0 ? undefined : this.peerMacs.get(destination) ?? BROADCAST_MAC,
      });
      this.deps.send(frame);
      this.counters.advertsSent++;
    }
  }

  private garpBurst(count: number): void {
    for (let i = 0; i < count; i++) {
      for (const address of this.settings.virtualAddresses) {
        this.deps.send(gratuitousArpFrame(this.vmac, address));
        this.counters.gratuitousArpsSent++;
      }
    }
  }

  private garpLater(fn: () => void, ms: number): void {
    const h = this.deps.clock.setTimeout(() => {
      this.garpTimers.delete(h);
      fn();
    }, ms);
    this.garpTimers.add(h);
  }

  /** keepalived's defaults: garp_master_repeat at once, again after garp_master_delay, then refresh. */
  private startGarp(): void {
    const { masterRepeat, masterDelay, masterRefresh } = this.settings.garp;
    this.garpBurst(masterRepeat);
    if (masterDelay > 0) this.garpLater(() => this.garpBurst(masterRepeat), masterDelay * 1000);
    if (masterRefresh > 0) {
      const refresh = (): void => {
        this.garpBurst(1);
        this.garpLater(refresh, masterRefresh * 1000);
      };
      this.garpLater(refresh, masterRefresh * 1000);
    }
  }

  private stopGarp(): void {
    for (const h of this.garpTimers) this.deps.clock.clearTimeout(h);
    this.garpTimers.clear();
  }

  private logOnce(key: string, level: 'info' | 'warn', fields: object, msg: string): void {
    if (this.logged.has(key)) return;
    this.logged.add(key);
    this.log[level](fields, msg);
  }

  /** Master_Down_Interval as this backup computes it now, in ms (for status and tests). */
  masterDownIntervalMs(): number {
    return masterDownMs(this.state);
  }
}
