// -L --stats and -L --rate rows, in ipvsadm's columns (print_largenum: 9 wide, K/M/G/T unless --exact).
import type { RealServerState, VirtualServiceState } from '../control/protocol';
import type { Names } from './names';
import { realLabel, serviceLabel } from './labels';

export const STATS_TITLE = `${'Prot LocalAddress:Port'.padEnd(33)} ${['Conns', 'InPkts', 'OutPkts', 'InBytes', 'OutBytes']
  .map((h) => h.padStart(8)).join(' ')}\n  -> RemoteAddress:Port\n`;
export const RATE_TITLE = `${'Prot LocalAddress:Port'.padEnd(33)} ${['CPS', 'InPPS', 'OutPPS', 'InBPS', 'OutBPS']
  .map((h) => h.padStart(8)).join(' ')}\n  -> RemoteAddress:Port\n`;

const UNITS: Array<[limit: number, divisor: number, suffix: string]> = [
  [1e9, 1e3, 'K'],
  [1e11, 1e6, 'M'],
  [1e14, 1e9, 'G'],
];

/** One counter column: 9 characters wide (wider with --exact when the number needs it). */
export function largeNumber(value: number, exact: boolean): string {
  const n = Math.max(0, Math.floor(value));
  const digits = String(n);
  if (exact) return digits.padStart(digits.length <= 8 ? 9 : digits.length + 1);
  if (n < 1e8) return digits.padStart(9);
  for (const [limit, divisor, suffix] of UNITS) {
    if (n < limit) return `${String(Math.floor(n / divisor)).padStart(8)}${suffix}`;
  }
  return `${String(Math.floor(n / 1e12)).padStart(8)}T`;
}

export function serviceStatsLine(vs: VirtualServiceState, names: Names, exact: boolean): string {
  const s = vs.stats;
  return serviceLabel(vs, names).padEnd(33)
    + [s.conns, s.inPackets, s.outPackets, s.inBytes, s.outBytes].map((v) => largeNumber(v, exact)).join('');
}

export function realStatsLine(real: RealServerState, vs: VirtualServiceState, names: Names, exact: boolean): string {
  const s = real.stats;
  return `  -> ${realLabel(real, vs.protocol, names).padEnd(28)}`
    + [s.conns, s.inPackets, s.outPackets, s.inBytes, s.outBytes].map((v) => largeNumber(v, exact)).join('');
}

export function serviceRateLine(vs: VirtualServiceState, names: Names, exact: boolean): string {
  const r = vs.rates;
  return serviceLabel(vs, names).padEnd(33)
    + [r.cps, r.inPps, r.outPps, r.inBps, r.outBps].map((v) => largeNumber(Math.round(v), exact)).join('');
}

/** ipvsadm prints a real server's CPS and packet rates unabbreviated, its byte rates abbreviated. */
export function realRateLine(real: RealServerState, vs: VirtualServiceState, names: Names, exact: boolean): string {
  const r = real.rates;
  return `  -> ${realLabel(real, vs.protocol, names).padEnd(28)}`
    + [r.cps, r.inPps, r.outPps].map((v) => ` ${String(Math.round(v)).padStart(8)}`).join('')
    + [r.inBps, r.outBps].map((v) => largeNumber(Math.round(v), exact)).join('');
}
