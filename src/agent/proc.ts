// What pivs-agent reads from /proc, as pure functions over the file text (tests feed fixtures).

/**
 * The node's BogoMIPS: the sum of every CPU's "bogomips" line (x86 spells it "bogomips", arm64
 * "BogoMIPS"), so a four-core node counts four times a one-core node of the same clock.
 * null when the kernel prints none (some architectures don't): the caller must then be given one.
 */
export function parseBogoMips(cpuinfo: string): number | null {
  let sum = 0;
  let found = false;
  for (const m of cpuinfo.matchAll(/^bogomips\s*:\s*([0-9]+(?:\.[0-9]+)?)\s*$/gim)) {
    sum += Number(m[1]);
    found = true;
  }
  return found ? Math.round(sum * 100) / 100 : null;
}

export interface MemInfo {
  memTotalKb: number;
  memFreeKb: number;
}

/** MemTotal and MemFree (kB) from /proc/meminfo; null when either line is missing. */
export function parseMemInfo(meminfo: string): MemInfo | null {
  const field = (name: string): number | null => {
    const m = new RegExp(`^${name}:\\s*([0-9]+)\\s*kB\\s*$`, 'm').exec(meminfo);
    return m === null ? null : Number(m[1]);
  };
  const memTotalKb = field('MemTotal');
  const memFreeKb = field('MemFree');
  return memTotalKb === null || memFreeKb === null ? null : { memTotalKb, memFreeKb };
}

/**
 * The HAS load index: BogoMIPS x MemFree_MB / RAM_MB, RAM_MB being the RAM of the cluster's
 * smallest node so that every node's index is on one scale. Higher = more spare capacity.
 */
export function loadIndex(bogoMips: number, memFreeKb: number, ramMb: number): number {
  if (!(ramMb > 0)) throw new RangeError(`ramMb must be above 0, not ${ramMb}.`);
  return (bogoMips * (memFreeKb / 1024)) / ramMb;
}
