// The election run against a fake dataplane, clock, ARP, tracking and command runner: what the
// director owns after each transition, what goes on the wire, which commands run.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import { decodeArp } from '../../src/arp/arp_codec';
import { decodeEthernet } from '../../src/arp/ethernet';
import type { VrrpInstanceSettings } from '../../src/config/vrrp_model';
import { advertFrame, decodeAdvertFrame } from '../../src/vrrp/codec';
import { startVrrp, type VrrpService } from '../../src/vrrp/service';
import type { TrackIo } from '../../src/vrrp/track';
import { FakeClock } from '../arp/fake_clock';
import { FakeDataplane } from '../fakes/dataplane';

const VIP = '198.18.0.100';
const SELF = '198.18.0.2';
const PEER = '198.18.0.3';

function instance(over: Partial<VrrpInstanceSettings> = {}): VrrpInstanceSettings {
  return {
    name: 'VI_1', interface: 'eth0', virtualRouterId: 1, priority: 100, advertInt: 1, version: 2, preempt: true,
    preemptDelay: 0, unicastPeers: [], virtualAddresses: [VIP],
    garp: { masterRepeat: 5, masterDelay: 5, masterRefresh: 0 },
    notify: { master: ['/bin/m'], backup: ['/bin/b'], fault: ['/bin/f'], stop: ['/bin/s'], any: ['/bin/any', '-x'] },
    track: { interfaces: [], scripts: [] },
    ...over,
  };
}

class FakeTrackIo implements TrackIo {
  readonly carriers = new Map<string, boolean>();
  checkResult = true;
  carrier(iface: string): boolean {
    return this.carriers.get(iface) ?? true;
  }
  check(): Promise<boolean> {
    return Promise.resolve(this.checkResult);
  }
}

interface Harness {
  vrrp: VrrpService;
  dp: FakeDataplane;
  clock: FakeClock;
  arpMacs: Array<Map<string, string> | null>;
  commands: string[][];
  io: FakeTrackIo;
  alive: Set<string>;
  gate: { open: boolean };
}

function start(instances: VrrpInstanceSettings[], syncGroups: { name: string; instances: string[] }[] = [], io = new FakeTrackIo()): Harness {
  const dp = new FakeDataplane();
  const clock = new FakeClock();
  const arpMacs: Array<Map<string, string> | null> = [];
  const commands: string[][] = [];
  const alive = new Set<string>();
  const gate = { open: true };
  const vrrp = startVrrp({
    config: { instances, syncGroups: syncGroups.map((g) => ({ ...g, notify: { any: ['/bin/group'] } })) },
    dataplane: dp, clock, logger: pino({ level: 'silent' }),
    arp: { setVirtualMacs: (m) => arpMacs.push(m === null ? null : new Map(m)) },
    networkInterfaces: () => ({ eth0: [{ address: SELF, family: 'IPv4', internal: false, netmask: '255.255.255.0', mac: '02:00:00:00:00:01', cidr: null }] }),
    runCommand: async (argv) => { commands.push([...argv]); },
    trackIo: io,
    heartbeat: { isPeerAlive: (a) => alive.has(a) },
    gate: { mayBecomeMaster: () => gate.open },
  });
  return { vrrp, dp, clock, arpMacs, commands, io, alive, gate };
}

function peerAdvert(priority: number, o: { vrid?: number; ttl?: number; adverInt?: number; version?: 2 | 3 } = {}): Buffer {
  const version = o.version ?? 2;
  const frame = advertFrame(
    { version, vrid: o.vrid ?? 1, priority, addresses: [VIP], adverInt: o.adverInt ?? (version === 2 ? 1 : 100), authType: 0 },
    { sourceMac: '02:00:00:00:00:03', sourceAddress: PEER, destinationAddress: '224.0.0.18' },
  );
  if (o.ttl !== undefined) {
    frame[14 + 8] = o.ttl;
    frame.writeUInt16BE(0, 14 + 10);
    let sum = 0;
    for (let i = 14; i < 34; i += 2) sum += frame.readUInt16BE(i);
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
    frame.writeUInt16BE(~sum & 0xffff, 14 + 10);
  }
  return frame;
}

function sent(dp: FakeDataplane): { adverts: { priority: number; source: string }[]; garps: { sha: string; spa: string; src: string }[] } {
  const adverts: { priority: number; source: string }[] = [];
  const garps: { sha: string; spa: string; src: string }[] = [];
  for (const f of dp.sentFrames) {
    const eth = decodeEthernet(f);
    if (eth.etherType === 0x0806) {
      const a = decodeArp(eth.payload);
      garps.push({ sha: a.sha, spa: a.spa, src: eth.source });
    } else {
      const p = decodeAdvertFrame(f);
      if (p) adverts.push({ priority: p.priority, source: p.sourceMac });
    }
  }
  dp.sentFrames.length = 0;
  return { adverts, garps };
}

const state = (h: Harness, i = 0): string => h.vrrp.states()[i].state;

describe('VRRP service', () => {
  it('owns nothing as BACKUP, then takes the VIP, virtual MAC and ARP answers as MASTER', () => {
    const h = start([instance()]);
    assert.equal(state(h), 'BACKUP');
    assert.deepEqual(h.dp.activeAddresses, []);
    assert.deepEqual(h.arpMacs.at(-1), new Map());
    h.clock.advance(3609);
    assert.equal(state(h), 'BACKUP');
    h.clock.advance(1);
    assert.equal(state(h), 'MASTER');
    assert.deepEqual(h.dp.activeAddresses, [VIP]);
    assert.deepEqual([...h.dp.macAddresses], ['00:00:5e:00:01:01']);
    assert.deepEqual(h.arpMacs.at(-1), new Map([[VIP, '00:00:5e:00:01:01']]));
    const first = sent(h.dp);
    assert.deepEqual(first.adverts, [{ priority: 100, source: '00:00:5e:00:01:01' }]);
    assert.equal(first.garps.length, 5);
    assert.ok(first.garps.every((g) => g.sha === '00:00:5e:00:01:01' && g.src === g.sha && g.spa === VIP));
    assert.deepEqual(h.commands, [['/bin/b'], ['/bin/any', '-x', 'INSTANCE', 'VI_1', 'BACKUP', '100'], ['/bin/m'], ['/bin/any', '-x', 'INSTANCE', 'VI_1', 'MASTER', '100']]);
    h.clock.advance(5000);
    const later = sent(h.dp);
    assert.equal(later.garps.length, 5, 'the second burst after garp masterDelay');
    assert.equal(later.adverts.length, 5);
  });

  it('gives everything back when a higher priority master appears', () => {
    const h = start([instance()]);
    // MASTER at 3609 ms; its second GARP burst would be due at 8609 ms.
    h.clock.advance(6000);
    h.dp.emitControlFrames([peerAdvert(200)]);
    assert.equal(state(h), 'BACKUP');
    assert.equal(h.vrrp.states()[0].masterAddress, PEER);
    assert.deepEqual(h.dp.activeAddresses, []);
    assert.deepEqual([...h.dp.macAddresses], []);
    assert.deepEqual(h.arpMacs.at(-1), new Map());
    sent(h.dp);
    // Less than Master_Down_Interval: the silent peer is not yet presumed dead.
    h.clock.advance(3000);
    assert.deepEqual(sent(h.dp), { adverts: [], garps: [] }, 'nothing sent after leaving MASTER');
  });

  it('drops adverts with TTL other than 255, another interval (v2) or another version, and counts them', () => {
    const h = start([instance({ priority: 50 })]);
    for (let i = 0; i < 5; i++) {
      h.clock.advance(1000);
      h.dp.emitControlFrames([peerAdvert(200, { ttl: 254 }), peerAdvert(200, { adverInt: 2 }), peerAdvert(200, { version: 3 })]);
    }
    assert.equal(state(h), 'MASTER');
    const dropped = h.vrrp.states()[0].counters.advertsDropped;
    assert.deepEqual([dropped.ttl, dropped.interval, dropped.version], [5, 5, 5]);
  });

  it('the heartbeat keeps a BACKUP from taking over while the master lives, but not after its priority 0', () => {
    const h = start([instance()]);
    h.dp.emitControlFrames([peerAdvert(200)]);
    h.alive.add(PEER);
    h.clock.advance(20_000);
    assert.equal(state(h), 'BACKUP');
    h.alive.delete(PEER);
    h.clock.advance(100);
    assert.equal(state(h), 'MASTER');

    const g = start([instance()]);
    g.dp.emitControlFrames([peerAdvert(200)]);
    g.alive.add(PEER);
    g.dp.emitControlFrames([peerAdvert(0)]);
    g.clock.advance(610);
    assert.equal(state(g), 'MASTER');
  });

  it('the sync gate keeps a BACKUP until the bulk resync is done', () => {
    const h = start([instance()]);
    h.gate.open = false;
    h.clock.advance(30_000);
    assert.equal(state(h), 'BACKUP');
    h.gate.open = true;
    h.clock.advance(100);
    assert.equal(state(h), 'MASTER');
  });

  it('moves a sync group together: one instance outranked takes the other to BACKUP', () => {
    const h = start([instance(), instance({ name: 'VI_2', virtualRouterId: 2, virtualAddresses: ['198.18.0.101'] })], [{ name: 'G', instances: ['VI_1', 'VI_2'] }]);
    h.clock.advance(4000);
    assert.deepEqual(h.vrrp.states().map((s) => s.state), ['MASTER', 'MASTER']);
    assert.deepEqual(h.dp.activeAddresses, [VIP, '198.18.0.101']);
    h.dp.emitControlFrames([peerAdvert(200)]);
    assert.deepEqual(h.vrrp.states().map((s) => s.state), ['BACKUP', 'BACKUP']);
    assert.deepEqual(h.dp.activeAddresses, []);
    assert.ok(h.commands.some((c) => c.join(' ') === '/bin/group GROUP G BACKUP 0'));
  });

  it('a tracked interface with weight 0 puts the whole sync group in FAULT until it is back', () => {
    const io = new FakeTrackIo();
    const h = start([
      instance({ track: { interfaces: [{ name: 'eth1', weight: 0 }], scripts: [] } }),
      instance({ name: 'VI_2', virtualRouterId: 2, virtualAddresses: ['198.18.0.101'] }),
    ], [{ name: 'G', instances: ['VI_1', 'VI_2'] }], io);
    h.clock.advance(4000);
    sent(h.dp);
    io.carriers.set('eth1', false);
    h.clock.advance(500);
    assert.deepEqual(h.vrrp.states().map((s) => s.state), ['FAULT', 'FAULT']);
    assert.deepEqual(sent(h.dp).adverts.map((a) => a.priority), [0, 0], 'priority 0 so the backup takes over at once');
    assert.ok(h.commands.some((c) => c.join(' ') === '/bin/f'));
    io.carriers.set('eth1', true);
    h.clock.advance(500);
    assert.deepEqual(h.vrrp.states().map((s) => s.state), ['BACKUP', 'BACKUP']);
  });

  it('a failing track script with weight -60 lowers the advertised priority, and preempting peers win', async () => {
    const io = new FakeTrackIo();
    const h = start([instance({ priority: 150, track: { interfaces: [], scripts: [{ name: 'chk', script: ['/bin/chk'], interval: 1, timeout: 1, weight: -60, rise: 1, fall: 2 }] } })], [], io);
    h.clock.advance(4000);
    assert.equal(state(h), 'MASTER');
    await new Promise((r) => setImmediate(r));
    io.checkResult = false;
    // fall 2: the second failure in a row counts.
    for (let i = 0; i < 2; i++) {
      h.clock.advance(1000);
      await new Promise((r) => setImmediate(r));
    }
    assert.equal(h.vrrp.states()[0].effectivePriority, 90);
    assert.ok(sent(h.dp).adverts.some((a) => a.priority === 90));
    h.dp.emitControlFrames([peerAdvert(100)]);
    assert.equal(state(h), 'BACKUP');
  });

  it('close() sends priority 0 as MASTER and runs notify stop', async () => {
    const h = start([instance()]);
    h.clock.advance(4000);
    sent(h.dp);
    await h.vrrp.close();
    assert.deepEqual(sent(h.dp).adverts.map((a) => a.priority), [0]);
    assert.deepEqual(h.commands.slice(-2), [['/bin/s'], ['/bin/any', '-x', 'INSTANCE', 'VI_1', 'STOP', '100']]);
    assert.deepEqual(h.dp.activeAddresses, []);
  });
});
