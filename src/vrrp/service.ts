// Runs every configured VRRP instance on the dataplane: adverts in through onControlFrames, out
// through sendFrame; on each transition it recomputes what this director owns (virtual MACs,
// active addresses, ARP answers), runs notify commands and keeps sync groups together.
import os from 'node:os';
import type { Logger } from 'pino';
import { MalformedPacketError } from '../arp/errors';
import { type Clock, systemClock } from '../common/clock';
import { onDoubling } from '../common/rejection_log';
import type { VrrpConfig, VrrpSyncGroup } from '../config/vrrp_model';
import type { Dataplane } from '../dataplane/types';
import { MAX_VRRP_CLAIMS, type VrrpClaim } from '../heartbeat/codec';
import { decodeAdvertFrame, IPPROTO_VRRP } from './codec';
import type { VrrpStateName } from './fsm';
import { VrrpInstance, type HeartbeatGuard, type InstanceCounters, type MasterGate, type TransitionCause } from './instance';
import { createNotifier, spawnRunner, type CommandRunner, type NotifyState } from './notify';
import { startTracking, systemTrackIo, trackedPriority, type TrackIo, type TrackResult, type Tracking } from './track';

/** What vrrp/ needs of the ARP service (src/arp's ArpService satisfies it). */
export interface VirtualMacListener {
  setVirtualMacs(macs: ReadonlyMap<string, string> | null): void;
}

export interface VrrpInstanceStatus {
  name: string;
  interface: string;
  virtualRouterId: number;
  version: 2 | 3;
  state: VrrpStateName;
  /** Configured priority. */
  priority: number;
  /** After tracking weights. */
  effectivePriority: number;
  /** Source address of the current master's adverts (ours while MASTER); null when unknown. */
  masterAddress: string | null;
  masterPriority: number | null;
  /** Seconds. */
  advertInt: number;
  /** Seconds; version 3 learns it from the master. */
  masterAdvertInt: number;
  /** Milliseconds, as this instance computes it now. */
  masterDownInterval: number;
  preempt: boolean;
  virtualAddresses: string[];
  virtualMac: string;
  syncGroup: string | null;
  track: TrackResult[];
  counters: InstanceCounters;
}

export interface VrrpService {
  states(): VrrpInstanceStatus[];
  /** Called after every transition of any instance. */
  on(event: 'change', listener: (states: VrrpInstanceStatus[]) => void): void;
  /** Priority-0 adverts for instances we are master of, notify_stop, then wait for notify commands. */
  close(): Promise<void>;
}

/** The heartbeat as the whole election uses it: it carries this director's claims and says when it leaves. */
export interface VrrpHeartbeat extends HeartbeatGuard {
  setClaimSource(source: () => VrrpClaim[]): void;
  onPeerHeartbeat(handler: (addresses: readonly string[]) => void): void;
  /** Heartbeats say STOPPING from now on, starting with one sent at once. */
  leave(): void;
}

export interface VrrpOptions {
  config: VrrpConfig;
  dataplane: Pick<Dataplane, 'sendFrame' | 'onControlFrames' | 'setActiveAddresses' | 'addMacAddress' | 'removeMacAddress'>;
  arp: VirtualMacListener;
  logger: Logger;
  heartbeat?: VrrpHeartbeat;
  gate?: MasterGate;
  onChange?(states: VrrpInstanceStatus[]): void;
  clock?: Clock;
  /** Defaults to os.networkInterfaces(); the first IPv4 address is the adverts' source. */
  networkInterfaces?: () => NodeJS.Dict<os.NetworkInterfaceInfo[]>;
  runCommand?: CommandRunner;
  trackIo?: TrackIo;
  /** Link redundancy (link/): every link down puts every instance in FAULT, as a failed tracked interface does. */
  links?: { allDown(): boolean; onChange(listener: () => void): void };
}

/** Quick look at a frame before decoding it: IPv4 (optionally 802.1Q-tagged) protocol 112. */
function isVrrpFrame(frame: Buffer): boolean {
  let off = 12;
  if (frame.length >= 18 && frame.readUInt16BE(12) === 0x8100) off = 16;
  return frame.length >= off + 22 && frame.readUInt16BE(off) === 0x0800 && frame[off + 2 + 9] === IPPROTO_VRRP;
}

export function startVrrp(opts: VrrpOptions): VrrpService {
  const { dataplane, logger, config } = opts;
  const log = logger.child({ module: 'vrrp' });
  const clock = opts.clock ?? systemClock;
  const networkInterfaces = opts.networkInterfaces ?? os.networkInterfaces;
  const notifier = createNotifier(opts.runCommand ?? spawnRunner(log));
  const listeners: Array<(s: VrrpInstanceStatus[]) => void> = [];
  if (opts.onChange) listeners.push(opts.onChange);
  let closed = false;
  const warned = new Set<string>();

  const groupOf = new Map<string, VrrpSyncGroup>();
  for (const g of config.syncGroups) for (const name of g.instances) groupOf.set(name, g);

  // The dataplane may not implement every HA call yet; the election must still run.
  const tryDataplane = (what: string, fn: () => void): void => {
    try {
      fn();
    } catch (err) {
      if (warned.has(what)) return;
      warned.add(what);
      log.warn({ err: (err as Error).message }, `dataplane.${what} failed; forwarding may not follow the election`);
    }
  };

  const instances: VrrpInstance[] = [];
  const tracking = new Map<VrrpInstance, Tracking>();
  const ownedMacs = new Set<string>();
  let lastActive = '';

  const primaryOf = (iface: string): string | null =>
    (networkInterfaces()[iface] ?? []).find((a) => a.family === 'IPv4' && !a.internal)?.address ?? null;

  /** Everything the director owns follows from which instances are MASTER. */
  const applyOwnership = (): void => {
    const macs = new Map<string, string>();
    const wantMacs = new Set<string>();
    for (const inst of instances) {
      if (inst.stateName !== 'MASTER') continue;
      wantMacs.add(inst.vmac);
      for (const a of inst.settings.virtualAddresses) macs.set(a, inst.vmac);
    }
    for (const mac of wantMacs) if (!ownedMacs.has(mac)) tryDataplane('addMacAddress', () => dataplane.addMacAddress(mac));
    for (const mac of [...ownedMacs]) if (!wantMacs.has(mac)) tryDataplane('removeMacAddress', () => dataplane.removeMacAddress(mac));
    ownedMacs.clear();
    for (const mac of wantMacs) ownedMacs.add(mac);
    const active = [...macs.keys()].sort();
    if (active.join(',') !== lastActive) {
      lastActive = active.join(',');
      tryDataplane('setActiveAddresses', () => dataplane.setActiveAddresses(active));
    }
    opts.arp.setVirtualMacs(macs);
  };

  const groupState = (g: VrrpSyncGroup): VrrpStateName | null => {
    const states = new Set(g.instances.map((n) => instances.find((i) => i.settings.name === n)?.stateName));
    return states.size === 1 ? [...states][0] ?? null : null;
  };
  const lastGroupState = new Map<string, VrrpStateName | null>();

  const onTransition = (inst: VrrpInstance, from: VrrpStateName, to: VrrpStateName, cause: TransitionCause): void => {
    applyOwnership();
    if (to === 'MASTER' || to === 'BACKUP' || to === 'FAULT') {
      notifier.notify('INSTANCE', inst.settings.name, inst.settings.notify, to, inst.fsm.priority);
    }
    const group = groupOf.get(inst.settings.name);
    if (group !== undefined) {
      // Only an instance's own transition moves its group, so forced ones cannot echo back.
      if (cause === 'own') {
        for (const name of group.instances) {
          const sibling = instances.find((i) => i.settings.name === name);
          if (sibling === undefined || sibling === inst) continue;
          if (to === 'MASTER' && sibling.stateName === 'BACKUP') sibling.force('forceMaster');
          if (from === 'MASTER' && to === 'BACKUP' && sibling.stateName === 'MASTER') sibling.force('forceBackup');
        }
      }
      const gs = groupState(group);
      if (gs !== null && gs !== lastGroupState.get(group.name) && gs !== 'INIT') {
        lastGroupState.set(group.name, gs);
        notifier.notify('GROUP', group.name, group.notify, gs as NotifyState, 0);
      }
    }
    const snapshot = states();
    for (const l of listeners) {
      try { l(snapshot); } catch (err) { log.error({ err }, 'a VRRP change listener failed'); }
    }
  };

  /** Tracking verdicts; a sync group goes to FAULT as a whole when any member's tracking fails. */
  const applyHealth = (): void => {
    const own = new Map<VrrpInstance, { priority: number; fault: boolean }>();
    const linkResults: TrackResult[] = opts.links === undefined ? []
      : [{ kind: 'interface', name: 'links', weight: 0, up: !opts.links.allDown() }];
    for (const inst of instances) own.set(inst, trackedPriority(inst.settings.priority, [...(tracking.get(inst)?.results() ?? []), ...linkResults]));
    for (const inst of instances) {
      const mine = own.get(inst)!;
      const group = groupOf.get(inst.settings.name);
      const groupFault = group !== undefined && instances.some((o) => group.instances.includes(o.settings.name) && own.get(o)!.fault);
      inst.setHealth(mine.priority, mine.fault || groupFault);
    }
  };

  for (const settings of config.instances) {
    const inst = new VrrpInstance(settings, {
      clock, logger, primaryAddress: primaryOf(settings.interface),
      heartbeat: opts.heartbeat, gate: opts.gate,
      send: (frame) => tryDataplane('sendFrame', () => dataplane.sendFrame(frame)),
      onTransition,
    });
    instances.push(inst);
  }
  for (const inst of instances) {
    tracking.set(inst, startTracking(inst.settings.track, opts.trackIo ?? systemTrackIo, clock, () => { if (!closed) applyHealth(); }));
  }

  opts.links?.onChange(() => { if (!closed) applyHealth(); });

  opts.heartbeat?.setClaimSource(() => instances.slice(0, MAX_VRRP_CLAIMS).map((inst) => ({
    virtualRouterId: inst.settings.virtualRouterId, state: inst.stateName, priority: inst.fsm.priority,
  })));
  opts.heartbeat?.onPeerHeartbeat((addresses) => {
    if (closed) return;
    for (const inst of instances) inst.recheck(addresses);
  });

  // Nothing is ours until an instance wins: the backup must not answer ARP for the VIPs.
  applyOwnership();
  tryDataplane('setActiveAddresses', () => dataplane.setActiveAddresses([]));

  // A bug a frame can trigger, contained: at error level on the 1st, 2nd, 4th... time only, so a
  // flood of such frames cannot flood the log.
  let failedFrames = 0;
  const contained = (fields: object, msg: string): void => {
    failedFrames++;
    if (onDoubling(failedFrames)) log.error({ ...fields, times: failedFrames }, msg);
    else log.debug({ ...fields, times: failedFrames }, msg);
  };

  dataplane.onControlFrames((frames) => {
    if (closed) return;
    for (const frame of frames) {
      if (!isVrrpFrame(frame)) continue;
      let packet;
      try {
        packet = decodeAdvertFrame(frame);
      } catch (err) {
        if (err instanceof MalformedPacketError) log.debug({ reason: err.message }, 'ignored a malformed VRRP frame');
        else contained({ err, length: frame.length }, 'decoding a VRRP frame failed; dropped it');
        continue;
      }
      if (packet === null) continue;
      const vrid = packet.vrid;
      for (const inst of instances) {
        if (inst.settings.virtualRouterId !== vrid) continue;
        // One advert that trips a bug must not take the other frames of the batch, nor ARP's turn, with it.
        try {
          inst.receive(packet);
        } catch (err) {
          contained({ err, instance: inst.settings.name, from: packet.sourceAddress }, 'handling a VRRP advert failed; dropped it');
        }
      }
    }
  });

  for (const inst of instances) inst.start();
  applyHealth();

  function states(): VrrpInstanceStatus[] {
    return instances.map((inst) => {
      const s = inst.settings;
      const f = inst.fsm;
      return {
        name: s.name, interface: s.interface, virtualRouterId: s.virtualRouterId, version: s.version,
        state: f.name, priority: s.priority, effectivePriority: f.priority,
        masterAddress: f.masterAddress, masterPriority: f.masterPriority,
        advertInt: s.advertInt, masterAdvertInt: f.masterAdverIntervalCs / 100,
        masterDownInterval: inst.masterDownIntervalMs(), preempt: s.preempt,
        virtualAddresses: [...s.virtualAddresses], virtualMac: inst.vmac,
        syncGroup: groupOf.get(s.name)?.name ?? null,
        track: tracking.get(inst)?.results() ?? [],
        counters: structuredClone(inst.counters),
      };
    });
  }

  return {
    states,
    on(_event, listener) {
      listeners.push(listener);
    },
    async close() {
      if (closed) return;
      for (const t of tracking.values()) t.close();
      // The peer must know this is a real release before the priority-0 adverts reach it.
      opts.heartbeat?.leave();
      for (const inst of instances) inst.shutdown();
      closed = true;
      for (const inst of instances) notifier.notify('INSTANCE', inst.settings.name, inst.settings.notify, 'STOP', inst.fsm.priority);
      await notifier.idle();
    },
  };
}
