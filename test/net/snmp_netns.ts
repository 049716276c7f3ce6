// snmpd and snmptrapd inside a lab namespace, for the SNMP tests against real pivsd directors:
// the same foreground daemons as test/snmp/tools.ts, started through `ip netns exec` (which execs
// the daemon, so the child's pid is the daemon's and stop() signals the daemon itself).
import { join } from 'node:path';
import { Daemon } from '../snmp/tools';

/** snmpd as AgentX master in `ns`: UDP on 127.0.0.1:port there, the AgentX socket in its temp dir. */
export function startMasterAgentIn(ns: string, port: number, community: string): Daemon {
  return Daemon.start('ip', () => ['netns', 'exec', ns, 'snmpd', '-f', '-C', '-c', 'CONF', '-Lf', 'LOG', `udp:127.0.0.1:${port}`],
    (dir) => [
      'master agentx',
      `agentXSocket ${agentxSocketOf(dir)}`,
      `rocommunity ${community} 127.0.0.1`,
    ].join('\n') + '\n', 'pivs-snmpd-');
}

export function agentxSocketOf(dir: string): string {
  return join(dir, 'agentx.sock');
}

/** snmptrapd (v2c, accepting everything) in `ns` on address:port; one line per notification, sender first. */
export function startTrapReceiverIn(ns: string, address: string, port: number): Daemon {
  return Daemon.start('ip', () => ['netns', 'exec', ns, 'snmptrapd', '-f', '-C', '-c', 'CONF', '-Lf', 'LOG', '-On', '-Ox', `udp:${address}:${port}`],
    () => [
      'disableAuthorization yes',
      'format2 TRAP %b %v\\n',
    ].join('\n') + '\n', 'pivs-snmptrapd-');
}
