// VRRP interop with keepalived (Debian's package) on one LAN: pivsd on `director`, keepalived on
// `director2`, same VRID. The higher priority wins in either direction, the other takes over when
// the master is killed, and neither side ever complains about what the other sends.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sleep, waitFor } from '../../src/lab/exec';
import { startPivsd, startRealServers, type Pivsd } from '../../src/lab/pivsd';
import { Topology } from '../../src/lab/topology';
import {
  keepalivedProtocolErrors, pivsdProtocolErrors, startKeepalivedPeer, stateScript, states, waitState, writePivsdConfig,
  type VrrpSide,
} from '../vrrp/peers';

const VRID = 42;
const VMAC = '00:00:5e:00:01:2a';

function scenarios(version: 2 | 3, advertInt: number, authPass?: string): void {
  describe(`VRRPv${version} (advertInt ${advertInt} s) with keepalived`, { timeout: 180_000 }, () => {
    let t: Topology | undefined;
    const running: Pivsd[] = [];
    before(async () => {
      t = await Topology.create({ kind: 't', directors: 2, realServers: 1 });
      await startRealServers(t);
    });
    after(async () => {
      for (const p of running) await p.stop();
      await t?.teardown();
    });
    const lab = (): Topology => {
      if (t === undefined) throw new Error('The lab was not built (see the before hook\'s error).');
      return t;
    };
    const side = (priority: number): VrrpSide => ({ virtualRouterId: VRID, priority, advertInt, version, authPass });
    // Long enough for several adverts to go back and forth after a state is reached.
    const settle = () => sleep(Math.max(4 * advertInt * 1000, 500));

    it('pivsd (priority 150) becomes MASTER, keepalived (100) BACKUP; a client reaches the VIP at the virtual MAC; kill pivsd and keepalived takes over', async () => {
      const t = lab();
      const pivsdState = stateScript(t, `pivsd-a-v${version}`);
      const pivsd = await startPivsd(t, { configFile: writePivsdConfig(t, side(150), pivsdState.script, `pivsd-a-v${version}`), tag: `pivsd-a-v${version}` });
      running.push(pivsd);
      await waitState(pivsdState.file, 'MASTER', 'pivsd');
      const { k, stateFile } = await startKeepalivedPeer(t, t.director2!, side(100), `ka-a-v${version}`);
      await waitState(stateFile, 'BACKUP', 'keepalived');
      await settle();
      assert.deepEqual(states(stateFile), ['BACKUP'], `keepalived log:\n${k.log()}`);
      assert.deepEqual(states(pivsdState.file), ['BACKUP', 'MASTER']);

      await pivsd.waitReady();
      const body = await t.exec(t.client, 'curl', ['-sS', '--max-time', '5', `http://${t.vip}/`]);
      assert.equal(body.trim(), 'rs1');
      const neigh = await t.exec(t.client, 'ip', ['-j', 'neigh', 'show', t.vip, 'dev', 'eth0']);
      const entries = JSON.parse(neigh) as Array<{ lladdr?: string }>;
      assert.equal(entries[0]?.lladdr, VMAC);

      pivsd.child.kill('SIGKILL');
      await waitState(stateFile, 'MASTER', 'keepalived');
      assert.deepEqual(keepalivedProtocolErrors(k.log()), []);
      assert.deepEqual(pivsdProtocolErrors(pivsd.log()), []);
      k.kill();
      await waitFor('keepalived to exit', async () => (k.child.exitCode !== null || k.child.signalCode !== null ? true : undefined), 50, 100);
    });

    it('keepalived (priority 150) stays MASTER over pivsd (100); kill keepalived and pivsd takes over', async () => {
      const t = lab();
      const { k, stateFile } = await startKeepalivedPeer(t, t.director2!, side(150), `ka-b-v${version}`);
      await waitState(stateFile, 'MASTER', 'keepalived');
      const pivsdState = stateScript(t, `pivsd-b-v${version}`);
      const pivsd = await startPivsd(t, { configFile: writePivsdConfig(t, side(100), pivsdState.script, `pivsd-b-v${version}`), tag: `pivsd-b-v${version}` });
      running.push(pivsd);
      await waitState(pivsdState.file, 'BACKUP', 'pivsd');
      await settle();
      assert.deepEqual(states(pivsdState.file), ['BACKUP']);
      assert.deepEqual(states(stateFile), ['BACKUP', 'MASTER']);

      k.kill();
      await waitState(pivsdState.file, 'MASTER', 'pivsd');
      assert.deepEqual(keepalivedProtocolErrors(k.log()), []);
      assert.deepEqual(pivsdProtocolErrors(pivsd.log()), []);

      // A graceful stop hands over at once (priority 0) to a keepalived started again meanwhile.
      const again = await startKeepalivedPeer(t, t.director2!, side(100), `ka-c-v${version}`);
      await waitState(again.stateFile, 'BACKUP', 'keepalived');
      await settle();
      await pivsd.stop();
      await waitState(again.stateFile, 'MASTER', 'keepalived');
      assert.deepEqual(states(pivsdState.file).slice(-1), ['STOP']);
      assert.deepEqual(keepalivedProtocolErrors(again.k.log()), []);
      again.k.kill();
    });
  });
}

scenarios(2, 1, 'pivs');
scenarios(3, 0.1);
