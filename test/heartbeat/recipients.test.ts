// The hears mask is per recipient: a director with two peers, one heard and one silent, tells each
// what it hears of that peer. The peers are plain sockets, so the test reads the datagrams on the wire.
import assert from 'node:assert/strict';
import type dgram from 'node:dgram';
import { after, before, describe, it } from 'node:test';
import { decodeHeartbeat, encodeHeartbeat, HeartbeatService, type Heartbeat } from '../../src/heartbeat';
import { bound, freePort, waitUntil } from './udp';

const KEY = Buffer.from('heartbeat key 0123456', 'utf8');
const X = '127.0.1.1';
const P = '127.0.1.2';
const Q = '127.0.1.3';

describe('heartbeat hears mask per recipient', () => {
  let x: HeartbeatService;
  let p: dgram.Socket;
  let q: dgram.Socket;
  let timer: NodeJS.Timeout | undefined;
  const received: Record<'p' | 'q', Heartbeat[]> = { p: [], q: [] };

  before(async () => {
    const port = await freePort();
    p = await bound(P, port);
    q = await bound(Q, port);
    for (const [name, s] of [['p', p], ['q', q]] as const) {
      s.on('message', (msg) => {
        const h = decodeHeartbeat(msg, KEY);
        if (h.ok) received[name].push(h);
      });
    }
    x = new HeartbeatService({
      name: 'lvs-x', key: KEY, port, intervalMs: 20, deadIntervals: 3,
      links: [{ name: 'lan', localAddress: X }],
      peers: [{ name: 'lvs-p', addresses: [P] }, { name: 'lvs-q', addresses: [Q] }],
    });
    await x.start();
    // Only p heartbeats to x; q stays silent.
    let sequence = 1n;
    timer = setInterval(() => {
      p.send(encodeHeartbeat({ linkId: 0, sender: 'lvs-p', sequence: sequence++, timestampMs: Date.now(), fault: false, stopping: false, hears: 1, claims: [] }, KEY), port, X);
    }, 20);
  });

  after(() => {
    clearInterval(timer);
    x?.close();
    p?.close();
    q?.close();
  });

  it('tells the heard peer it is heard on link 0 and the silent one that it is not', async () => {
    await waitUntil('x to hear p', () => received.p.some((h) => h.hears === 1));
    const toQ = received.q.at(-1);
    assert.ok(toQ !== undefined);
    assert.deepEqual([toQ.sender, toQ.linkId, toQ.fault, toQ.hears], ['lvs-x', 0, false, 0]);
    assert.deepEqual(x.peers().map((peer) => [peer.name, peer.alive, peer.paths[0].peerHears]), [['lvs-p', true, true], ['lvs-q', false, null]]);
  });

  it('refuses more links than the hears mask has bits', () => {
    const links = Array.from({ length: 9 }, (_, i) => ({ name: `l${i}`, localAddress: X }));
    assert.throws(() => new HeartbeatService({ name: 'lvs-x', key: KEY, port: 1, intervalMs: 20, deadIntervals: 3, links, peers: [] }),
      { message: 'heartbeat has 9 links; a heartbeat has one bit per link, so at most 8.' });
  });
});
