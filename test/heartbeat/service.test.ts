// Two HeartbeatServices on loopback with two links each (127.0.0.1/.2 and 127.0.0.3/.4). A path is
// cut by dropping what arrives on that link's socket: the peer stays alive over the other path and
// the lost path is reported; with both cut the peer is dead; a restored path brings it back.
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { after, before, describe, it } from 'node:test';
import { encodeHeartbeat, HeartbeatService, type PathEvent } from '../../src/heartbeat';

const KEY = Buffer.from('heartbeat key 0123456', 'utf8');

async function freePort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', () => resolve()));
  const { port } = s.address();
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

async function waitUntil(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.fail(`timed out waiting for ${what}`);
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

  before(async () => {
    port = await freePort();
    const common = { key: KEY, port, intervalMs: 20, deadIntervals: 3 };
    const log = {
      info: (_o: object, msg: string) => { logged.push(`info ${msg}`); },
      warn: (_o: object, msg: string) => { logged.push(`warn ${msg}`); },
      debug: () => {},
    };
    a = new HeartbeatService({
      ...common, name: 'lvs-a', logger: log,
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
      ...common, name: 'lvs-b',
      links: [{ name: 'lan', localAddress: '127.0.0.3' }, { name: 'cross', localAddress: '127.0.0.4' }],
      peers: [{ name: 'lvs-a', addresses: ['127.0.0.1', '127.0.0.2'] }],
    });
    a.onPathChange((e) => events.push(e));
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

  it('drops forged and replayed heartbeats and counts them', async () => {
    // b's side of the link: its address, another port (the source port is not part of a path).
    const s = dgram.createSocket('udp4');
    extra.push(s);
    await new Promise<void>((resolve) => s.bind(0, '127.0.0.4', () => resolve()));
    const send = (d: Buffer) => new Promise<void>((resolve, reject) => s.send(d, port, '127.0.0.2', (e) => (e ? reject(e) : resolve())));
    const before = b.counters();
    const base = a.counters();
    await send(encodeHeartbeat({ linkId: 1, sender: 'lvs-b', sequence: 1n << 62n, timestampMs: 0 }, Buffer.from('guessed key 1234567')));
    // Correctly signed but with a sequence b has long passed: a replay.
    await send(encodeHeartbeat({ linkId: 1, sender: 'lvs-b', sequence: 5n, timestampMs: 0 }, KEY));
    await waitUntil('both to be dropped', () => a.counters().forged === base.forged + 1 && a.counters().replayed === base.replayed + 1);
    assert.ok(before.sent > 0);
  });
});
