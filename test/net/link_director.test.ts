// Ethernet redundancy on a director (docs/links.md): two LANs, the director on both. Cutting its
// primary link moves forwarding to the second at once, with no byte of the client's streams lost;
// the primary is taken back after the hold-down; a flapping link moves traffic once.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { LinksResult } from '../../src/control/protocol';
import { controlRequest } from '../../src/lab/control_client';
import { statusDocument } from '../../src/lab/pivsd';
import { run, waitFor } from '../../src/lab/exec';
import { StreamRun, damageText, lostConnections } from '../support/streams';
import { useLab } from '../support/testing';
import type { Topology } from '../../src/lab/topology';

const HOLD_DOWN_MS = 3000;

function links(socket: string): Promise<LinksResult> {
  return controlRequest(socket, { method: 'links' }) as Promise<LinksResult>;
}

async function setPort(t: Topology, up: boolean): Promise<void> {
  await run('ip', ['-n', t.switchNs, 'link', 'set', t.switchPort(t.director, 1), up ? 'up' : 'down']);
}

describe('director link redundancy', { timeout: 180_000 }, () => {
  const lab = useLab({
    realServers: 2,
    lans: 2,
    beforePivsd: (t) => {
      const configFile = join(t.runDir, 'links.yaml');
      writeFileSync(configFile, [
        'director:',
        '  links:',
        '    - interface: eth0',
        '    - interface: eth1',
        `  holdDownMs: ${HOLD_DOWN_MS}`,
        'virtualServices:',
        `  - { protocol: tcp, address: ${t.vip}, port: 80, scheduler: rr,`,
        `      realServers: [${t.reals.map((r) => `{ address: ${r.address}, port: 80 }`).join(', ')}] }`,
        '',
      ].join('\n'));
      return { configFile };
    },
  });

  it('starts on the primary and lists both links', async () => {
    const { pivsd } = lab();
    await pivsd.waitReady();
    const l = await links(pivsd.socket);
    assert.equal(l.active, 'eth0');
    assert.deepEqual(l.links.map((x) => [x.interface, x.up, x.active]), [['eth0', true, true], ['eth1', true, false]]);
    assert.equal(l.holdDownMs, HOLD_DOWN_MS);
    const out = await pivsd.admOk(['--links']);
    assert.match(out, /^eth0\s+up\s+active/m);
    assert.match(out, /^eth1\s+up\s+backup/m);
    const { t } = lab();
    const doc = await statusDocument(t, t.director);
    assert.deepEqual(doc.links, [
      { name: 'eth0', interface: 'eth0', up: true, active: true },
      { name: 'eth1', interface: 'eth1', up: true, active: false },
    ]);
  });

  it('keeps streams whole across a primary cut and the failback after the hold-down', async (ctx) => {
    const { t, pivsd } = lab();
    await pivsd.waitReady();
    const before = (await links(pivsd.socket)).failovers;
    const streams = StreamRun.start(t, { connections: 4, durationMs: 12_000 });
    try {
      await streams.waitEstablished();
      const cutAt = Date.now();
      streams.mark(cutAt);
      await setPort(t, false);
      await waitFor('failover to eth1', async () => ((await links(pivsd.socket)).active === 'eth1' ? true : undefined), 100, 50);
      const mid = await links(pivsd.socket);
      assert.deepEqual(mid.links.map((x) => [x.interface, x.up]), [['eth0', false], ['eth1', true]]);
      assert.equal(mid.failovers, before + 1);
      // The director's own address went with the rings.
      const own = new RegExp(`inet ${t.director.address.replace(/\./g, '\\.')}/`);
      await waitFor('the director address on eth1', async () => {
        const addrs = await t.exec(t.director, 'ip', ['-o', '-4', 'addr', 'show', 'dev', 'eth1']);
        return own.test(addrs) ? true : undefined;
      }, 50, 50);

      await setPort(t, true);
      const backAt = Date.now();
      streams.mark(backAt);
      await waitFor('failback to eth0', async () => ((await links(pivsd.socket)).active === 'eth0' ? true : undefined), 200, 50);
      ctx.diagnostic(`failback came ${Date.now() - backAt} ms after the primary returned (hold-down ${HOLD_DOWN_MS} ms)`);
      const report = await streams.finished(60_000);
      assert.equal(lostConnections(report), 0, damageText(report));
      const gaps = report.connections.map((c) => c.firstByteAfterMarkMs[0]);
      ctx.diagnostic(`first byte after the cut: ${gaps.join(', ')} ms; longest silence: ${Math.max(...report.connections.map((c) => c.longestGapMs))} ms`);
      const after = await links(pivsd.socket);
      assert.equal(after.failovers, before + 2);
      assert.notEqual(after.lastChange, null);
    } finally {
      streams.stop();
    }
  });

  it('moves traffic once when the primary flaps five times in a second', async () => {
    const { t, pivsd } = lab();
    await pivsd.waitReady();
    const before = (await links(pivsd.socket)).failovers;
    const streams = StreamRun.start(t, { connections: 2, durationMs: 10_000 });
    try {
      await streams.waitEstablished();
      for (let i = 0; i < 5; i++) {
        await setPort(t, false);
        await new Promise((r) => setTimeout(r, 100));
        await setPort(t, true);
        await new Promise((r) => setTimeout(r, 100));
      }
      // One failover for the whole burst, then one failback once the link has held for the hold-down.
      await waitFor('failback to eth0', async () => ((await links(pivsd.socket)).active === 'eth0' ? true : undefined), 200, 50);
      const l = await links(pivsd.socket);
      assert.equal(l.failovers, before + 2);
      assert.equal(l.links[0].changes >= 10, true, `eth0 changes: ${l.links[0].changes}`);
      const report = await streams.finished(60_000);
      assert.equal(lostConnections(report), 0, damageText(report));
    } finally {
      streams.stop();
    }
  });

  it('leaves no link monitor running when pivsd is killed with SIGKILL', async () => {
    const { pivsd } = lab();
    const task = `/proc/${pivsd.pid}/task`;
    const children = readdirSync(task).flatMap((tid) => readFileSync(`${task}/${tid}/children`, 'utf8').trim().split(/\s+/)).filter((c) => c !== '');
    const monitors = children.filter((c) => readFileSync(`/proc/${c}/cmdline`, 'utf8').split('\0').includes('monitor'));
    assert.equal(monitors.length, 1, `pivsd's children: ${children.join(' ')}`);
    pivsd.child.kill('SIGKILL');
    // Gone, or a zombie waiting for whoever inherited it to reap it: either way no longer running.
    const running = (): boolean => {
      try { return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${monitors[0]}/stat`, 'utf8')); } catch { return false; }
    };
    await waitFor('the link monitor to exit with pivsd', async () => (running() ? undefined : true), 50, 50);
  });
});
