// Sequence numbers against replay, shared by sync and heartbeat. Receivers keep no state across
// their own restarts; a sender must therefore never reuse a number, even after it restarted with a
// clock that went back (a Pi has no RTC and may boot with an old time). Numbers come in blocks
// from a Reservation: one that only reads the clock, or one that also keeps a high-water mark on
// disk (sequence_store.ts).

/** Hands out blocks of numbers that no earlier block, of this life or (if it can tell) a previous one, held. */
export interface Reservation {
  /** The first number of a block of `count` numbers now reserved for the caller. */
  reserve(count: bigint): bigint;
}

/**
 * Numbers per block: 2^24 is 16 ms of the clock's 2^20 per ms, so blocks cost nothing of the
 * 64-bit space, and a sender writes its mark once per 16 million datagrams.
 */
export const SEQUENCE_BLOCK = 1n << 24n;

/** Where the clock puts a sender that starts at `wallMs`: 2^20 numbers per ms of wall time. */
export function clockStart(wallMs: number): bigint {
  return BigInt(Math.max(0, Math.floor(wallMs))) << 20n;
}

/**
 * Blocks from the wall clock alone: a restarted sender continues above its previous life unless
 * the clock went back. What pivsd falls back to when it cannot keep its mark on disk.
 */
export function clockReservation(wallMs: number = Date.now()): Reservation {
  let next = clockStart(wallMs);
  return {
    reserve(count) {
      const first = next;
      next += count;
      return first;
    },
  };
}

/** Next sequence numbers of one sender stream (the sync socket, each heartbeat link). */
export class SequenceSource {
  private next: bigint;
  private end: bigint;

  constructor(private readonly reservation: Reservation = clockReservation(), private readonly block: bigint = SEQUENCE_BLOCK) {
    // Reserved at once: pivsd says at start, not at some later datagram, if its mark cannot be kept.
    this.next = reservation.reserve(block);
    this.end = this.next + block;
  }

  take(): bigint {
    if (this.next === this.end) {
      this.next = this.reservation.reserve(this.block);
      this.end = this.next + this.block;
    }
    const n = this.next;
    this.next += 1n;
    return n;
  }
}
