// Sending notifications straight to the configured receivers: v2c traps with a community, v3
// informs (acknowledged, retried) as a configured USM user.
import * as snmp from 'net-snmp';
import type { Logger } from 'pino';
import type { SnmpTrapTarget, SnmpUser } from '../config/model';
import { usmUser } from './agent';
import type { Notification } from './notifications';
import { toVarbind } from './tree';

export function sendToTargets(n: Notification, targets: readonly SnmpTrapTarget[], users: readonly SnmpUser[], logger: Logger): void {
  const varbinds = n.values.map((v) => toVarbind(v, 'ber'));
  for (const t of targets) {
    const transport = t.host.includes(':') ? 'udp6' : 'udp4';
    const where = `${t.host}:${t.port}`;
    let session: snmp.Session;
    if (t.community !== undefined) {
      session = snmp.createSession(t.host, t.community, { version: snmp.Version2c, trapPort: t.port, transport });
    } else {
      const user = users.find((u) => u.name === t.user);
      if (user === undefined) continue; // validation makes this impossible
      session = snmp.createV3Session(t.host, usmUser(user), { trapPort: t.port, transport, timeout: 2000, retries: 2 });
    }
    session.on('error', (e) => logger.warn({ target: where, err: e.message }, 'snmp: notification not sent'));
    const done = (error: Error | null) => {
      if (error !== null) logger.warn({ target: where, notification: n.oid, err: error.message }, 'snmp: notification not delivered');
      session.close();
    };
    if (t.community !== undefined) session.trap(n.oid, varbinds, done);
    else session.inform(n.oid, varbinds, done);
  }
}
