// -L output, line for line as ipvsadm's list_all / list_service / print_service_entry print it
// (including the trailing blanks its %-10u columns leave).
import type { ListResult, RealServerState, VirtualServiceState } from '../control/protocol';
import type { ListFormat } from './action';
import {
  RATE_TITLE, STATS_TITLE, realRateLine, realStatsLine, serviceRateLine, serviceStatsLine,
} from './format_stats';
import { nonDefaultMask, realLabel, serviceLabel, sortedReals, sortedServices } from './labels';
import type { Names } from './names';

const FORWARD_NAME = { dr: 'Route' } as const;

function title(format: ListFormat): string {
  if (format.stats) return STATS_TITLE;
  if (format.rate) return RATE_TITLE;
  const remote = '  -> RemoteAddress:Port\n';
  if (format.thresholds) {
    return `${'Prot LocalAddress:Port'.padEnd(33)} ${['Uthreshold', 'Lthreshold', 'ActiveConn', 'InActConn']
      .map((h) => h.padEnd(10)).join(' ')}\n${remote}`;
  }
  if (format.persistentConn) {
    return `${'Prot LocalAddress:Port'.padEnd(33)} ${'Weight'.padEnd(9)} ${'PersistConn'.padEnd(11)} `
      + `${'ActiveConn'.padEnd(10)} ${'InActConn'.padEnd(10)}\n${remote}`;
  }
  if (format.tunInfo) {
    return 'Prot LocalAddress:Port Scheduler Flags\n'
      + '  -> RemoteAddress:Port           Forward TunnelInfo    Weight ActiveConn InActConn\n';
  }
  return 'Prot LocalAddress:Port Scheduler Flags\n'
    + '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n';
}

function serviceLine(vs: VirtualServiceState, names: Names): string {
  let line = `${serviceLabel(vs, names)} ${vs.scheduler}`;
  if (vs.schedFlags.length > 0) line += ` (${vs.schedFlags.join(',')})`;
  if (vs.persistence) {
    line += ` persistent ${vs.persistence.timeout}`;
    const mask = nonDefaultMask(vs);
    if (mask !== undefined) line += ` mask ${mask}`;
  }
  return line;
}

function realLine(real: RealServerState, vs: VirtualServiceState, format: ListFormat, names: Names): string {
  const dest = `  -> ${realLabel(real, vs.protocol, names).padEnd(28)}`;
  const col = (v: number, width: number): string => String(v).padEnd(width);
  if (format.thresholds) {
    return `${dest} ${[real.upperThreshold, real.lowerThreshold, real.activeConns, real.inactiveConns]
      .map((v) => col(v, 10)).join(' ')}`;
  }
  if (format.persistentConn) {
    return `${dest} ${col(real.weight, 9)} ${col(real.persistentConns, 11)} ${col(real.activeConns, 10)} `
      + `${col(real.inactiveConns, 10)}`;
  }
  const forward = FORWARD_NAME[real.forward].padEnd(7);
  const tunnel = format.tunInfo ? ` ${'n/a'.padEnd(13)}` : '';
  return `${dest} ${forward}${tunnel} ${col(real.weight, 6)} ${col(real.activeConns, 10)} ${col(real.inactiveConns, 10)}`;
}

/** One service and its real servers, without the title. */
function serviceBlock(vs: VirtualServiceState, format: ListFormat, names: Names): string[] {
  const exact = format.exact;
  const lines: string[] = [];
  if (format.stats) lines.push(serviceStatsLine(vs, names, exact));
  else if (format.rate) lines.push(serviceRateLine(vs, names, exact));
  else lines.push(serviceLine(vs, names));
  // A removed real server is not in the dataplane's table, as it would not be in the kernel's.
  const running = vs.realServers.filter((r) => r.removed !== true);
  for (const real of sortedReals(running, format.nosort)) {
    if (format.stats) lines.push(realStatsLine(real, vs, names, exact));
    else if (format.rate) lines.push(realRateLine(real, vs, names, exact));
    else lines.push(realLine(real, vs, format, names));
  }
  return lines;
}

/** ipvsadm -L: the version header, the title, every service. */
export function formatList(list: ListResult, format: ListFormat, names: Names): string {
  const header = `IP Virtual Server version ${list.ipvsVersion} (size=${list.connTableSize})\n`;
  const body = sortedServices(list.virtualServices, format.nosort).flatMap((vs) => serviceBlock(vs, format, names));
  return header + title(format) + body.map((l) => `${l}\n`).join('');
}

/** ipvsadm -L -t ADDRESS:PORT: no version header, the title, that one service. */
export function formatService(vs: VirtualServiceState, format: ListFormat, names: Names): string {
  return title(format) + serviceBlock(vs, format, names).map((l) => `${l}\n`).join('');
}
