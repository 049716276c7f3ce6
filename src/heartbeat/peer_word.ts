// What a peer's signed heartbeat lets this director conclude about the VRRP election: whether it
// may hold a backup back, and whether it backs an advert that carries its address.
import type { VrrpClaim } from './codec';

/** A peer as its last heartbeats describe it. */
export interface PeerWord {
  /** A valid heartbeat came over some path within the dead interval. */
  alive: boolean;
  fault: boolean;
  stopping: boolean;
  claims: readonly VrrpClaim[];
}

/**
 * What a peer's signed heartbeat says of a VRRP advert from one of its addresses: `vouched` (it
 * claims that instance at that priority, or is leaving), `contradicted` (it says otherwise: the
 * advert is forged, or ahead of the heartbeat that announces it), `silent` (no live path: the
 * heartbeat cannot tell), `stranger` (the address is no peer's).
 */
export type Vouch = 'vouched' | 'contradicted' | 'silent' | 'stranger';

/** A live peer that neither stepped down nor is leaving: its backup must not take over. */
export function holdsMastership(peer: PeerWord | undefined): boolean {
  return peer !== undefined && peer.alive && !peer.fault && !peer.stopping;
}

export function vouchFor(peer: PeerWord | undefined, vrid: number, priority: number): Vouch {
  if (peer === undefined) return 'stranger';
  if (!peer.alive) return 'silent';
  const master = peer.claims.filter((c) => c.virtualRouterId === vrid && c.state === 'MASTER');
  // A release is real if the peer said it is leaving, or holds that instance no more.
  if (priority === 0) return peer.stopping || master.length === 0 ? 'vouched' : 'contradicted';
  return master.some((c) => c.priority === priority) ? 'vouched' : 'contradicted';
}
