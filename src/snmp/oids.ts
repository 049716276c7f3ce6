// Where the two served modules sit in the OID tree.

/**
 * PIVS-MIB (docs/PIVS-MIB.txt): net-snmp's playpen arc (enterprises.8072.9999.9999) plus 7, a
 * placeholder until pivs has an IANA Private Enterprise Number (see docs/snmp.md).
 */
export const PIVS_MIB = '1.3.6.1.4.1.8072.9999.9999.7';
export const PIVS = {
  notifications: `${PIVS_MIB}.0`,
  general: `${PIVS_MIB}.1.1`,
  virtualServiceEntry: `${PIVS_MIB}.1.2.1`,
  realServerEntry: `${PIVS_MIB}.1.3.1`,
  sync: `${PIVS_MIB}.1.4`,
  linkEntry: `${PIVS_MIB}.1.5.1`,
  health: `${PIVS_MIB}.1.6`,
  dropEntry: `${PIVS_MIB}.1.7.1`,
  realServerUp: `${PIVS_MIB}.0.1`,
  realServerDown: `${PIVS_MIB}.0.2`,
  linkFailover: `${PIVS_MIB}.0.3`,
} as const;

/** VRRPv3-MIB, RFC 6527: vrrpv3MIB ::= { mib-2 207 }. */
export const VRRPV3_MIB = '1.3.6.1.2.1.207';
export const VRRPV3 = {
  operationsEntry: `${VRRPV3_MIB}.1.1.1.1`,
  associatedIpAddrEntry: `${VRRPV3_MIB}.1.1.2.1`,
  statistics: `${VRRPV3_MIB}.1.2`,
  statisticsEntry: `${VRRPV3_MIB}.1.2.5.1`,
  newMaster: `${VRRPV3_MIB}.0.1`,
} as const;

/** SNMPv2-MIB snmpTrapOID.0 and sysUpTime.0, the first two varbinds of every notification. */
export const SNMP_TRAP_OID = '1.3.6.1.6.3.1.1.4.1.0';
export const SYS_UPTIME = '1.3.6.1.2.1.1.3.0';
