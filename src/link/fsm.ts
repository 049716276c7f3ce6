// Ethernet redundancy as a pure state machine (HAS's link daemon): ordered links, one active.
// Losing the active link moves to the best link that is up at once; a better link that comes back
// is taken again only after it has kept carrier for the hold-down time, so a flapping link moves
// traffic at most once per flap burst. No timers or I/O here: the caller feeds events and the
// current time, runs the actions, and calls tick() at `wakeAtMs`.

export interface LinkState {
  name: string;
  /** Carrier and admin state together: the link can carry traffic. */
  up: boolean;
  /** When it last came up (ms), null while down. */
  upSinceMs: number | null;
  /** Carrier changes seen since start. */
  changes: number;
}

export interface LinkFsmState {
  links: LinkState[];
  /** Index into links, null when every link is down (fault). */
  active: number | null;
  holdDownMs: number;
  /** Switches from one link to another (not counting the first pick at start). */
  failovers: number;
  lastChangeMs: number | null;
}

export type LinkAction =
  | { kind: 'switch'; from: string | null; to: string; reason: 'start' | 'failover' | 'failback' | 'recovered' }
  | { kind: 'fault'; from: string | null };

export interface LinkStep {
  state: LinkFsmState;
  actions: LinkAction[];
  /** When tick() must next run (a hold-down expiring), or null when nothing is pending. */
  wakeAtMs: number | null;
}

export function initialState(names: readonly string[], up: readonly boolean[], holdDownMs: number, nowMs: number): LinkStep {
  if (names.length === 0) throw new Error('A director needs at least one link.');
  const state: LinkFsmState = {
    links: names.map((name, i) => ({ name, up: up[i] === true, upSinceMs: up[i] === true ? nowMs : null, changes: 0 })),
    active: null, holdDownMs, failovers: 0, lastChangeMs: null,
  };
  const first = state.links.findIndex((l) => l.up);
  if (first < 0) return { state, actions: [{ kind: 'fault', from: null }], wakeAtMs: null };
  state.active = first;
  state.lastChangeMs = nowMs;
  return { state, actions: [{ kind: 'switch', from: null, to: state.links[first].name, reason: 'start' }], wakeAtMs: null };
}

function clone(s: LinkFsmState): LinkFsmState {
  return { ...s, links: s.links.map((l) => ({ ...l })) };
}

/** A carrier/admin change of one link (unknown names and repeats change nothing). */
export function linkChanged(prev: LinkFsmState, name: string, up: boolean, nowMs: number): LinkStep {
  const i = prev.links.findIndex((l) => l.name === name);
  if (i < 0 || prev.links[i].up === up) return settle(prev, nowMs, []);
  const s = clone(prev);
  const link = s.links[i];
  link.up = up;
  link.upSinceMs = up ? nowMs : null;
  link.changes++;
  const actions: LinkAction[] = [];
  if (!up && s.active === i) {
    // Losing the active link cannot wait: take the best link still up, whatever its hold-down.
    const next = s.links.findIndex((l) => l.up);
    s.lastChangeMs = nowMs;
    if (next < 0) {
      s.active = null;
      actions.push({ kind: 'fault', from: name });
    } else {
      s.active = next;
      s.failovers++;
      actions.push({ kind: 'switch', from: name, to: s.links[next].name, reason: 'failover' });
    }
  } else if (up && s.active === null) {
    // Anything beats no link at all.
    s.active = i;
    s.lastChangeMs = nowMs;
    actions.push({ kind: 'switch', from: null, to: name, reason: 'recovered' });
  }
  return settle(s, nowMs, actions);
}

/** Time passes: a better link whose hold-down has run out becomes active again. */
export function tick(prev: LinkFsmState, nowMs: number): LinkStep {
  return settle(prev, nowMs, []);
}

function settle(prev: LinkFsmState, nowMs: number, actions: LinkAction[]): LinkStep {
  let s = prev;
  let wakeAtMs: number | null = null;
  if (s.active !== null) {
    for (let i = 0; i < s.active; i++) {
      const l = s.links[i];
      if (!l.up || l.upSinceMs === null) continue;
      const due = l.upSinceMs + s.holdDownMs;
      if (due <= nowMs) {
        if (s === prev) s = clone(prev);
        const from = s.links[s.active!].name;
        s.active = i;
        s.failovers++;
        s.lastChangeMs = nowMs;
        actions.push({ kind: 'switch', from, to: l.name, reason: 'failback' });
        break;
      }
      wakeAtMs = wakeAtMs === null ? due : Math.min(wakeAtMs, due);
    }
  }
  return { state: s, actions, wakeAtMs };
}
