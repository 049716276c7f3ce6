// Link redundancy on a real server (docs/links.md): pivs-agent --link eth0 --link eth1. The agent
// pre-installs the server's routes on eth1 at a higher metric (HAS's route-metric method); cutting
// the server's primary link moves its address to eth1 and gives eth1 the routes' own metrics, the
// director learns its MAC there, and the replies of the client's streams keep flowing over LAN2;
// back on eth0 after the hold-down. Stopping the agent removes the standby routes.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { run, waitFor } from '../../src/lab/exec';
import { ROOT } from '../../src/lab/pivsd';
import { StreamRun, damageText, lostConnections } from '../support/streams';
import { useLab } from '../support/testing';
import { DIRECTOR_ADDRESS, lan2Mac, type Topology } from '../../src/lab/topology';

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

async function holdsAddress(t: Topology, dev: string): Promise<boolean> {
  const r = t.reals[0];
  return (await t.exec(r, 'ip', ['-o', '-4', 'addr', 'show', 'dev', dev])).includes(`inet ${r.address}/`);
}

/** Each link's metric for a destination, as `ip -4 route show` lists the server's routes: { eth0: 50, eth1: 60 }. */
async function metrics(t: Topology, prefix: string): Promise<Record<string, number>> {
  const found: Record<string, number> = {};
  for (const line of (await t.exec(t.reals[0], 'ip', ['-o', '-4', 'route', 'show'])).split('\n')) {
    const w = line.trim().split(/\s+/);
    if (w[0] !== prefix) continue;
    found[w[w.indexOf('dev') + 1]] = w.includes('metric') ? Number(w[w.indexOf('metric') + 1]) : 0;
  }
  return found;
}

async function ignoresLinkdown(t: Topology): Promise<string> {
  const keys = ['eth0', 'eth1'].map((l) => `net.ipv4.conf.${l}.ignore_routes_with_linkdown`);
  return (await t.exec(t.reals[0], 'sysctl', keys)).trim();
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
    const lan = (await t.exec(rs, 'ip', ['-o', '-4', 'route', 'show', 'dev', 'eth0', 'proto', 'kernel'])).trim().split(/\s+/)[0];
    const sysctlsBefore = await ignoresLinkdown(t);
    const agent = startAgent(t);
    await waitFor('the agent to start its links', async () => (/link redundancy started/.test(await t.exec(rs, 'cat', [join(t.runDir, 'agent-links.log')])) ? true : undefined), 100, 100);
    // Standby copies on eth1, 10 above each route's own metric; the kernel skips a link without carrier.
    ctx.diagnostic(`routes with the agent started: ${(await t.exec(rs, 'ip', ['-4', 'route', 'show'])).trim().split('\n').join('; ')}`);
    assert.deepEqual(await metrics(t, EXTRA_ROUTE), { eth0: 50, eth1: 60 });
    assert.deepEqual(await metrics(t, lan), { eth0: 0, eth1: 10 });
    assert.equal(await ignoresLinkdown(t), 'net.ipv4.conf.eth0.ignore_routes_with_linkdown = 1\nnet.ipv4.conf.eth1.ignore_routes_with_linkdown = 1');
    await pivsd.waitReady();
    const streams = StreamRun.start(t, { connections: 2, durationMs: 10_000 });
    try {
      await streams.waitEstablished();
      const cutAt = Date.now();
      streams.mark(cutAt);
      await run('ip', ['-n', t.switchNs, 'link', 'set', t.switchPort(rs, 1), 'down']);
      await waitFor('the address and the routes\' own metrics on eth1', async () => (
        await holdsAddress(t, 'eth1') && (await metrics(t, EXTRA_ROUTE)).eth1 === 50 && (await metrics(t, lan)).eth1 === 0 ? true : undefined), 100, 50);
      assert.equal(await holdsAddress(t, 'eth0'), false);
      assert.deepEqual(await metrics(t, EXTRA_ROUTE), { eth0: 60, eth1: 50 });
      assert.deepEqual(await metrics(t, lan), { eth0: 10, eth1: 0 });
      // The director follows the server's move from its ARP request on eth1 (which the agent's nudge
      // makes it send), after the old MAC stays silent for a few quick probes: not the 30 s re-confirmation.
      const followed = async (from: string, to: string, since: number): Promise<void> => {
        const moved = new RegExp(`"oldMac":"${from}","newMac":"${to}","msg":"real server MAC changed"`);
        await waitFor(`the director to send to ${to}`, async () => (moved.test(pivsd.log()) ? true : undefined), 60, 50);
        ctx.diagnostic(`director on ${to} ${Date.now() - since} ms after the link changed`);
      };
      await followed(rs.mac, lan2Mac(rs), cutAt);
      // The replies now leave by LAN2: the server's eth1 keeps transmitting while eth0 is cut.
      const sent = async (): Promise<number> => {
        const out = await t.exec(rs, 'ip', ['-s', '-j', 'link', 'show', 'eth1']);
        return (JSON.parse(out) as Array<{ stats64: { tx: { packets: number } } }>)[0].stats64.tx.packets;
      };
      const base = await sent();
      await waitFor('replies over eth1', async () => ((await sent()) - base >= 50 ? true : undefined), 100, 50);

      await run('ip', ['-n', t.switchNs, 'link', 'set', t.switchPort(rs, 1), 'up']);
      await waitFor('the address and the routes\' own metrics back on eth0', async () => (
        await holdsAddress(t, 'eth0') && (await metrics(t, EXTRA_ROUTE)).eth0 === 50 && (await metrics(t, lan)).eth0 === 0 ? true : undefined), 100, 100);
      await followed(lan2Mac(rs), rs.mac, Date.now());
      assert.equal(await holdsAddress(t, 'eth1'), false);
      assert.deepEqual(await metrics(t, EXTRA_ROUTE), { eth0: 50, eth1: 60 });
      assert.deepEqual(await metrics(t, lan), { eth0: 0, eth1: 10 });

      const report = await streams.finished(60_000);
      assert.equal(lostConnections(report), 0, `${damageText(report)}\n${pivsd.log().slice(-2000)}`);
      assert.ok(report.connections.every((c) => c.firstByteAfterMarkMs[0] !== null), 'a stream received nothing after the cut');
      ctx.diagnostic(`first byte after the server's cut: ${report.connections.map((c) => c.firstByteAfterMarkMs[0]).join(', ')} ms`);

      // Stopped, the agent leaves the server as its active link has it: no standby routes, sysctls as they were.
      await t.stop(agent);
      assert.equal(agent.signalCode, null, 'the agent did not exit on SIGTERM');
      assert.deepEqual(await metrics(t, EXTRA_ROUTE), { eth0: 50 });
      assert.deepEqual(await metrics(t, lan), { eth0: 0 });
      assert.equal(await ignoresLinkdown(t), sysctlsBefore);
      const log = await t.exec(rs, 'cat', [join(t.runDir, 'agent-links.log')]);
      assert.doesNotMatch(log, /could not|some standby routes/, log);
    } finally {
      streams.stop();
      await t.stop(agent);
    }
  });
});
