// VRRPv3-MIB (RFC 6527) as values, read-only: pivs takes its VRRP settings from its config file,
// so the read-create columns are served but not writable.
import { VRRPV3 } from './oids';
import type { Snapshot } from './snapshot';
import type { NewMasterReason, VrrpInstanceView } from './sources';
import {
  counter32, counter64, gauge, inetAddressBytes, inetAddressIndex, inetAddressType, integer, octets,
  sortValues, timeticks, type Value,
} from './values';

const STATUS = { initialize: 1, backup: 2, master: 3 } as const;
export const NEW_MASTER_REASON: Record<NewMasterReason, number> = {
  notMaster: 0, priority: 1, preempted: 2, masterNoResponse: 3,
};
const ROW_ACTIVE = 1;
const TRUE = 1;
const FALSE = 2;
/** vrrpv3StatisticsRefreshRate: how old (ms) a served value can be, the agent's cache time. */
export const REFRESH_RATE_MS = 1000;

/** The table index: ifIndex, VRID, InetAddressType. */
export function vrrpIndex(i: VrrpInstanceView): string {
  return `${i.ifIndex}.${i.virtualRouterId}.${i.family === 'ipv4' ? 1 : 2}`;
}

/** RFC 5798 section 7.3: 00-00-5E-00-01-{VRID} for IPv4, 00-00-5E-00-02-{VRID} for IPv6. */
export function virtualMac(i: VrrpInstanceView): Buffer {
  return Buffer.from([0x00, 0x00, 0x5e, 0x00, i.family === 'ipv4' ? 1 : 2, i.virtualRouterId]);
}

/** sysUpTime (centiseconds since startMs) at the moment the instance left Initialize; 0 while in it. */
export function upTime(i: VrrpInstanceView, startMs: number): number {
  if (i.upSinceMs === null || i.state === 'initialize') return 0;
  return Math.max(0, Math.floor((i.upSinceMs - startMs) / 10));
}

export function masterIpAddrValue(i: VrrpInstanceView): Value {
  return octets(`${VRRPV3.operationsEntry}.3.${vrrpIndex(i)}`, inetAddressBytes(i.masterAddress));
}

export function newMasterReasonValue(i: VrrpInstanceView): Value {
  return integer(`${VRRPV3.statisticsEntry}.2.${vrrpIndex(i)}`, NEW_MASTER_REASON[i.newMasterReason]);
}

export function vrrpv3Values(s: Snapshot, startMs: number): Value[] {
  const v: Value[] = [];
  const op = VRRPV3.operationsEntry;
  const st = VRRPV3.statisticsEntry;
  for (const i of s.vrrp) {
    const x = vrrpIndex(i);
    v.push(
      masterIpAddrValue(i),
      octets(`${op}.4.${x}`, inetAddressBytes(i.primaryAddress)),
      octets(`${op}.5.${x}`, virtualMac(i)),
      integer(`${op}.6.${x}`, STATUS[i.state]),
      gauge(`${op}.7.${x}`, i.priority),
      integer(`${op}.8.${x}`, i.virtualAddresses.length),
      integer(`${op}.9.${x}`, i.advertIntCs),
      integer(`${op}.10.${x}`, i.preempt ? TRUE : FALSE),
      integer(`${op}.11.${x}`, i.acceptMode ? TRUE : FALSE),
      timeticks(`${op}.12.${x}`, upTime(i, startMs)),
      integer(`${op}.13.${x}`, ROW_ACTIVE),
    );
    for (const address of i.virtualAddresses) {
      if (inetAddressType(address) === 0) continue;
      v.push(integer(`${VRRPV3.associatedIpAddrEntry}.2.${x}.${inetAddressIndex(address)}`, ROW_ACTIVE));
    }
    const n = i.stats;
    v.push(
      counter32(`${st}.1.${x}`, n?.masterTransitions ?? 0),
      newMasterReasonValue(i),
      counter64(`${st}.3.${x}`, n?.rcvdAdvertisements ?? 0),
      counter64(`${st}.4.${x}`, n?.advIntervalErrors ?? 0),
      counter64(`${st}.5.${x}`, n?.ipTtlErrors ?? 0),
      integer(`${st}.6.${x}`, 0),
      counter64(`${st}.7.${x}`, n?.rcvdPriZeroPackets ?? 0),
      counter64(`${st}.8.${x}`, n?.sentPriZeroPackets ?? 0),
      counter64(`${st}.9.${x}`, n?.rcvdInvalidTypePackets ?? 0),
      counter64(`${st}.10.${x}`, n?.addressListErrors ?? 0),
      counter64(`${st}.11.${x}`, n?.packetLengthErrors ?? 0),
      timeticks(`${st}.12.${x}`, 0),
      gauge(`${st}.13.${x}`, REFRESH_RATE_MS),
    );
  }
  const g = VRRPV3.statistics;
  v.push(
    counter64(`${g}.1.0`, s.vrrpGlobal.checksumErrors),
    counter64(`${g}.2.0`, s.vrrpGlobal.versionErrors),
    counter64(`${g}.3.0`, s.vrrpGlobal.vrIdErrors),
    timeticks(`${g}.4.0`, 0),
  );
  return sortValues(v);
}
