// pivsadm --links: one line per link in order of preference, then the failover summary.
import type { LinksResult } from '../control/protocol';

export function formatLinks(r: LinksResult | null): string {
  if (r === null) return 'Link redundancy is not configured (director.links); pivsd runs on one interface.\n';
  const width = Math.max(9, ...r.links.map((l) => l.interface.length)) + 2;
  const lines = [`${'Interface'.padEnd(width)}${'Carrier'.padEnd(9)}${'Role'.padEnd(8)}Changes`];
  for (const l of r.links) {
    lines.push(`${l.interface.padEnd(width)}${(l.up ? 'up' : 'down').padEnd(9)}${(l.active ? 'active' : 'backup').padEnd(8)}${l.changes}`);
  }
  lines.push(`Active: ${r.active ?? 'none (every link is down: VRRP FAULT)'}  Failovers: ${r.failovers}  `
    + `Hold-down: ${r.holdDownMs} ms  Last change: ${r.lastChange ?? 'never'}`);
  return `${lines.join('\n')}\n`;
}
