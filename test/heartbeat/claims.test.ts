// VRRP claims in the signed heartbeat: what one director says of its instances reaches its peer at
// once when announced (not at the next interval), and the peer judges adverts by it: a matching
// MASTER claim vouches, anything else contradicts; STOPPING vouches for a release and lets the
// backup go.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HeartbeatService } from '../../src/heartbeat';
import type { VrrpClaim } from '../../src/heartbeat/codec';
import { freePort, waitUntil } from './udp';

const KEY = Buffer.from('heartbeat key 0123456', 'utf8');
const B = '127.0.0.3';

describe('VRRP claims over the heartbeat', () => {
  let a: HeartbeatService;
  let b: HeartbeatService;
  let claimsB: VrrpClaim[] = [{ virtualRouterId: 51, state: 'BACKUP', priority: 100 }];

  before(async () => {
    // One heartbeat at start, then none for a minute: whatever arrives later was announced.
    const common = { key: KEY, port: await freePort(), intervalMs: 60_000, deadIntervals: 3 };
    a = new HeartbeatService({ ...common, name: 'lvs-a', links: [{ name: 'lan', localAddress: '127.0.0.1' }], peers: [{ name: 'lvs-b', addresses: [B] }] });
    b = new HeartbeatService({ ...common, name: 'lvs-b', links: [{ name: 'lan', localAddress: B }], peers: [{ name: 'lvs-a', addresses: ['127.0.0.1'] }] });
    b.setClaimSource(() => claimsB);
    await a.start();
    await b.start();
    await waitUntil('a to hear b', () => a.peers()[0].alive);
  });

  after(() => {
    a?.close();
    b?.close();
  });

  it('a BACKUP claim contradicts an advert from its address; an unknown address is a stranger', () => {
    assert.deepEqual(a.peers()[0].claims, claimsB);
    assert.equal(a.vouch(B, 51, 100), 'contradicted');
    assert.equal(a.vouch('127.0.0.9', 51, 100), 'stranger');
    assert.equal(a.hasLinkAt('127.0.0.1'), true);
    assert.equal(a.hasLinkAt(B), false);
  });

  it('an announced MASTER claim vouches for adverts at that priority only', async () => {
    claimsB = [{ virtualRouterId: 51, state: 'MASTER', priority: 100 }];
    b.announce();
    await waitUntil('the announced claim', () => a.vouch(B, 51, 100) === 'vouched');
    assert.equal(a.vouch(B, 51, 255), 'contradicted');
    assert.equal(a.vouch(B, 52, 100), 'contradicted');
    assert.equal(a.vouch(B, 51, 0), 'contradicted', 'a master that is not leaving does not release');
    assert.equal(a.isPeerAlive(B), true);
  });

  it('a peer that leaves vouches for its priority 0 and no longer holds its backup', async () => {
    b.leave();
    await waitUntil('the STOPPING flag', () => a.peers()[0].stopping);
    assert.equal(a.vouch(B, 51, 0), 'vouched');
    assert.equal(a.isPeerAlive(B), false);
  });
});
