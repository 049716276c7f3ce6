// The `snmp:` section of the config model (docs/snmp.md).

/** An SNMPv3 USM user; pivs serves authPriv only (SHA authentication, AES privacy). */
export interface SnmpUser {
  name: string;
  authProtocol: 'sha';
  authKey: string;
  privProtocol: 'aes';
  privKey: string;
}

/** A notification receiver: v2c traps with a community, or v3 informs as one of `users`. */
export interface SnmpTrapTarget {
  host: string;
  port: number;
  community?: string;
  user?: string;
}

export interface SnmpSettings {
  /** Run as an AgentX subagent of the snmpd listening on this socket. */
  agentx?: { socket: string };
  /** Answer SNMP directly on this UDP address. */
  listen?: { host: string; port: number };
  /** v2c read-only community of the standalone agent; absent: v2c is refused. */
  community?: string;
  users: SnmpUser[];
  trapTargets: SnmpTrapTarget[];
}

export const DEFAULT_AGENTX_SOCKET = '/var/agentx/master';
export const DEFAULT_TRAP_PORT = 162;
