// The `sync:` and `heartbeat:` config sections: defaults, and one clear sentence for bad input.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfig } from '../../src/config';

const base = 'director:\n  interface: eth0\n';

function refused(text: string): string {
  try {
    parseConfig(base + text);
  } catch (e) {
    return (e as Error).message;
  }
  return 'accepted';
}

describe('sync section', () => {
  it('plain multicast with its peers listed is IPVS sync with the IPVS defaults', () => {
    assert.deepEqual(parseConfig(`${base}sync:\n  transport: multicast\n  peers: [198.18.0.3]\n`).sync, {
      interface: 'eth0', localAddress: null, syncId: 0, port: 8848, transport: 'multicast', group: '224.0.0.81',
      peers: ['198.18.0.3'], maxMessageSize: null, flushDelayMs: 20, threshold: 3, period: 50, resyncTimeoutMs: 3000,
      maxInstalledShare: 0.5, auth: null,
    });
  });

  it('plain sync without peers is refused, saying what to add; signed multicast needs none', () => {
    const sentence = 'config: sync.peers: is empty, but unsigned sync accepts datagrams only from listed peers: add every other director\'s address to sync.peers (with transport: multicast to keep multicast), or set sync.auth';
    assert.equal(refused('sync: {}\n'), sentence);
    assert.equal(refused('sync:\n  transport: multicast\n'), sentence);
    assert.equal(parseConfig(`${base}sync:\n  auth: { key: "sixteen chars ok" }\n`).sync?.transport, 'multicast');
  });

  it('maxInstalledShare is a share of the table above 0 and at most 1', () => {
    assert.equal(parseConfig(`${base}sync:\n  peers: [198.18.0.3]\n  maxInstalledShare: 1\n`).sync?.maxInstalledShare, 1);
    assert.match(refused('sync:\n  peers: [198.18.0.3]\n  maxInstalledShare: 0\n'), /^config: sync\.maxInstalledShare: /);
    assert.match(refused('sync:\n  peers: [198.18.0.3]\n  maxInstalledShare: 1.5\n'), /^config: sync\.maxInstalledShare: /);
  });

  it('peers make it unicast; auth gets key id 0 unless given', () => {
    const s = parseConfig(`${base}sync:\n  syncId: 5\n  peers: [198.18.0.3]\n  auth: { key: "sixteen chars ok" }\n`).sync;
    assert.equal(s?.transport, 'unicast');
    assert.deepEqual(s?.peers, ['198.18.0.3']);
    assert.deepEqual(s?.auth, { key: 'sixteen chars ok', keyId: 0 });
  });

  it('threshold below period, as IPVS\'s sync_threshold sysctl wants; period 0 takes any threshold', () => {
    assert.equal(refused('sync:\n  peers: [198.18.0.3]\n  threshold: 50\n  period: 50\n'),
      'config: sync.threshold: 50 must be below sync.period (50), or set period: 0 to sync once at the threshold only');
    assert.equal(parseConfig(`${base}sync:\n  peers: [198.18.0.3]\n  threshold: 7\n  period: 0\n`).sync?.threshold, 7);
    assert.match(refused('sync:\n  peers: [198.18.0.3]\n  maxMessageSize: 10\n'), /^config: sync\.maxMessageSize: 10 is below the minimum 64/);
  });

  it('no section, no sync', () => {
    assert.equal(parseConfig(base).sync, undefined);
  });

  it('refuses bad input with one sentence', () => {
    assert.equal(refused('sync:\n  transport: unicast\n'), 'config: sync.peers: is empty, but unicast sync needs at least one peer address');
    assert.equal(refused('sync:\n  peers: [lvs-b]\n'), 'config: sync.peers[0]: "lvs-b" is not an IPv4 address');
    assert.equal(refused('sync:\n  auth: { key: short }\n'), 'config: sync.auth.key: is 5 characters; use at least 16 (the same key on every director)');
    assert.equal(refused('sync:\n  peers: [198.18.0.3]\n  group: 198.18.0.9\n'), 'config: sync.group: "198.18.0.9" is not an IPv4 multicast address');
    assert.equal(refused('sync:\n  syncId: 256\n'), 'config: sync.syncId: 256 is above the maximum 255');
  });
});

describe('director name', () => {
  it('is refused when it cannot travel in a datagram', () => {
    assert.throws(() => parseConfig('director:\n  interface: eth0\n  name: "a b"\n'),
      { message: 'config: director.name: "a b" must be 1 to 32 characters of A-Z a-z 0-9 . _ -' });
    assert.equal(parseConfig('director:\n  interface: eth0\n  name: lvs-a\n').director.name, 'lvs-a');
  });
});

describe('heartbeat section', () => {
  const hb = 'heartbeat:\n  key: "a heartbeat key!!"\n  links:\n    - { name: lan, localAddress: 198.18.0.2 }\n    - { name: cross, interface: eth1, localAddress: 198.19.0.2 }\n';

  it('fills the defaults', () => {
    const h = parseConfig(`${base}${hb}  peers:\n    - { name: lvs-b, addresses: [198.18.0.3, 198.19.0.3] }\n`).heartbeat;
    assert.deepEqual(h, {
      links: [{ name: 'lan', interface: null, localAddress: '198.18.0.2' }, { name: 'cross', interface: 'eth1', localAddress: '198.19.0.2' }],
      peers: [{ name: 'lvs-b', addresses: ['198.18.0.3', '198.19.0.3'] }],
      key: 'a heartbeat key!!', port: 8849, intervalMs: 200, deadIntervals: 5,
    });
  });

  it('wants one peer address per link, and a key', () => {
    assert.equal(refused(`${hb}  peers:\n    - { name: lvs-b, addresses: [198.18.0.3] }\n`),
      'config: heartbeat.peers[0].addresses: has 1 addresses for 2 links; give one per link, in the order of heartbeat.links');
    assert.equal(refused('heartbeat:\n  links: [{ name: lan, localAddress: 198.18.0.2 }]\n  peers: [{ name: b, addresses: [198.18.0.3] }]\n'),
      'config: heartbeat.key: is required but missing');
  });

  it('takes at most 8 links, one per bit of the hears mask', () => {
    const links = Array.from({ length: 9 }, (_, i) => `    - { name: l${i}, localAddress: 198.18.0.${i + 1} }\n`).join('');
    assert.equal(refused(`heartbeat:\n  key: "a heartbeat key!!"\n  links:\n${links}  peers: [{ name: b, addresses: [] }]\n`),
      'config: heartbeat.links: has 9 links; a heartbeat can report at most 8');
  });
});
