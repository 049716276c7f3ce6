// PIVS-MIB (docs/PIVS-MIB.txt) as values. Column numbers are those of the MIB file.
import { DROP_REASONS } from '../dataplane/types';
import { PIVS } from './oids';
import type { RealRow, Snapshot } from './snapshot';
import {
  counter32, counter64, gauge, inetAddressBytes, inetAddressType, integer, octets, sortValues, type Value,
} from './values';

const PROTOCOL = { tcp: 6, udp: 17 } as const;
export const HEALTH_VALUE = { up: 1, down: 2, unknown: 3 } as const;

export function pivsValues(s: Snapshot): Value[] {
  const v: Value[] = [];
  const g = PIVS.general;
  v.push(octets(`${g}.1.0`, s.version), gauge(`${g}.2.0`, s.services.length), gauge(`${g}.3.0`, s.connTableSize));

  const e = PIVS.virtualServiceEntry;
  for (const r of s.services) {
    const i = r.index;
    v.push(
      integer(`${e}.2.${i}`, PROTOCOL[r.protocol]),
      integer(`${e}.3.${i}`, inetAddressType(r.address)),
      octets(`${e}.4.${i}`, inetAddressBytes(r.address)),
      gauge(`${e}.5.${i}`, r.port),
      octets(`${e}.6.${i}`, r.scheduler),
      gauge(`${e}.7.${i}`, r.persistence),
      counter64(`${e}.8.${i}`, r.stats.conns),
      counter64(`${e}.9.${i}`, r.stats.inPackets),
      counter64(`${e}.10.${i}`, r.stats.inBytes),
      counter64(`${e}.11.${i}`, r.stats.outPackets),
      counter64(`${e}.12.${i}`, r.stats.outBytes),
      gauge(`${e}.13.${i}`, r.rates.cps),
      gauge(`${e}.14.${i}`, r.rates.inPps),
      gauge(`${e}.15.${i}`, r.rates.inBps),
      gauge(`${e}.16.${i}`, r.realServerCount),
    );
  }

  for (const r of s.reals) v.push(...realServerColumns(r));

  const sy = PIVS.sync;
  v.push(
    counter64(`${sy}.1.0`, s.sync.sentMessages),
    counter64(`${sy}.2.0`, s.sync.sentConnections),
    counter64(`${sy}.3.0`, s.sync.receivedMessages),
    counter64(`${sy}.4.0`, s.sync.receivedConnections),
    counter64(`${sy}.5.0`, s.sync.errors),
    gauge(`${sy}.6.0`, s.sync.peers),
  );

  for (const l of s.links) v.push(...linkColumns(l));

  const h = PIVS.health;
  const count = (state: RealRow['health']) => s.reals.filter((r) => r.health === state).length;
  v.push(gauge(`${h}.1.0`, count('up')), gauge(`${h}.2.0`, count('down')), gauge(`${h}.3.0`, count('unknown')));

  // Rows in DROP_REASONS order, numbered from 1; the order only ever grows at its end.
  const d = PIVS.dropEntry;
  DROP_REASONS.forEach((reason, n) => {
    v.push(octets(`${d}.2.${n + 1}`, reason), counter64(`${d}.3.${n + 1}`, s.drops[reason]));
  });
  return sortValues(v);
}

/** Every column of one real-server row; notifications pick theirs from here too. */
export function realServerColumns(r: RealRow): Value[] {
  const e = PIVS.realServerEntry;
  const i = `${r.serviceIndex}.${r.index}`;
  return [
    integer(`${e}.2.${i}`, inetAddressType(r.address)),
    octets(`${e}.3.${i}`, inetAddressBytes(r.address)),
    gauge(`${e}.4.${i}`, r.port),
    gauge(`${e}.5.${i}`, r.weight),
    gauge(`${e}.6.${i}`, r.effectiveWeight),
    integer(`${e}.7.${i}`, HEALTH_VALUE[r.health]),
    gauge(`${e}.8.${i}`, r.activeConns),
    gauge(`${e}.9.${i}`, r.inactiveConns),
    gauge(`${e}.10.${i}`, r.persistentConns),
    counter64(`${e}.11.${i}`, r.stats.conns),
    counter64(`${e}.12.${i}`, r.stats.inPackets),
    counter64(`${e}.13.${i}`, r.stats.inBytes),
    gauge(`${e}.14.${i}`, r.rates.cps),
    gauge(`${e}.15.${i}`, r.rates.inPps),
    gauge(`${e}.16.${i}`, r.rates.inBps),
    gauge(`${e}.17.${i}`, r.agentLoad),
  ];
}

export function linkColumns(l: Snapshot['links'][number]): Value[] {
  const e = PIVS.linkEntry;
  const i = l.index;
  return [
    octets(`${e}.2.${i}`, l.name),
    octets(`${e}.3.${i}`, l.interface),
    integer(`${e}.4.${i}`, l.up ? 1 : 2),
    integer(`${e}.5.${i}`, l.active ? 1 : 2),
    counter32(`${e}.6.${i}`, l.failovers),
  ];
}
