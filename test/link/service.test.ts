// The link service against a fake link source, clock and dataplane: what moves on a switch, what
// the status says, and that every link down puts VRRP in FAULT.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import { startLinks, type LinkService } from '../../src/link/service';
import { parseAddrShow } from '../../src/link/service';
import { parseLinkLine, type LinkEvent, type LinkSource } from '../../src/link/monitor';
import { startVrrp } from '../../src/vrrp/service';
import { FakeClock } from '../arp/fake_clock';
import { FakeDataplane } from '../fakes/dataplane';

class FakeSource implements LinkSource {
  emit: (e: LinkEvent) => void = () => undefined;
  closed = false;
  constructor(private readonly initial: Record<string, boolean>) {}
  watch(_names: readonly string[], onEvent: (e: LinkEvent) => void) {
    this.emit = onEvent;
    return Promise.resolve({ initial: new Map(Object.entries(this.initial)), close: () => { this.closed = true; } });
  }
}

interface Harness {
  links: LinkService;
  source: FakeSource;
  clock: FakeClock;
  dp: FakeDataplane;
  followed: string[];
  /** A follower of addressesMoved only, with how many moves had finished when it was called. */
  afterMoves: string[];
  moved: string[];
  changes: number;
}

async function start(initial: Record<string, boolean> = { eth0: true, eth1: true }): Promise<Harness> {
  const source = new FakeSource(initial);
  const clock = new FakeClock();
  const dp = new FakeDataplane();
  const followed: string[] = [];
  const afterMoves: string[] = [];
  const moved: string[] = [];
  const links = await startLinks({
    links: ['eth0', 'eth1'], holdDownMs: 5000, dataplane: dp, openedOn: 'eth0', logger: pino({ level: 'silent' }),
    followers: [{ setInterface: (n) => followed.push(n) }, { addressesMoved: (n) => afterMoves.push(`${n} after ${moved.length}`) }],
    addresses: { move: async (from, to) => { moved.push(`${from}->${to}`); } },
    source, clock, wallNow: () => Date.UTC(2026, 0, 1),
  });
  const h: Harness = { links, source, clock, dp, followed, afterMoves, moved, changes: 0 };
  links.onChange(() => { h.changes++; });
  return h;
}

const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('link service', () => {
  it('starting on the primary moves nothing', async () => {
    const h = await start();
    assert.deepEqual(h.dp.interfaces, []);
    assert.deepEqual(h.links.status(), {
      links: [{ interface: 'eth0', up: true, active: true, changes: 0 }, { interface: 'eth1', up: true, active: false, changes: 0 }],
      active: 'eth0', failovers: 0, holdDownMs: 5000, lastChange: null,
    });
    h.links.close();
    assert.equal(h.source.closed, true);
  });

  it('starting with the primary down opens the backup', async () => {
    const h = await start({ eth0: false, eth1: true });
    assert.deepEqual(h.dp.interfaces, ['eth1']);
    assert.equal(h.links.status().active, 'eth1');
    h.links.close();
  });

  it('on primary loss moves the rings, then the addresses and ARP; back after the hold-down', async () => {
    const h = await start();
    h.source.emit({ name: 'eth0', up: false });
    assert.deepEqual(h.dp.interfaces, ['eth1']);
    assert.equal(h.dp.mac, '02:00:00:00:01:01');
    await settle();
    assert.deepEqual(h.moved, ['eth0->eth1']);
    // Once at once (gratuitous ARP), once after the addresses moved (resolution sourced from them).
    assert.deepEqual(h.followed, ['eth1', 'eth1']);
    assert.deepEqual(h.afterMoves, ['eth1 after 1'], 'what is sourced from our addresses waits for them');
    assert.equal(h.changes, 1);
    const mid = h.links.status();
    assert.equal(mid.active, 'eth1');
    assert.equal(mid.failovers, 1);
    assert.equal(mid.lastChange, '2026-01-01T00:00:00.000Z');

    h.source.emit({ name: 'eth0', up: true });
    h.clock.advance(4999);
    assert.deepEqual(h.dp.interfaces, ['eth1']);
    h.clock.advance(1);
    assert.deepEqual(h.dp.interfaces, ['eth1', 'eth0']);
    await settle();
    assert.deepEqual(h.moved, ['eth0->eth1', 'eth1->eth0']);
    assert.equal(h.links.status().failovers, 2);
    h.links.close();
  });

  it('every link down is a fault that VRRP turns into FAULT, and back', async () => {
    const h = await start();
    const vrrp = startVrrp({
      config: {
        instances: [{
          name: 'VI_1', interface: 'eth0', virtualRouterId: 1, priority: 150, advertInt: 1, version: 2, preempt: true,
          preemptDelay: 0, unicastPeers: [], virtualAddresses: ['198.18.0.100'],
          garp: { masterRepeat: 1, masterDelay: 0, masterRefresh: 0 }, notify: {}, track: { interfaces: [], scripts: [] },
        }],
        syncGroups: [],
      },
      dataplane: h.dp, clock: h.clock, logger: pino({ level: 'silent' }),
      arp: { setVirtualMacs: () => undefined },
      networkInterfaces: () => ({ eth0: [{ address: '198.18.0.2', family: 'IPv4', internal: false, netmask: '255.255.255.0', mac: '02:00:00:00:00:01', cidr: null }] }),
      runCommand: async () => undefined,
      links: h.links,
    });
    h.clock.advance(4000);
    assert.equal(vrrp.states()[0].state, 'MASTER');
    h.source.emit({ name: 'eth1', up: false });
    assert.equal(vrrp.states()[0].state, 'MASTER');
    h.source.emit({ name: 'eth0', up: false });
    assert.equal(h.links.allDown(), true);
    assert.equal(h.links.status().active, null);
    assert.equal(vrrp.states()[0].state, 'FAULT');
    h.source.emit({ name: 'eth1', up: true });
    assert.equal(h.links.allDown(), false);
    assert.notEqual(vrrp.states()[0].state, 'FAULT');
    await vrrp.close();
    h.links.close();
  });
});

describe('link events and addresses', () => {
  it('reads carrier and admin state from ip -o link / monitor lines', () => {
    assert.deepEqual(parseLinkLine('2: eth0@if5: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT'), { name: 'eth0', up: true });
    assert.deepEqual(parseLinkLine('2: eth0@if5: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 qdisc noqueue state LOWERLAYERDOWN'), { name: 'eth0', up: false });
    assert.deepEqual(parseLinkLine('3: eth1: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN'), { name: 'eth1', up: false });
    assert.deepEqual(parseLinkLine('Deleted 3: eth1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500'), { name: 'eth1', up: false });
    assert.equal(parseLinkLine('    link/ether 02:00:c6:12:00:02 brd ff:ff:ff:ff:ff:ff'), null);
  });

  it('lists the global IPv4 addresses to move', () => {
    const text = '2: eth0    inet 198.18.0.2/24 scope global eth0\\       valid_lft forever preferred_lft forever\n'
      + '2: eth0    inet 169.254.1.1/16 scope link eth0\\       valid_lft forever\n';
    assert.deepEqual(parseAddrShow(text), ['198.18.0.2/24']);
  });
});
