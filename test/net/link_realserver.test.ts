// Link redundancy on a real server (docs/links.md): pivs-agent --link eth0 --link eth1. Cutting the
// server's primary link moves its address and routes to eth1, the director learns its MAC there,
// and the replies of the client's streams keep flowing over LAN2; back on eth0 after the hold-down.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { run, waitFor } from '../../src/lab/exec';
import { ROOT } from '../../src/lab/pivsd';
import { StreamRun, damageText, lostConnections } from '../../src/lab/streams';
import { useLab } from '../../src/lab/testing';
import { DIRECTOR_ADDRESS, type Topology } from '../../src/lab/topology';

const AGENT_JS = join(ROOT, 'dist', 'src', 'agent', 'main.js');
const HOLD_DOWN_MS = 1500;
/** A route of the real server that is not the kernel's own: it must follow the active link. */
const EXTRA_ROUTE = '198.18.5.0/24';

function startAgent(t: Topology): ChildProcess {
  const r = t.reals[0];
  const file = join(t.runDir, 'agent-links.yaml');
  writeFileSync(file, [`address: ${r.address}`, `directors: [${DIRECTOR_ADDRESS}]`, 'key: link-test-key-0123456', 'bogoMips: 1000', 'ramMb: 1000', ''].join('\n'));
  return t.spawnIn(r, process.execPath, [AGENT_JS, '-c', file, '--link', 'eth0', '--link', 'eth1', '--hold-down-ms', String(HOLD_DOWN_MS)],
    { logFile: join(t.runDir, 'agent-links.log') });
}

async function holds(t: Topology, dev: string): Promise<{ address: boolean; route: boolean }> {
  const r = t.reals[0];
  const addrs = await t.exec(r, 'ip', ['-o', '-4', 'addr', 'show', 'dev', dev]);
  const routes = await t.exec(r, 'ip', ['-o', '-4', 'route', 'show', 'dev', dev]);
  return { address: addrs.includes(`inet ${r.address}/`), route: routes.includes(EXTRA_ROUTE) };
}

describe('real server link redundancy (pivs-agent)', { timeout: 180_000 }, () => {
  const lab = useLab({
    realServers: 1,
    lans: 2,
    beforePivsd: (t) => {
      const configFile = join(t.runDir, 'director.yaml');
      writeFileSync(configFile, ['director:', '  interface: eth0', 'virtualServices:',
        `  - { protocol: tcp, address: ${t.vip}, port: 80, scheduler: rr, realServers: [{ address: ${t.reals[0].address}, port: 80 }] }`, ''].join('\n'));
      return { configFile };
    },
  });

  it('replies continue over LAN2 when the server\'s primary is cut, and it goes back after the hold-down', async (ctx) => {
    const { t, pivsd } = lab();
    const rs = t.reals[0];
    await t.exec(rs, 'ip', ['route', 'add', EXTRA_ROUTE, 'via', t.client.address, 'dev', 'eth0', 'metric', '50']);
    const agent = startAgent(t);
    await waitFor('the agent to start its links', async () => (/link redundancy started/.test(await t.exec(rs, 'cat', [join(t.runDir, 'agent-links.log')])) ? true : undefined), 100, 100);
    await pivsd.waitReady();
    const streams = StreamRun.start(t, { connections: 2, durationMs: 10_000 });
    try {
      await streams.waitEstablished();
      const cutAt = Date.now();
      streams.mark(cutAt);
      await run('ip', ['-n', t.switchNs, 'link', 'set', t.switchPort(rs, 1), 'down']);
      await waitFor('address and route on eth1', async () => {
        const h = await holds(t, 'eth1');
        return h.address && h.route ? true : undefined;
      }, 100, 50);
      assert.deepEqual(await holds(t, 'eth0'), { address: false, route: false });
      // The replies now leave by LAN2: the server's eth1 keeps transmitting while eth0 is cut.
      const sent = async (): Promise<number> => {
        const out = await t.exec(rs, 'ip', ['-s', '-j', 'link', 'show', 'eth1']);
        return (JSON.parse(out) as Array<{ stats64: { tx: { packets: number } } }>)[0].stats64.tx.packets;
      };
      const base = await sent();
      await waitFor('replies over eth1', async () => ((await sent()) - base >= 50 ? true : undefined), 100, 50);

      await run('ip', ['-n', t.switchNs, 'link', 'set', t.switchPort(rs, 1), 'up']);
      await waitFor('address and route back on eth0', async () => {
        const h = await holds(t, 'eth0');
        return h.address && h.route ? true : undefined;
      }, 100, 100);
      assert.deepEqual(await holds(t, 'eth1'), { address: false, route: false });

      const report = await streams.finished(60_000);
      assert.equal(lostConnections(report), 0, `${damageText(report)}\n${pivsd.log().slice(-2000)}`);
      assert.ok(report.connections.every((c) => c.firstByteAfterMarkMs[0] !== null), 'a stream received nothing after the cut');
      ctx.diagnostic(`first byte after the server's cut: ${report.connections.map((c) => c.firstByteAfterMarkMs[0]).join(', ')} ms`);
    } finally {
      streams.stop();
      await t.stop(agent);
    }
  });
});
