// Receive-side checks of RFC 3768 7.1 / RFC 5798 7.1 on an advert already matched to an
// instance by VRID. A refused advert is dropped with a reason; some accepted ones carry a warning.
import { AUTH_NONE, AUTH_SIMPLE, VRRP_TTL, intervalCentiseconds, type VrrpPacket } from './codec';
import type { VrrpInstanceSettings } from '../config/vrrp_model';

export type Verdict =
  | { ok: true; intervalCs: number; warning?: string }
  | { ok: false; reason: DropReason; detail: string };

/** `peer`: not a unicast peer, or not a heartbeat peer; `heartbeat`: contradicted by the sender's signed heartbeat (instance.ts). */
export const ADVERT_DROP_REASONS = ['ttl', 'version', 'checksum', 'auth', 'interval', 'peer', 'heartbeat'] as const;
export type DropReason = typeof ADVERT_DROP_REASONS[number];

export function checkAdvert(p: VrrpPacket, s: VrrpInstanceSettings): Verdict {
  if (p.timeToLive !== VRRP_TTL) return { ok: false, reason: 'ttl', detail: `TTL ${p.timeToLive} is not 255 (sent from another link)` };
  if (p.version !== s.version) return { ok: false, reason: 'version', detail: `version ${p.version}, ours is ${s.version}` };
  if (!p.checksumOk) return { ok: false, reason: 'checksum', detail: `checksum 0x${p.checksum.toString(16).padStart(4, '0')} is wrong` };
  if (s.unicastPeers.length > 0 && !s.unicastPeers.includes(p.sourceAddress)) {
    return { ok: false, reason: 'peer', detail: `${p.sourceAddress} is not one of the unicastPeers` };
  }
  if (p.version === 2) {
    const wantType = s.authPass === undefined ? AUTH_NONE : AUTH_SIMPLE;
    if (p.authType !== wantType) return { ok: false, reason: 'auth', detail: `authentication type ${p.authType}, ours is ${wantType}` };
    if (wantType === AUTH_SIMPLE && p.authData !== s.authPass) return { ok: false, reason: 'auth', detail: 'the password differs from authPass' };
    if (p.adverInt !== s.advertInt) {
      return { ok: false, reason: 'interval', detail: `advert interval ${p.adverInt} s, ours is ${s.advertInt} s` };
    }
  }
  const intervalCs = intervalCentiseconds(p);
  if (intervalCs === 0) return { ok: false, reason: 'interval', detail: 'advert interval 0' };
  if (p.priority !== 0 && !sameAddresses(p.addresses, s.virtualAddresses)) {
    return { ok: true, intervalCs, warning: `its addresses (${p.addresses.join(' ')}) differ from ours (${s.virtualAddresses.join(' ')})` };
  }
  return { ok: true, intervalCs };
}

function sameAddresses(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const set = new Set(b);
  return a.every((x) => set.has(x));
}
