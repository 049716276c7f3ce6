// The VRRP state machine of RFC 5798 section 6.4 (which RFC 3768 section 6.4 matches for version
// 2), plus keepalived's FAULT state for tracking failures. Pure: step() returns the next state and
// the actions the caller runs (send, timers). Timers are in milliseconds.
import { ipv4ToBytes } from '../config/address';
import type { VrrpVersion } from './codec';

export type VrrpStateName = 'INIT' | 'BACKUP' | 'MASTER' | 'FAULT';
export type TimerName = 'masterDown' | 'adver' | 'preemptDelay';

export interface FsmSettings {
  version: VrrpVersion;
  /** Our Advertisement_Interval in centiseconds (version 2: a whole number of seconds x 100). */
  advertIntervalCs: number;
  preempt: boolean;
  /** keepalived's preempt_delay: no preemption this long after startup. */
  preemptDelayMs: number;
  /** Our primary IPv4 address: the tie-break on equal priority. */
  primaryAddress: string;
}

export interface FsmState {
  name: VrrpStateName;
  settings: FsmSettings;
  /** Effective priority (configured priority adjusted by tracking), 1..255. */
  priority: number;
  /** Version 3 learns it from the master's adverts; version 2 requires it equal to ours. */
  masterAdverIntervalCs: number;
  /** Source address of the last advert that kept us backup (the current master), if any. */
  masterAddress: string | null;
  masterPriority: number | null;
  preemptAllowed: boolean;
}

export type FsmEvent =
  | { type: 'startup' }
  | { type: 'shutdown' }
  | { type: 'masterDownTimer' }
  | { type: 'adverTimer' }
  | { type: 'preemptDelayTimer' }
  /** A received advert that passed validation (see validate.ts). */
  | { type: 'advert'; priority: number; intervalCs: number; sourceAddress: string }
  | { type: 'fault' }
  | { type: 'faultCleared' }
  | { type: 'setPriority'; priority: number }
  /** Sync group: a sibling became master / left master. */
  | { type: 'forceMaster' }
  | { type: 'forceBackup' };

export type FsmAction =
  | { type: 'sendAdvert'; priority: number }
  | { type: 'startTimer'; timer: TimerName; ms: number }
  | { type: 'stopTimer'; timer: TimerName };

export interface StepResult {
  state: FsmState;
  actions: FsmAction[];
}

export function initialState(settings: FsmSettings, priority: number): FsmState {
  return {
    name: 'INIT', settings, priority,
    masterAdverIntervalCs: settings.advertIntervalCs,
    masterAddress: null, masterPriority: null,
    preemptAllowed: settings.preemptDelayMs <= 0,
  };
}

/** Skew_Time in milliseconds (RFC 3768: (256-Priority)/256 s; RFC 5798: scaled by Master_Adver_Interval). */
export function skewMs(s: Pick<FsmState, 'settings' | 'priority' | 'masterAdverIntervalCs'>): number {
  if (s.settings.version === 2) return ((256 - s.priority) * 1000) / 256;
  return ((256 - s.priority) * s.masterAdverIntervalCs * 10) / 256;
}

/** Master_Down_Interval in milliseconds: 3 x Master_Adver_Interval + Skew_Time. */
export function masterDownMs(s: Pick<FsmState, 'settings' | 'priority' | 'masterAdverIntervalCs'>): number {
  return 3 * s.masterAdverIntervalCs * 10 + skewMs(s);
}

/** Numeric comparison of dotted quads: >0 when a is the greater address. */
export function compareAddresses(a: string, b: string): number {
  return ipv4ToBytes(a).readUInt32BE(0) - ipv4ToBytes(b).readUInt32BE(0);
}

const adverMs = (s: FsmState): number => s.settings.advertIntervalCs * 10;

export function step(state: FsmState, event: FsmEvent): StepResult {
  switch (state.name) {
    case 'INIT': return fromInit(state, event);
    case 'BACKUP': return fromBackup(state, event);
    case 'MASTER': return fromMaster(state, event);
    case 'FAULT': return fromFault(state, event);
  }
}

function unchanged(state: FsmState): StepResult {
  return { state, actions: [] };
}

function withPriority(state: FsmState, priority: number): StepResult {
  return { state: { ...state, priority }, actions: [] };
}

function becomeMaster(state: FsmState, extra: FsmAction[] = []): StepResult {
  return {
    state: { ...state, name: 'MASTER', masterAddress: state.settings.primaryAddress, masterPriority: state.priority },
    actions: [...extra, { type: 'sendAdvert', priority: state.priority }, { type: 'startTimer', timer: 'adver', ms: adverMs(state) }],
  };
}

function becomeBackup(state: FsmState, extra: FsmAction[] = []): StepResult {
  const next: FsmState = { ...state, name: 'BACKUP' };
  return { state: next, actions: [...extra, { type: 'startTimer', timer: 'masterDown', ms: masterDownMs(next) }] };
}

/** Startup, and leaving FAULT: the owner becomes master at once, anyone else backup. */
function start(state: FsmState): StepResult {
  const fresh: FsmState = {
    ...state, masterAdverIntervalCs: state.settings.advertIntervalCs, masterAddress: null, masterPriority: null,
  };
  const delay: FsmAction[] = fresh.preemptAllowed ? [] : [{ type: 'startTimer', timer: 'preemptDelay', ms: state.settings.preemptDelayMs }];
  return fresh.priority === 255 ? becomeMaster(fresh, delay) : becomeBackup(fresh, delay);
}

function fromInit(state: FsmState, event: FsmEvent): StepResult {
  switch (event.type) {
    case 'startup': return start(state);
    case 'fault': return { state: { ...state, name: 'FAULT' }, actions: [] };
    case 'setPriority': return withPriority(state, event.priority);
    default: return unchanged(state);
  }
}

function fromFault(state: FsmState, event: FsmEvent): StepResult {
  switch (event.type) {
    case 'faultCleared': return start(state);
    case 'shutdown': return { state: { ...state, name: 'INIT' }, actions: [] };
    case 'setPriority': return withPriority(state, event.priority);
    case 'preemptDelayTimer': return { state: { ...state, preemptAllowed: true }, actions: [] };
    default: return unchanged(state);
  }
}

function fromBackup(state: FsmState, event: FsmEvent): StepResult {
  switch (event.type) {
    case 'shutdown':
      return { state: { ...state, name: 'INIT' }, actions: [{ type: 'stopTimer', timer: 'masterDown' }] };
    case 'masterDownTimer':
    case 'forceMaster':
      return becomeMaster(state, [{ type: 'stopTimer', timer: 'masterDown' }]);
    case 'fault':
      return { state: { ...state, name: 'FAULT' }, actions: [{ type: 'stopTimer', timer: 'masterDown' }] };
    case 'setPriority':
      return withPriority(state, event.priority);
    case 'preemptDelayTimer':
      return { state: { ...state, preemptAllowed: true }, actions: [] };
    case 'advert': {
      if (event.priority === 0) {
        // The master is leaving: take over after Skew_Time instead of the whole Master_Down_Interval.
        return { state, actions: [{ type: 'startTimer', timer: 'masterDown', ms: skewMs(state) }] };
      }
      const preempting = state.settings.preempt && state.preemptAllowed;
      if (preempting && event.priority < state.priority) return unchanged(state);
      const next: FsmState = {
        ...state,
        masterAdverIntervalCs: state.settings.version === 3 ? event.intervalCs : state.masterAdverIntervalCs,
        masterAddress: event.sourceAddress, masterPriority: event.priority,
      };
      return { state: next, actions: [{ type: 'startTimer', timer: 'masterDown', ms: masterDownMs(next) }] };
    }
    default:
      return unchanged(state);
  }
}

function fromMaster(state: FsmState, event: FsmEvent): StepResult {
  switch (event.type) {
    case 'adverTimer':
      return { state, actions: [{ type: 'sendAdvert', priority: state.priority }, { type: 'startTimer', timer: 'adver', ms: adverMs(state) }] };
    case 'shutdown':
      return {
        state: { ...state, name: 'INIT', masterAddress: null, masterPriority: null },
        actions: [{ type: 'stopTimer', timer: 'adver' }, { type: 'sendAdvert', priority: 0 }],
      };
    case 'fault':
      return {
        state: { ...state, name: 'FAULT', masterAddress: null, masterPriority: null },
        actions: [{ type: 'stopTimer', timer: 'adver' }, { type: 'sendAdvert', priority: 0 }],
      };
    case 'setPriority': {
      const next = { ...state, priority: event.priority, masterPriority: event.priority };
      // Tell backups at once, so a backup that now outranks us can preempt without waiting.
      return { state: next, actions: [{ type: 'sendAdvert', priority: event.priority }, { type: 'startTimer', timer: 'adver', ms: adverMs(next) }] };
    }
    case 'forceBackup':
      return becomeBackup({ ...state, masterAddress: null, masterPriority: null }, [{ type: 'stopTimer', timer: 'adver' }]);
    case 'preemptDelayTimer':
      return { state: { ...state, preemptAllowed: true }, actions: [] };
    case 'advert': {
      if (event.priority === 0) {
        // A backup saw the old master leave; answer at once so it does not take over.
        return { state, actions: [{ type: 'sendAdvert', priority: state.priority }, { type: 'startTimer', timer: 'adver', ms: adverMs(state) }] };
      }
      const outranked = event.priority > state.priority
        || (event.priority === state.priority && compareAddresses(event.sourceAddress, state.settings.primaryAddress) > 0);
      if (outranked) {
        const next: FsmState = {
          ...state,
          masterAdverIntervalCs: state.settings.version === 3 ? event.intervalCs : state.masterAdverIntervalCs,
          masterAddress: event.sourceAddress, masterPriority: event.priority,
        };
        return becomeBackup(next, [{ type: 'stopTimer', timer: 'adver' }]);
      }
      // As keepalived: assert ourselves at once against a lower-priority master.
      return { state, actions: [{ type: 'sendAdvert', priority: state.priority }, { type: 'startTimer', timer: 'adver', ms: adverMs(state) }] };
    }
    default:
      return unchanged(state);
  }
}
