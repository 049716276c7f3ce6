// Anti-replay for signed datagrams, as IPsec does it (RFC 4303 section 3.4.3): per sender, the
// highest sequence number accepted and a bitmap of the `size` numbers just below it. UDP may
// reorder, and a sender's numbers may have gaps (it numbers datagrams for other receivers too), so
// "not above the highest" is not proof of a replay; a number seen twice, or too old to be told
// apart from one, is. Check only after the HMAC verified: a forged number must not move the window.

/** newest: above every number seen (the window slides); late: inside the window, not seen before. */
export type ReplayVerdict = 'newest' | 'late' | 'duplicate' | 'tooOld';

/** Reasons a datagram is refused as a replay. */
export type ReplayReason = Extract<ReplayVerdict, 'duplicate' | 'tooOld'>;

export function isReplay(v: ReplayVerdict): v is ReplayReason {
  return v === 'duplicate' || v === 'tooOld';
}

/** Wider than RFC 4303's 64: a resync answer is a burst of hundreds of datagrams. */
export const REPLAY_WINDOW_SIZE = 128;
/** Senders are configured peers (or key holders); the cap only bounds memory if something is off. */
export const MAX_REPLAY_SENDERS = 1024;

interface SenderWindow {
  /** The highest number accepted. */
  top: bigint;
  /** Bit i set: top - i was accepted (bit 0 is top itself). */
  seen: bigint;
}

export class ReplayWindow {
  private readonly senders = new Map<string, SenderWindow>();
  private readonly size: bigint;
  private readonly mask: bigint;

  constructor(size: number = REPLAY_WINDOW_SIZE, private readonly maxSenders: number = MAX_REPLAY_SENDERS) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`A replay window holds at least 1 number, not ${size}.`);
    this.size = BigInt(size);
    this.mask = (1n << this.size) - 1n;
  }

  /** The verdict on `sequence` from `sender`; newest and late ones are remembered. */
  check(sender: string, sequence: bigint): ReplayVerdict {
    const w = this.senders.get(sender);
    if (w === undefined) {
      // The least recently heard sender goes: Map keeps insertion order, and each newest re-inserts.
      if (this.senders.size >= this.maxSenders) this.senders.delete(this.senders.keys().next().value as string);
      this.senders.set(sender, { top: sequence, seen: 1n });
      return 'newest';
    }
    if (sequence > w.top) {
      const shift = sequence - w.top;
      w.seen = shift >= this.size ? 1n : ((w.seen << shift) | 1n) & this.mask;
      w.top = sequence;
      this.senders.delete(sender);
      this.senders.set(sender, w);
      return 'newest';
    }
    const age = w.top - sequence;
    if (age >= this.size) return 'tooOld';
    const bit = 1n << age;
    if ((w.seen & bit) !== 0n) return 'duplicate';
    w.seen |= bit;
    return 'late';
  }

  /** Drops what is known of `sender`: its next number is taken as its first. */
  forget(sender: string): void {
    this.senders.delete(sender);
  }
}
