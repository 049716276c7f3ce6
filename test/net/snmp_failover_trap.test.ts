// Two pivsd directors with VRRPv3 (advert every 100 ms), each sending v2c traps to a snmptrapd on
// the client's LAN address. When the master pivsd is killed with -9, the receiver gets
// vrrpv3NewMaster from the backup, naming the backup as the new master (masterNoResponse).
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { HaLab, directorConfig, type Side } from '../support/ha';
import { startPivsd, type Pivsd } from '../../src/lab/pivsd';
import { VRRPV3_MIB } from '../../src/snmp/oids';
import { waitForTrap, type Daemon } from '../snmp/tools';
import { startTrapReceiverIn } from './snmp_netns';

const COMMUNITY = 'lab-traps';
// The receiver's port in the client's fresh namespace, where nothing else listens.
const TRAP_PORT = 10162;
const NEW_MASTER = `OID: .${VRRPV3_MIB}.0.1`;
const MASTER_NO_RESPONSE = 3;

function hexAddress(address: string): string {
  return `Hex-STRING: ${address.split('.').map((b) => Number(b).toString(16).toUpperCase().padStart(2, '0')).join(' ')}`;
}

/** The parts of a receiver line saying `address` sent vrrpv3NewMaster naming itself master. */
function newMasterFrom(address: string): string[] {
  // The sender is printed as "UDP: [address]:port->[receiver]:port"; the index is ifIndex.VRID.1.
  return [`[${address}]:`, NEW_MASTER, `.${VRRPV3_MIB}.1.1.1.1.3.`, `.1 = ${hexAddress(address)}`];
}

describe('SNMP notification on a failover between two pivsd directors', { timeout: 180_000 }, () => {
  let lab: HaLab | undefined;
  let receiver: Daemon | undefined;
  const running: Partial<Record<Side, Pivsd>> = {};
  const get = (): HaLab => {
    if (lab === undefined) throw new Error('The HA lab was not built (see the before hook\'s error).');
    return lab;
  };

  /** Starts one director with the lab's HA config plus trap targets pointing at the receiver. */
  const start = async (l: HaLab, side: Side): Promise<Pivsd> => {
    const t = l.t;
    const self = l.host(side);
    const config = {
      ...directorConfig(t, self, l.host(l.other(side)), l.priority(side), l.settings),
      snmp: {
        // A standalone agent on loopback only, so the section is complete; the traps are what count here.
        listen: '127.0.0.1:1161',
        community: COMMUNITY,
        trapTargets: [{ address: `${t.client.address}:${TRAP_PORT}`, community: COMMUNITY }],
      },
    };
    const configFile = join(t.runDir, `director-${side}-snmp.yaml`);
    writeFileSync(configFile, stringify(config));
    const p = await startPivsd(t, { host: self, configFile, tag: `pivsd-snmp-${side}` });
    running[side] = p;
    return p;
  };

  const logs = (): string => Object.entries(running).map(([s, p]) => `--- pivsd ${s}:\n${p.log().slice(-2000)}`).join('\n')
    + `\n--- snmptrapd:\n${receiver?.log() ?? ''}`;

  before(async () => {
    lab = await HaLab.create('t');
    receiver = startTrapReceiverIn(lab.t.client.ns, lab.t.client.address, TRAP_PORT);
    await start(lab, 'a');
    await lab.waitMaster('a');
    await start(lab, 'b');
    await running.a!.waitReady();
    await running.b!.waitReady();
    await lab.waitMaster('a');
  });
  after(async () => {
    for (const p of Object.values(running)) if (p.alive()) await p.stop();
    await receiver?.stop();
    await lab?.teardown();
  });

  it('the backup sends vrrpv3NewMaster with its own address when the master is killed', async (ctx) => {
    const l = get();
    const a = l.host('a').address;
    const b = l.host('b').address;
    // A announced itself when it became master; B, a backup so far, announced nothing.
    await waitForTrap(receiver!, newMasterFrom(a)).catch((e: Error) => { throw new Error(`${e.message}\n${logs()}`); });
    const newMastersFrom = (address: string): string[] =>
      receiver!.log().split('\n').filter((line) => line.includes(`[${address}]:`) && line.includes(NEW_MASTER));
    assert.deepEqual(newMastersFrom(b), []);

    running.a!.child.kill('SIGKILL');
    await l.waitMaster('b');
    const line = await waitForTrap(receiver!, newMasterFrom(b)).catch((e: Error) => { throw new Error(`${e.message}\n${logs()}`); });
    assert.match(line, new RegExp(`\\.${VRRPV3_MIB.replace(/\./g, '\\.')}\\.1\\.2\\.5\\.1\\.2\\.\\d+\\.51\\.1 = INTEGER: ${MASTER_NO_RESPONSE}`));
    // One takeover, one notification.
    assert.equal(newMastersFrom(b).length, 1, newMastersFrom(b).join('\n'));
    ctx.diagnostic(line);
  });
});
