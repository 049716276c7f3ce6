// Every link of the master cut (docs/links.md): its link service reports a fault, VRRP goes to
// FAULT, and the backup takes over with the synced connections, so the client's streams arrive
// whole. The old master's links come back: it leaves FAULT on the first link up.
// The directors also heartbeat over a crossover cable that no LAN cut touches, so the master stays
// alive to its peer: the takeover happens only because its heartbeats say FAULT, and the peer's
// /status shows that and which path is gone.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { stringify } from 'yaml';
import type { LinksResult } from '../../src/control/protocol';
import { Capture } from '../support/capture';
import { controlRequest } from '../../src/lab/control_client';
import { run, waitFor } from '../../src/lab/exec';
import { DEFAULT_HA, UDP_PROBE_PORT, clientPorts, directorConfig } from '../support/ha';
import { startPivsd, startRealServers, statusDocument, type Pivsd } from '../../src/lab/pivsd';
import { StreamRun, damageText, lostConnections, startProbe } from '../support/streams';
import { Topology, type Host } from '../../src/lab/topology';
import type { PeerDocument } from '../../src/status';

const CONNECTIONS = 4;
/** The crossover veth between the two director namespaces, outside LAN1 and LAN2. */
const CROSSOVER = 'xo';
const CROSSOVER_ADDRESS: Record<'director' | 'director2', string> = { director: '198.19.255.1', director2: '198.19.255.2' };

/** A back-to-back cable between A and B; it goes with their namespaces at teardown. */
async function addCrossover(t: Topology, a: Host, b: Host): Promise<void> {
  await run('ip', ['-n', a.ns, 'link', 'add', CROSSOVER, 'type', 'veth', 'peer', 'name', CROSSOVER, 'netns', b.ns]);
  for (const h of [a, b]) {
    await run('ip', ['-n', h.ns, 'addr', 'add', `${crossoverAddress(h)}/30`, 'dev', CROSSOVER]);
    await run('ip', ['-n', h.ns, 'link', 'set', CROSSOVER, 'up']);
  }
}

function crossoverAddress(h: Host): string {
  return CROSSOVER_ADDRESS[h.role as 'director' | 'director2'];
}

/** The peer as `host`'s pivsd shows it in its /status JSON (default listen, its own loopback). */
async function peerStatus(t: Topology, host: Host): Promise<PeerDocument> {
  const doc = await statusDocument(t, host);
  assert.equal(doc.peers.length, 1);
  return doc.peers[0];
}

async function waitPeer(t: Topology, host: Host, what: string, check: (p: PeerDocument) => boolean): Promise<PeerDocument> {
  return waitFor(what, async () => {
    const p = await peerStatus(t, host);
    return check(p) ? p : undefined;
  }, 100, 100);
}

const pathView = (p: PeerDocument) => p.paths.map((path) => [path.link, path.address, path.alive, path.peerHears]);

function links(p: Pivsd): Promise<LinksResult> {
  return controlRequest(p.socket, { method: 'links' }) as Promise<LinksResult>;
}

function writeConfig(t: Topology, self: Host, peer: Host, priority: number): string {
  const config = directorConfig(t, self, peer, priority, DEFAULT_HA) as {
    director: Record<string, unknown>;
    heartbeat: { links: object[]; peers: { addresses: string[] }[] };
  };
  config.director.links = [{ interface: 'eth0' }, { interface: 'eth1' }];
  config.director.holdDownMs = 2000;
  config.heartbeat.links.push({ name: 'cross', interface: CROSSOVER, localAddress: crossoverAddress(self) });
  config.heartbeat.peers[0].addresses.push(crossoverAddress(peer));
  const file = join(t.runDir, `${self.role}.yaml`);
  writeFileSync(file, stringify(config));
  return file;
}

/** Resolves once `host` sends VRRP adverts on LAN1 and `other` sends none for a while. */
async function waitMaster(t: Topology, host: Host, other: Host): Promise<void> {
  const mine = await Capture.start(t, host, 'ip proto 112');
  const theirs = await Capture.start(t, other, 'ip proto 112');
  try {
    await waitFor(`${host.role} as the only VRRP master`, async () => {
      const since = Date.now();
      await new Promise((r) => setTimeout(r, 400));
      return mine.frames.some((f) => f.at >= since) && !theirs.frames.some((f) => f.at >= since) ? true : undefined;
    }, 50, 0);
  } finally {
    mine.stop();
    theirs.stop();
  }
}

describe('link redundancy: every link of the master down', { timeout: 180_000 }, () => {
  let t: Topology | undefined;
  let a: Pivsd | undefined;
  let b: Pivsd | undefined;

  before(async () => {
    t = await Topology.create({ kind: 't', directors: 2, realServers: 2, lans: 2 });
    await startRealServers(t, { udpPort: UDP_PROBE_PORT });
    const d2 = t.director2!;
    await addCrossover(t, t.director, d2);
    a = await startPivsd(t, { host: t.director, configFile: writeConfig(t, t.director, d2, 150), tag: 'pivsd-a' });
    await waitMaster(t, t.director, d2);
    b = await startPivsd(t, { host: d2, configFile: writeConfig(t, d2, t.director, 100), tag: 'pivsd-b' });
    await a.waitReady();
    await b.waitReady();
    await waitMaster(t, t.director, d2);
  });
  after(async () => { await t?.teardown(); });

  it('the peer takes over and no stream loses a byte; the master comes back with its links', async (ctx) => {
    const lab = t!;
    const d2 = lab.director2!;
    const fromB = await Capture.start(lab, d2, `ip dst ${lab.vip}`);
    const streams = StreamRun.start(lab, { connections: CONNECTIONS, durationMs: 8000 });
    const probe = startProbe(lab, UDP_PROBE_PORT, 1, 15_000);
    try {
      await streams.waitEstablished();
      await waitFor('the backup to list the streams', async () => {
        const ports = clientPorts(await b!.admOk(['-L', '-c', '-n']), lab.client.address, lab.vip);
        return ports.size >= CONNECTIONS ? true : undefined;
      }, 50, 100);
      const cutAt = Date.now();
      streams.mark(cutAt);
      await run('ip', ['-n', lab.switchNs, 'link', 'set', lab.switchPort(lab.director, 1), 'down']);
      await run('ip', ['-n', lab.switchNs, 'link', 'set', lab.switchPort(lab.director, 2), 'down']);
      const first = await fromB.firstAfter(cutAt, 10_000);
      assert.ok(first !== null, `B never forwarded after A lost its links\n${a!.log().slice(-3000)}`);
      ctx.diagnostic(`B forwarded ${(first.at - cutAt).toFixed(1)} ms after A's links were cut`);
      const onA = await links(a!);
      assert.equal(onA.active, null);
      assert.deepEqual(onA.links.map((l) => l.up), [false, false]);
      assert.match(await a!.admOk(['--links']), /Active: none/);
      // What B is told: A is still heard over the crossover, but it has stepped down.
      const down = await waitPeer(lab, d2, 'B to show A in FAULT with its LAN path gone',
        (p) => p.fault && !p.paths[0].alive && p.paths[0].peerHears === false);
      assert.deepEqual([down.name, down.alive, down.fault], ['director-a', true, true]);
      assert.deepEqual(pathView(down), [['lan', lab.director.address, false, false], ['cross', '198.19.255.1', true, true]]);

      const report = await streams.finished(60_000);
      assert.equal(lostConnections(report), 0, `${damageText(report)}\n${a!.log().slice(-2000)}\n${b!.log().slice(-2000)}`);

      await run('ip', ['-n', lab.switchNs, 'link', 'set', lab.switchPort(lab.director, 2), 'up']);
      await waitFor('A back on eth1', async () => ((await links(a!)).active === 'eth1' ? true : undefined), 100, 50);
      await run('ip', ['-n', lab.switchNs, 'link', 'set', lab.switchPort(lab.director, 1), 'up']);
      await waitFor('A back on eth0 after the hold-down', async () => ((await links(a!)).active === 'eth0' ? true : undefined), 100, 100);
      // With preempt, A (150) is master again once it can be heard.
      await waitMaster(lab, lab.director, d2);
      const back = await waitPeer(lab, d2, 'B to show A out of FAULT on both paths',
        (p) => !p.fault && p.paths.every((path) => path.alive && path.peerHears === true));
      assert.deepEqual(pathView(back), [['lan', lab.director.address, true, true], ['cross', '198.19.255.1', true, true]]);
    } finally {
      fromB.stop();
      streams.stop();
      probe.kill('SIGKILL');
    }
  });
});
