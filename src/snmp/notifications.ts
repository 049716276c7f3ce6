// Which notifications a change between two snapshots calls for. Pure: the sender decides where
// they go. Only transitions notify, never a steady state.
import { PIVS, VRRPV3 } from './oids';
import { linkColumns, realServerColumns } from './pivs_mib';
import type { Snapshot } from './snapshot';
import type { Value } from './values';
import { masterIpAddrValue, newMasterReasonValue } from './vrrpv3_mib';

export interface Notification {
  /** snmpTrapOID value. */
  oid: string;
  values: Value[];
}

/** Column numbers of pivsRealServerEntry that pivsRealServerUp/Down carry (AddrType, Addr, Port, Health). */
const REAL_NOTIFY_COLUMNS = [2, 3, 4, 7];
/** Column numbers of pivsLinkEntry that pivsLinkFailover carries (Name, Interface, State, Active). */
const LINK_NOTIFY_COLUMNS = [2, 3, 4, 5];

export function notificationsBetween(prev: Snapshot, next: Snapshot): Notification[] {
  const out: Notification[] = [];

  // vrrpv3NewMaster: "the sending agent has transitioned to Master state" (RFC 6527).
  const prevVrrp = new Map(prev.vrrp.map((i) => [i.name, i]));
  for (const i of next.vrrp) {
    const before = prevVrrp.get(i.name);
    if (i.state === 'master' && before !== undefined && before.state !== 'master') {
      out.push({ oid: VRRPV3.newMaster, values: [masterIpAddrValue(i), newMasterReasonValue(i)] });
    }
  }

  // Real servers: down from any other state, up only as a recovery from down (a first verdict
  // of up after start is not news).
  const prevReals = new Map(prev.reals.map((r) => [`${r.serviceIndex}.${r.index}`, r]));
  for (const r of next.reals) {
    const before = prevReals.get(`${r.serviceIndex}.${r.index}`);
    if (before === undefined || before.health === r.health) continue;
    const oid = r.health === 'down' ? PIVS.realServerDown
      : r.health === 'up' && before.health === 'down' ? PIVS.realServerUp : null;
    if (oid === null) continue;
    out.push({ oid, values: pick(realServerColumns(r), PIVS.realServerEntry, REAL_NOTIFY_COLUMNS) });
  }

  // Links: the active link changed.
  const prevActive = prev.links.find((l) => l.active);
  const nextActive = next.links.find((l) => l.active);
  if (nextActive !== undefined && prevActive !== undefined && prevActive.name !== nextActive.name) {
    out.push({ oid: PIVS.linkFailover, values: pick(linkColumns(nextActive), PIVS.linkEntry, LINK_NOTIFY_COLUMNS) });
  }
  return out;
}

function pick(values: Value[], entry: string, columns: number[]): Value[] {
  return columns.map((c) => {
    const v = values.find((x) => x.oid.startsWith(`${entry}.${c}.`));
    if (v === undefined) throw new Error(`column ${c} of ${entry} missing`);
    return v;
  });
}
