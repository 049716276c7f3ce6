// The election run against a fake dataplane, clock, ARP, tracking and command runner: what the
// director owns after each transition, what goes on the wire, which commands run.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';
import pino from 'pino';
import { decodeArp } from '../../src/arp/arp_codec';
import { decodeEthernet } from '../../src/arp/ethernet';
import type { VrrpInstanceSettings } from '../../src/config/vrrp_model';
import { advertFrame, decodeAdvertFrame } from '../../src/vrrp/codec';
import { startVrrp, type VrrpHeartbeat, type VrrpService } from '../../src/vrrp/service';
import type { VrrpClaim } from '../../src/heartbeat/codec';
import { holdsMastership, vouchFor, type PeerWord } from '../../src/heartbeat/peer_word';
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

/** The heartbeat as VRRP sees it, with the real rules (peer_word.ts) over peers the test describes. */
class FakeHeartbeat implements VrrpHeartbeat {
  readonly peers = new Map<string, PeerWord>();
  /** Whether a heartbeat link has this director's address (strangers are then refused). */
  onLan = false;
  announced = 0;
  left = false;
  private source: () => VrrpClaim[] = () => [];
  private readonly handlers: Array<(addresses: readonly string[]) => void> = [];
  isPeerAlive(a: string): boolean { return holdsMastership(this.peers.get(a)); }
  vouch(a: string, vrid: number, priority: number) { return vouchFor(this.peers.get(a), vrid, priority); }
  hasLinkAt(): boolean { return this.onLan; }
  announce(): void { this.announced++; }
  leave(): void { this.left = true; }
  setClaimSource(source: () => VrrpClaim[]): void { this.source = source; }
  onPeerHeartbeat(handler: (addresses: readonly string[]) => void): void { this.handlers.push(handler); }
  /** What this director's heartbeat would carry now. */
  claims(): VrrpClaim[] { return this.source(); }
  /** A valid heartbeat from the peer at `address` saying `word`. */
  hear(address: string, word: Partial<PeerWord>): void {
    this.peers.set(address, { alive: true, fault: false, stopping: false, claims: [], ...word });
    for (const h of this.handlers) h([address]);
  }
  /** The peer's heartbeat goes silent. */
  silence(address: string): void {
    const p = this.peers.get(address);
    if (p !== undefined) this.peers.set(address, { ...p, alive: false });
  }
}

const masterClaim = (priority: number, vrid = 1): Partial<PeerWord> => ({ claims: [{ virtualRouterId: vrid, state: 'MASTER', priority }] });

interface Harness {
  vrrp: VrrpService;
  dp: FakeDataplane;
  clock: FakeClock;
  arpMacs: Array<Map<string, string> | null>;
  commands: string[][];
  io: FakeTrackIo;
  heartbeat: FakeHeartbeat;
  gate: { open: boolean };
}

function start(
  instances: VrrpInstanceSettings[], syncGroups: { name: string; instances: string[] }[] = [], io = new FakeTrackIo(),
  heartbeat = new FakeHeartbeat(),
): Harness {
  const dp = new FakeDataplane();
  const clock = new FakeClock();
  const arpMacs: Array<Map<string, string> | null> = [];
  const commands: string[][] = [];
  const gate = { open: true };
  const vrrp = startVrrp({
    config: { instances, syncGroups: syncGroups.map((g) => ({ ...g, notify: { any: ['/bin/group'] } })) },
    dataplane: dp, clock, logger: pino({ level: 'silent' }),
    arp: { setVirtualMacs: (m) => arpMacs.push(m === null ? null : new Map(m)) },
    networkInterfaces: () => ({ eth0: [{ address: SELF, family: 'IPv4', internal: false, netmask: '255.255.255.0', mac: '02:00:00:00:00:01', cidr: null }] }),
    runCommand: async (argv) => { commands.push([...argv]); },
    trackIo: io,
    heartbeat,
    gate: { mayBecomeMaster: () => gate.open },
  });
  return { vrrp, dp, clock, arpMacs, commands, io, heartbeat, gate };
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
    h.heartbeat.hear(PEER, masterClaim(200));
    h.dp.emitControlFrames([peerAdvert(200)]);
    h.clock.advance(20_000);
    assert.equal(state(h), 'BACKUP');
    h.heartbeat.silence(PEER);
    h.clock.advance(100);
    assert.equal(state(h), 'MASTER');

    const g = start([instance()]);
    g.heartbeat.hear(PEER, masterClaim(200));
    g.dp.emitControlFrames([peerAdvert(200)]);
    g.heartbeat.hear(PEER, { ...masterClaim(200), stopping: true });
    g.dp.emitControlFrames([peerAdvert(0)]);
    g.clock.advance(610);
    assert.equal(state(g), 'MASTER');
  });

  it('a MASTER keeps mastership against a higher-priority advert its sender\'s signed heartbeat contradicts', () => {
    const h = start([instance({ priority: 150 })]);
    h.clock.advance(4000);
    assert.equal(state(h), 'MASTER');
    h.heartbeat.hear(PEER, { claims: [{ virtualRouterId: 1, state: 'BACKUP', priority: 100 }] });
    h.dp.emitControlFrames([peerAdvert(200)]);
    assert.equal(state(h), 'MASTER');
    h.heartbeat.hear(PEER, { claims: [{ virtualRouterId: 1, state: 'BACKUP', priority: 100 }] });
    assert.equal(state(h), 'MASTER');
    assert.equal(h.vrrp.states()[0].counters.advertsDropped.heartbeat, 1);
  });

  it('a BACKUP does not take over on a priority 0 while its master\'s heartbeat says it stays', () => {
    const h = start([instance()]);
    h.heartbeat.hear(PEER, masterClaim(200));
    h.dp.emitControlFrames([peerAdvert(200)]);
    h.dp.emitControlFrames([peerAdvert(0)]);
    h.clock.advance(610);
    assert.equal(state(h), 'BACKUP');
    for (let i = 0; i < 10; i++) {
      h.heartbeat.hear(PEER, masterClaim(200));
      h.dp.emitControlFrames([peerAdvert(200)]);
      h.clock.advance(1000);
    }
    assert.equal(state(h), 'BACKUP');
    assert.equal(h.vrrp.states()[0].counters.advertsDropped.heartbeat, 1);
  });

  it('an advert that arrives ahead of the heartbeat announcing it takes effect when that heartbeat comes', () => {
    const h = start([instance()]);
    h.clock.advance(4000);
    assert.equal(state(h), 'MASTER');
    h.heartbeat.hear(PEER, { claims: [{ virtualRouterId: 1, state: 'BACKUP', priority: 200 }] });
    h.dp.emitControlFrames([peerAdvert(200)]);
    assert.equal(state(h), 'MASTER');
    h.heartbeat.hear(PEER, masterClaim(200));
    assert.equal(state(h), 'BACKUP');
    assert.equal(h.vrrp.states()[0].masterAddress, PEER);
    assert.equal(h.vrrp.states()[0].counters.advertsDropped.heartbeat, 0);
  });

  it('refuses adverts from hosts that are no heartbeat peer when the heartbeat runs on this LAN', () => {
    const heartbeat = new FakeHeartbeat();
    heartbeat.onLan = true;
    const h = start([instance()], [], new FakeTrackIo(), heartbeat);
    h.clock.advance(4000);
    h.dp.emitControlFrames([peerAdvert(200)]);
    assert.equal(state(h), 'MASTER');
    assert.equal(h.vrrp.states()[0].counters.advertsDropped.peer, 1);
    // Without a heartbeat link on this LAN the heartbeat cannot tell, so VRRP's rules alone decide.
    const g = start([instance()]);
    g.clock.advance(4000);
    g.dp.emitControlFrames([peerAdvert(200)]);
    assert.equal(state(g), 'BACKUP');
  });

  it('announces its claims ahead of an advert that changes them, and says it leaves before its priority 0', async () => {
    const h = start([instance()]);
    const order: string[] = [];
    const send = h.dp.sendFrame.bind(h.dp);
    h.dp.sendFrame = (frame: Buffer) => {
      const ad = decodeAdvertFrame(frame);
      if (ad !== null) order.push(`advert ${ad.priority} after ${h.heartbeat.announced} announcements${h.heartbeat.left ? ', left' : ''}`);
      send(frame);
    };
    h.clock.advance(4000);
    assert.deepEqual(h.heartbeat.claims(), [{ virtualRouterId: 1, state: 'MASTER', priority: 100 }]);
    h.clock.advance(1000);
    await h.vrrp.close();
    assert.deepEqual(order, ['advert 100 after 1 announcements', 'advert 100 after 1 announcements', 'advert 0 after 2 announcements, left']);
  });

  it('keeps no state per advert source: 131072 spoofed sources leave the heap as it was', () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const h = start([instance({ priority: 50 })]);
    const forge = (n: number): Buffer => {
      const source = `198.${18 + (n >> 16)}.${(n >> 8) & 0xff}.${n & 0xff}`;
      return advertFrame({ version: 2, vrid: 1, priority: 200, addresses: [n % 2 === 0 ? VIP : '198.18.0.200'], adverInt: n % 3 === 0 ? 2 : 1, authType: 0 },
        { sourceMac: '02:00:00:00:00:03', sourceAddress: source, destinationAddress: '224.0.0.18' });
    };
    const feed = (from: number, to: number): void => {
      for (let n = from; n < to; n += 1024) h.dp.emitControlFrames(Array.from({ length: Math.min(1024, to - n) }, (_, i) => forge(n + i)));
    };
    feed(0, 4096);
    gc();
    const before = process.memoryUsage().heapUsed;
    feed(4096, 131072);
    gc();
    const grown = process.memoryUsage().heapUsed - before;
    assert.ok(grown < 2 * 1024 * 1024, `the heap grew by ${(grown / 1048576).toFixed(1)} MiB`);
    // One of them is this director's own address, which it ignores.
    assert.equal(h.vrrp.states()[0].counters.advertsReceived, 131071);
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
