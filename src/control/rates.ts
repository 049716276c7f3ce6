// Rate estimation the way IPVS's ip_vs_est.c does it, so pivsadm --rate shows what ipvsadm would:
// counters sampled every 2 s, each rate an exponentially weighted average (weight 1/4) kept in
// fixed point (conns and packets scaled by 2^10 per second, bytes by 2^5).
import type { Counters } from '../dataplane/types';
import type { Rates } from './protocol';

export const SAMPLE_INTERVAL_MS = 2000;

interface Estimate {
  last: Counters;
  cps: number;
  inpps: number;
  outpps: number;
  inbps: number;
  outbps: number;
}

export const NO_RATES: Rates = { cps: 0, inPps: 0, inBps: 0, outPps: 0, outBps: 0 };

/** Smoothed per-second rates for a set of counter sources named by string keys. */
export class RateEstimator {
  private readonly estimates = new Map<string, Estimate>();

  /**
   * One 2-second tick. Sources absent from `samples` are forgotten; a new source only records
   * its counters (IPVS starts an estimator at zero rate, from the current counters).
   */
  sample(samples: ReadonlyMap<string, Counters>): void {
    for (const key of [...this.estimates.keys()]) if (!samples.has(key)) this.estimates.delete(key);
    for (const [key, now] of samples) {
      const e = this.estimates.get(key);
      if (e === undefined || wentBackwards(e.last, now)) {
        this.estimates.set(key, { last: { ...now }, cps: 0, inpps: 0, outpps: 0, inbps: 0, outbps: 0 });
        continue;
      }
      // A 2 s difference shifted by 9 is the per-second rate shifted by 10; bytes: 4 and 5.
      e.cps = smooth(e.cps, (now.conns - e.last.conns) * 2 ** 9);
      e.inpps = smooth(e.inpps, (now.inPackets - e.last.inPackets) * 2 ** 9);
      e.outpps = smooth(e.outpps, (now.outPackets - e.last.outPackets) * 2 ** 9);
      e.inbps = smooth(e.inbps, (now.inBytes - e.last.inBytes) * 2 ** 4);
      e.outbps = smooth(e.outbps, (now.outBytes - e.last.outBytes) * 2 ** 4);
      e.last = { ...now };
    }
  }

  rates(key: string): Rates {
    const e = this.estimates.get(key);
    if (e === undefined) return { ...NO_RATES };
    // Rounded as ip_vs_read_estimator does.
    return {
      cps: Math.floor((e.cps + 0x1ff) / 2 ** 10),
      inPps: Math.floor((e.inpps + 0x1ff) / 2 ** 10),
      outPps: Math.floor((e.outpps + 0x1ff) / 2 ** 10),
      inBps: Math.floor((e.inbps + 0xf) / 2 ** 5),
      outBps: Math.floor((e.outbps + 0xf) / 2 ** 5),
    };
  }

  /** ipvsadm -Z also zeroes the estimates; the next sample restarts from the zeroed counters. */
  reset(keyPrefix?: string): void {
    for (const key of [...this.estimates.keys()]) {
      if (keyPrefix === undefined || key === keyPrefix || key.startsWith(`${keyPrefix}>`)) this.estimates.delete(key);
    }
  }
}

function smooth(avg: number, rate: number): number {
  // (rate - avg) >> 2 on a signed value: an arithmetic shift rounds toward minus infinity.
  return avg + Math.floor((rate - avg) / 4);
}

function wentBackwards(last: Counters, now: Counters): boolean {
  return now.conns < last.conns || now.inPackets < last.inPackets || now.inBytes < last.inBytes
    || now.outPackets < last.outPackets || now.outBytes < last.outBytes;
}
