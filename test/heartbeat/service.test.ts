// Two HeartbeatServices on loopback with two links each (127.0.0.1/.2 and 127.0.0.3/.4). A path is
// cut by dropping what arrives on that link's socket: the peer stays alive over the other path and
// the lost path is reported; with both cut the peer is dead; a restored path brings it back. The
// cut is one-way, so the other side still hears a and learns of it only from a's hears mask.
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { after, before, describe, it } from 'node:test';
import { encodeHeartbeat, HeartbeatService, type PathEvent, type PeerReportEvent } from '../../src/heartbeat';
import { freePort, waitUntil } from './udp';

const KEY = Buffer.from('heartbeat key 0123456', 'utf8');

function recorder(into: string[]) {
  return {
    info: (_o: object, msg: string) => { into.push(`info ${msg}`); },
    warn: (_o: object, msg: string) => { into.push(`warn ${msg}`); },
    debug: () => {},
  };
}

describe('heartbeat over two links', () => {
  let a: HeartbeatService;
  let b: HeartbeatService;
  let port: number;
  /** Links of `a` whose incoming datagrams are dropped. */
  const cut = new Set<string>();
  const events: PathEvent[] = [];
  const logged: string[] = [];
  const extra: dgram.Socket[] = [];
  const loggedB: string[] = [];
  const reportsB: PeerReportEvent[] = [];
  let aFault = false;

  before(async () => {
    port = await freePort();
    const common = { key: KEY, port, intervalMs: 20, deadIntervals: 3 };
    a = new HeartbeatService({
      ...common, name: 'lvs-a', logger: recorder(logged), fault: () => aFault,
      links: [{ name: 'lan', localAddress: '127.0.0.1' }, { name: 'cross', localAddress: '127.0.0.2' }],
      peers: [{ name: 'lvs-b', addresses: ['127.0.0.3', '127.0.0.4'] }],
      createSocket: (link) => {
        const s = dgram.createSocket('udp4');
        const emit = s.emit.bind(s);
        s.emit = ((event: string, ...args: unknown[]) =>
          (event === 'message' && cut.has(link.name) ? false : emit(event, ...args))) as typeof s.emit;
        return s;
      },
    });
    b = new HeartbeatService({
      ...common, name: 'lvs-b', logger: recorder(loggedB),
      links: [{ name: 'lan', localAddress: '127.0.0.3' }, { name: 'cross', localAddress: '127.0.0.4' }],
      peers: [{ name: 'lvs-a', addresses: ['127.0.0.1', '127.0.0.2'] }],
    });
    a.onPathChange((e) => events.push(e));
    b.onPeerReport((e) => reportsB.push(e));
    await a.start();
    await b.start();
  });

  after(() => {
    a?.close();
    b?.close();
    for (const s of extra) s.close();
  });

  it('sees the peer alive on both paths', async () => {
    await waitUntil('both paths up', () => a.peers()[0].paths.every((p) => p.alive));
    const [peer] = a.peers();
    assert.equal(peer.name, 'lvs-b');
    assert.equal(peer.alive, true);
    assert.deepEqual(peer.paths.map((p) => [p.link, p.address, p.alive]), [['lan', '127.0.0.3', true], ['cross', '127.0.0.4', true]]);
    assert.ok(peer.paths.every((p) => typeof p.lastSeenMs === 'number'));
    assert.equal(a.isPeerAlive('127.0.0.3'), true);
    assert.equal(a.isPeerAlive('127.0.0.4'), true);
    assert.equal(a.isPeerAlive('127.0.0.9'), false);
    assert.ok(logged.includes('info heartbeat: path to peer lvs-b over link lan restored'));
    // Each side also learns from the other's heartbeats that it is heard on both paths.
    await waitUntil('b to report hearing a on both paths', () => a.peers()[0].paths.every((p) => p.peerHears === true));
    assert.equal(a.peers()[0].fault, false);
    await waitUntil('a to report hearing b on both paths', () => b.peers()[0].paths.every((p) => p.peerHears === true));
    assert.deepEqual(reportsB.map((e) => [e.link, e.peerHears]).sort(), [['cross', true], ['lan', true]]);
  });

  it('a in FAULT: b sees it alive but no longer counts it as a live master', async () => {
    aFault = true;
    await waitUntil('b to hear the FAULT flag', () => b.peers()[0].fault);
    assert.equal(b.peers()[0].alive, true);
    assert.equal(b.isPeerAlive('127.0.0.1'), false);
    assert.equal(b.isPeerAlive('127.0.0.2'), false);
    assert.ok(loggedB.includes('warn heartbeat: peer lvs-a reports FAULT (every link down; it has stepped down)'));
    aFault = false;
    await waitUntil('b to hear the FAULT flag cleared', () => !b.peers()[0].fault);
    assert.equal(b.isPeerAlive('127.0.0.1'), true);
    assert.ok(loggedB.includes('info heartbeat: peer lvs-a no longer reports FAULT'));
  });

  it('one path cut: the peer is still alive, and the lost path is reported', async () => {
    cut.add('lan');
    await waitUntil('the lan path to go down', () => events.some((e) => e.link === 'lan' && !e.alive));
    assert.deepEqual(events.filter((e) => !e.alive), [{ peer: 'lvs-b', link: 'lan', address: '127.0.0.3', alive: false }]);
    assert.ok(logged.includes('warn heartbeat: path to peer lvs-b over link lan lost'));
    assert.equal(a.isPeerAlive('127.0.0.3'), true);
    assert.deepEqual(a.peers()[0].paths.map((p) => p.alive), [false, true]);
    assert.equal(a.peers()[0].alive, true);
  });

  it('the one-way cut shows on the other side as the peer no longer hearing it there', async () => {
    await waitUntil('b to hear of the lost lan path', () => reportsB.some((e) => !e.peerHears));
    assert.deepEqual(reportsB.filter((e) => !e.peerHears), [{ peer: 'lvs-a', link: 'lan', address: '127.0.0.1', peerHears: false }]);
    assert.ok(loggedB.includes('warn heartbeat: peer lvs-a reports the path over link lan lost'));
    const [peer] = b.peers();
    assert.deepEqual(peer.paths.map((p) => [p.link, p.alive, p.peerHears]), [['lan', true, false], ['cross', true, true]]);
  });

  it('both paths cut: the peer is dead', async () => {
    cut.add('cross');
    await waitUntil('the cross path to go down', () => events.some((e) => e.link === 'cross' && !e.alive));
    assert.equal(a.isPeerAlive('127.0.0.3'), false);
    assert.equal(a.isPeerAlive('127.0.0.4'), false);
    assert.equal(a.peers()[0].alive, false);
  });

  it('a restored path brings the peer back', async () => {
    cut.delete('cross');
    await waitUntil('the cross path to come back', () => a.peers()[0].paths[1].alive);
    assert.equal(a.isPeerAlive('127.0.0.3'), true);
    assert.deepEqual(events.map((e) => `${e.link} ${e.alive ? 'up' : 'down'}`).slice(-3), ['lan down', 'cross down', 'cross up']);
  });

  it('the other side hears of the restored path from the peer', async () => {
    cut.delete('lan');
    await waitUntil('b to hear lan reported again', () => b.peers()[0].paths[0].peerHears === true);
    assert.ok(loggedB.includes('info heartbeat: peer lvs-a reports the path over link lan restored'));
    assert.deepEqual(reportsB.filter((e) => e.link === 'lan').slice(-1), [{ peer: 'lvs-a', link: 'lan', address: '127.0.0.1', peerHears: true }]);
  });

  it('drops forged and replayed heartbeats and counts them', async () => {
    // b's side of the link: its address, another port (the source port is not part of a path).
    const s = dgram.createSocket('udp4');
    extra.push(s);
    await new Promise<void>((resolve) => s.bind(0, '127.0.0.4', () => resolve()));
    const send = (d: Buffer) => new Promise<void>((resolve, reject) => s.send(d, port, '127.0.0.2', (e) => (e ? reject(e) : resolve())));
    const before = b.counters();
    const base = a.counters();
    const fromB = { linkId: 1, sender: 'lvs-b', timestampMs: 0, fault: false, stopping: false, hears: 0, claims: [] };
    await send(encodeHeartbeat({ ...fromB, sequence: 1n << 62n }, Buffer.from('guessed key 1234567')));
    // Correctly signed but with a sequence b has long passed: a replay.
    await send(encodeHeartbeat({ ...fromB, sequence: 5n }, KEY));
    await waitUntil('both to be dropped', () => a.counters().forged === base.forged + 1 && a.counters().replayed === base.replayed + 1);
    assert.ok(before.sent > 0);
  });
});
