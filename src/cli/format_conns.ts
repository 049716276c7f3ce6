// -L -c and -L --timeout, as ipvsadm's list_conn / print_conn / list_timeout print them.
import type { Timeouts } from '../config/model';
import type { ConnectionEntry } from '../dataplane/types';
import type { ListFormat } from './action';
import { formatAddressPort } from './address';
import type { Names } from './names';

function expireText(ms: number): string {
  // The kernel reports whole seconds left, truncated.
  const seconds = Math.max(0, Math.floor(ms / 1000));
  const mm = String(Math.floor(seconds / 60)).padStart(2, '0');
  const ss = String(seconds % 60).padStart(2, '0');
  return `${mm}:${ss}`;
}

export function formatConnections(entries: readonly ConnectionEntry[], format: ListFormat, names: Names): string {
  return formatConnectionsTitle(format) + formatConnectionRows(entries, names);
}

/** The two title lines of -L -c; the rows follow, a page at a time (formatConnectionRows). */
export function formatConnectionsTitle(format: ListFormat): string {
  const header = format.persistentConn
    ? `pro expire ${'state'.padEnd(11)} ${'source'.padEnd(18)} ${'virtual'.padEnd(18)} ${'destination'.padEnd(18)} `
      + `${'pe name'.padEnd(16)} pe_data`
    : `pro expire ${'state'.padEnd(11)} ${'source'.padEnd(18)} ${'virtual'.padEnd(18)} destination`;
  return `IPVS connection entries\n${header}\n`;
}

export function formatConnectionRows(entries: readonly ConnectionEntry[], names: Names): string {
  // pivs has no persistence engines, so no row carries pe columns (ipvsadm prints them only when set).
  return entries.map((e) => `${[
    e.protocol.toUpperCase().padEnd(3),
    expireText(e.expiresMs).padEnd(6),
    e.state.padEnd(11),
    formatAddressPort(e.clientAddress, e.clientPort, e.protocol, names).padEnd(18),
    formatAddressPort(e.virtualAddress, e.virtualPort, e.protocol, names).padEnd(18),
    formatAddressPort(e.realAddress, e.realPort, e.protocol, names),
  ].join(' ')}\n`).join('');
}

export function formatTimeouts(t: Timeouts): string {
  return `Timeout (tcp tcpfin udp): ${t.tcp} ${t.tcpfin} ${t.udp}\n`;
}
