// Sequence numbers against replay, shared by sync and heartbeat. A sender starts at
// (start time in ms) << 20 and counts up by one, so a restarted sender continues above every number
// it used before (unless it sent more than 2^20 datagrams per millisecond of its previous life, or
// the clock went back), and receivers need no state saved across restarts.

/** Next sequence numbers of one sender (one per sync socket, one per heartbeat link). */
export class SequenceSource {
  private next: bigint;

  constructor(nowMs: number = Date.now()) {
    this.next = BigInt(Math.floor(nowMs)) << 20n;
  }

  take(): bigint {
    const n = this.next;
    this.next += 1n;
    return n;
  }
}

/** Highest sequence seen per sender; a datagram is fresh only if above it. */
export class ReplayGuard {
  private readonly last = new Map<string, bigint>();

  /** True (and remembered) if `sequence` is above every one seen from `sender`; false = replay. */
  accept(sender: string, sequence: bigint): boolean {
    const prev = this.last.get(sender);
    if (prev !== undefined && sequence <= prev) return false;
    this.last.set(sender, sequence);
    return true;
  }
}
