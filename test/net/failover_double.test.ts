// The double failover, where peer-to-peer sync matters: A (master) dies, B takes over and new
// connections are created on B; A restarts, takes B's table (bulk resync) and the VIP back
// (preempt); then B dies too. Every stream, those opened on A and those opened on B, must arrive
// whole on A. With master-to-backup sync only, the streams born on B would be lost here.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Capture } from '../support/capture';
import { waitFor } from '../../src/lab/exec';
import { clientPorts, missingPorts, useHaLab } from '../support/ha';
import { StreamRun, damageText, lostConnections } from '../support/streams';

const CONNECTIONS = 10;

describe('failover: double failover', { timeout: 240_000 }, () => {
  const get = useHaLab();

  it('connections opened on A and on B all survive A dying, A returning and B dying', async () => {
    const l = get();
    const t = l.t;
    const ports = async (side: 'a' | 'b'): Promise<Set<number>> => clientPorts(await l.pivsd(side).admOk(['-L', '-c', '-n']), t.client.address, t.vip);
    const onA = StreamRun.start(t, { connections: CONNECTIONS, durationMs: 25_000 });
    let onB: StreamRun | undefined;
    let fromA: Capture | undefined;
    try {
      await onA.waitEstablished();
      await waitFor('B to learn the streams opened on A', async () => ((await ports('b')).size >= CONNECTIONS ? true : undefined), 30, 100);

      l.kill('a');
      await l.waitMaster('b');
      // A is dead: these can only be created by B.
      onB = StreamRun.start(t, { connections: CONNECTIONS, durationMs: 18_000 });
      await onB.waitEstablished();
      const all = await waitFor('B to list both sets of streams', async () => {
        const p = await ports('b');
        return p.size >= 2 * CONNECTIONS ? p : undefined;
      }, 30, 100);

      await l.start('a');
      await waitFor('A to resync B\'s table', async () => (missingPorts(all, await ports('a')).length === 0 ? true : undefined), 50, 100)
        .catch(() => undefined);
      assert.deepEqual(missingPorts(all, await ports('a')), [], `A lacks connections after its resync\n${l.logs()}`);
      await l.waitMaster('a');

      fromA = await Capture.start(t, l.host('a'), `tcp and ip dst ${t.vip}`);
      const killedB = l.kill('b');
      onA.mark(killedB);
      onB.mark(killedB);
      assert.ok(await fromA.firstAfter(killedB, 5000) !== null, `A forwarded nothing after B died\n${l.logs()}`);

      for (const [name, run] of [['opened on A', onA], ['opened on B', onB]] as const) {
        const r = await run.finished(60_000);
        assert.equal(lostConnections(r), 0, `streams ${name}: ${damageText(r)}\n${l.logs()}`);
        assert.ok(r.connections.every((c) => c.firstByteAfterMarkMs[0] !== null), `streams ${name} ended before B died`);
      }
    } finally {
      fromA?.stop();
      onA.stop();
      onB?.stop();
    }
  });
});
