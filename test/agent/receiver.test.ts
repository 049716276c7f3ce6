import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { encodeReport } from '../../src/agent/codec';
import { AgentReceiver, type AgentDirector } from '../../src/agent/receiver';
import type { Config, RealServer, VirtualService } from '../../src/config/model';
import { Director } from '../../src/control/director';
import type { RealAvailability, RealTarget } from '../../src/control/weights';
import { FakeDataplane } from '../fakes/dataplane';

const KEY = 'agent-key-0123456789';
const SETTINGS = { listen: '0.0.0.0', port: 8850, key: KEY, timeoutMs: 3000 };
const RS1 = '198.18.1.11';
const RS2 = '198.18.1.12';
const RS3 = '198.18.1.13';

function real(address: string, weight = 1): RealServer {
  return { address, port: 80, forward: 'dr', weight, upperThreshold: 0, lowerThreshold: 0 };
}

function service(over: Partial<VirtualService>): VirtualService {
  return {
    protocol: 'tcp', address: '198.18.0.10', port: 80, scheduler: 'has', schedFlags: [], sloppy: false,
    realServers: [real(RS1), real(RS2)], ...over,
  };
}

class FakeDirector implements AgentDirector {
  readonly calls: string[] = [];
  setAvailability(source: 'agent', target: RealTarget, availability: RealAvailability): void {
    const where = target.service === undefined ? '*' : `${target.service.protocol}:${target.service.port}`;
    this.calls.push(`${source} ${where} ${target.address} ${availability}`);
  }
  setDynamicWeight(address: string, weight: number | null): void {
    this.calls.push(`weight ${address} ${weight}`);
  }
}

/** One clock for both wall and monotonic time, unless a test moves them apart. */
class Clock {
  ms = 1_700_000_000_000;
  now = () => this.ms;
}

function setUp(services: VirtualService[]) {
  const clock = new Clock();
  const director = new FakeDirector();
  const dataplane = new FakeDataplane();
  const receiver = new AgentReceiver({ settings: SETTINGS, director, dataplane, services: () => services, now: clock.now, clock });
  const seqs = new Map<string, bigint>();
  const report = (address: string, loadIndex: number, extra: { weight?: number; key?: string; seq?: bigint; from?: string } = {}) => {
    const seq = extra.seq ?? (seqs.get(address) ?? 100n) + 1n;
    seqs.set(address, seq);
    const msg = encodeReport({
      address, loadIndex, seq, timeMs: clock.ms, ...(extra.weight === undefined ? {} : { weight: extra.weight }),
    }, extra.key ?? KEY);
    return receiver.handle(msg, extra.from ?? address);
  };
  return { clock, director, dataplane, receiver, report };
}

describe('agent receiver', () => {
  it('hands each accepted load index to the dataplane', () => {
    const { dataplane, report } = setUp([service({})]);
    assert.equal(report(RS1, 400), 'accepted');
    assert.equal(report(RS2, 250.5), 'accepted');
    assert.deepEqual([...dataplane.loads], [[RS1, 400], [RS2, 250.5]]);
  });

  it('drops forged and replayed reports without touching anything', () => {
    const { dataplane, report, receiver } = setUp([service({})]);
    assert.equal(report(RS1, 400, { seq: 1000n }), 'accepted');
    assert.equal(report(RS1, 999, { key: 'not-the-right-key-at-all' }), 'forged');
    assert.equal(report(RS1, 999, { seq: 1000n }), 'replayed', 'a duplicate');
    assert.equal(report(RS1, 999, { seq: 9n }), 'replayed', 'too old to tell from a replay');
    assert.equal(receiver.handle(Buffer.from('hello'), RS1), 'forged');
    assert.deepEqual([...dataplane.loads], [[RS1, 400]]);
    assert.equal(receiver.view(RS1).loadIndex, 400);
  });

  it('takes a reordered report once, as a sign of life that leaves the newer figures in place', () => {
    const { clock, dataplane, report, receiver } = setUp([service({})]);
    assert.equal(report(RS1, 400, { seq: 12n }), 'accepted');
    clock.ms += 2000;
    assert.equal(report(RS1, 300, { seq: 11n }), 'accepted');
    assert.equal(report(RS1, 300, { seq: 11n }), 'replayed');
    assert.deepEqual([...dataplane.loads], [[RS1, 400]]);
    assert.equal(receiver.view(RS1).loadIndex, 400);
    clock.ms += 2000; // 4000 ms after the newest report, 2000 after the late one
    receiver.tick();
    assert.equal(receiver.view(RS1).alive, true);
  });

  it('times out on the monotonic clock: a wall clock set a day forward or back changes nothing', () => {
    const wall = new Clock();
    const mono = new Clock();
    const director = new FakeDirector();
    const receiver = new AgentReceiver({
      settings: SETTINGS, director, dataplane: new FakeDataplane(), services: () => [service({})], now: wall.now, clock: mono,
    });
    const send = (address: string, seq: bigint) => receiver.handle(encodeReport({ address, loadIndex: 1, seq, timeMs: wall.ms }, KEY), address);
    assert.equal(send(RS1, 1n), 'accepted');
    assert.equal(send(RS2, 1n), 'accepted');
    wall.ms += 86_400_000;
    mono.ms += 1000;
    receiver.tick();
    assert.deepEqual(director.calls, [], 'nobody silent after 1 s');
    assert.equal(receiver.view(RS1).lastReport, new Date(wall.ms - 1000).toISOString(), 'shown on the wall clock');
    wall.ms -= 2 * 86_400_000;
    mono.ms += 1000;
    assert.equal(send(RS2, 2n), 'accepted');
    mono.ms += 1000; // RS1 silent for 3000 ms
    receiver.tick();
    assert.deepEqual(director.calls, [`agent tcp:80 ${RS1} quiescent`]);
  });

  it('a report speaks only for the address it came from, with that server\'s own key when it has one', () => {
    const clock = new Clock();
    const dataplane = new FakeDataplane();
    const own = 'rs2-own-key-0123456789';
    const receiver = new AgentReceiver({
      settings: { ...SETTINGS, keys: [{ address: RS2, key: own }] }, director: new FakeDirector(), dataplane,
      services: () => [service({})], now: clock.now, clock,
    });
    const msg = (address: string, key: string) => encodeReport({ address, loadIndex: 1, seq: 5n, timeMs: clock.ms }, key);
    assert.equal(receiver.handle(msg(RS2, KEY), RS1), 'spoofed', 'a report for RS2 sent from RS1');
    assert.equal(receiver.handle(msg(RS1, own), RS2), 'spoofed', 'a report for RS1 sent from RS2');
    assert.equal(receiver.handle(msg(RS2, KEY), RS2), 'forged', 'RS2 must use its own key');
    assert.equal(receiver.handle(msg(RS2, own), RS2), 'accepted');
    assert.equal(receiver.handle(msg(RS1, KEY), `::ffff:${RS1}`), 'accepted', 'an IPv4-mapped source is its IPv4 address');
    assert.deepEqual(receiver.refused, { forged: 1, replayed: 0, spoofed: 2 });
  });

  it('a forged huge sequence locks the real agent out for one timeout at most', () => {
    const { clock, report, receiver } = setUp([service({})]);
    assert.equal(report(RS1, 400, { seq: 1000n }), 'accepted');
    assert.equal(report(RS1, 1, { seq: 2n ** 64n - 1n }), 'accepted', 'signed with the shared key by another key holder');
    assert.equal(report(RS1, 400, { seq: 1001n }), 'replayed');
    clock.ms += SETTINGS.timeoutMs;
    assert.equal(report(RS1, 400, { seq: 1002n }), 'accepted', 'the real agent is heard again');
    assert.equal(receiver.view(RS1).loadIndex, 400);
    assert.equal(report(RS1, 400, { seq: 1002n }), 'replayed', 'and its own replays still are not');
  });

  it('makes a silent real server quiescent after timeoutMs and takes it back when reports resume', () => {
    const { clock, director, dataplane, receiver, report } = setUp([service({})]);
    report(RS1, 400);
    report(RS2, 300);
    clock.ms += 2000;
    report(RS2, 300);
    receiver.tick();
    assert.deepEqual(director.calls, []);
    clock.ms += 1000; // RS1 silent for 3000 ms = timeoutMs
    receiver.tick();
    assert.deepEqual(director.calls, [`agent tcp:80 ${RS1} quiescent`]);
    assert.equal(dataplane.loads.get(RS1), null);
    assert.equal(receiver.view(RS1).alive, false);
    receiver.tick();
    assert.equal(director.calls.length, 1, 'only transitions reach the director');
    report(RS1, 410);
    assert.deepEqual(director.calls, [`agent tcp:80 ${RS1} quiescent`, `agent tcp:80 ${RS1} up`]);
    assert.equal(dataplane.loads.get(RS1), 410);
    assert.deepEqual(receiver.view(RS1), {
      loadIndex: 410, lastReport: new Date(clock.ms).toISOString(), alive: true,
    });
  });

  it('gives a server never heard of timeoutMs from the start before making it quiescent', () => {
    const { clock, director, receiver } = setUp([service({})]);
    clock.ms += 2999;
    receiver.tick();
    assert.deepEqual(director.calls, []);
    clock.ms += 1;
    receiver.tick();
    assert.deepEqual(director.calls, [`agent tcp:80 ${RS1} quiescent`, `agent tcp:80 ${RS2} quiescent`]);
  });

  it('leaves services without has or dynamicWeights alone', () => {
    const plain = service({ scheduler: 'wlc', port: 443 });
    const { clock, director, receiver } = setUp([plain]);
    clock.ms += 10000;
    receiver.tick();
    assert.deepEqual(director.calls, []);
  });

  it('feeds weights to dynamicWeights services: reported weight, else load scaled to the best', () => {
    const services = [service({ scheduler: 'wlc', dynamicWeights: true, realServers: [real(RS1), real(RS2), real(RS3)] })];
    const { clock, director, receiver, report } = setUp(services);
    report(RS1, 400);
    report(RS2, 100);
    report(RS3, 50, { weight: 9 });
    receiver.tick();
    assert.deepEqual(director.calls, [`weight ${RS1} 100`, `weight ${RS2} 25`, `weight ${RS3} 9`]);
    director.calls.length = 0;
    clock.ms += 2999;
    report(RS2, 100);
    report(RS3, 50, { weight: 9 });
    clock.ms += 1;
    receiver.tick();
    // RS1 timed out: quiescent, its dynamic weight dropped, RS2 is now the best.
    assert.deepEqual(director.calls, [
      `agent tcp:80 ${RS1} quiescent`, `weight ${RS1} null`, `weight ${RS2} 100`,
    ]);
  });
});

describe('agent receiver with the real director', () => {
  it('shows weight 0 for a silent server and the agent weight only where dynamicWeights is set', () => {
    const clock = new Clock();
    const dataplane = new FakeDataplane();
    const config: Config = {
      director: { interface: 'lan0', workers: 1, dataplane: 'af_packet', connTableSize: 4096, mhTableSize: 65537 },
      timeouts: { tcp: 900, tcpfin: 120, udp: 300 },
      virtualServices: [
        service({ scheduler: 'wrr', dynamicWeights: true, realServers: [real(RS1, 5), real(RS2, 5)] }),
        service({ scheduler: 'wrr', port: 8080, realServers: [real(RS1, 5), real(RS2, 5)] }),
      ],
    };
    const director = new Director({ config, dataplane, arp: { setAddresses: () => {} }, logger: pino({ level: 'silent' }) });
    const receiver = new AgentReceiver({
      settings: SETTINGS, director, dataplane, services: () => director.config.virtualServices, now: clock.now, clock,
    });
    let seq = 1n;
    const send = (address: string, loadIndex: number) =>
      receiver.handle(encodeReport({ address, loadIndex, seq: seq++, timeMs: clock.ms }, KEY), address);
    send(RS1, 400);
    send(RS2, 200);
    receiver.tick();
    const weights = () => director.effectiveServices().map((s) => s.realServers.map((r) => r.weight));
    assert.deepEqual(weights(), [[100, 50], [5, 5]]);
    clock.ms += 3000;
    send(RS2, 200);
    receiver.tick();
    assert.deepEqual(weights(), [[0, 100], [5, 5]]);
    const list = director.list();
    receiver.annotate(list);
    assert.equal(list.virtualServices[0].realServers[0].agent?.alive, false);
    assert.equal(list.virtualServices[0].realServers[1].agent?.loadIndex, 200);
    assert.equal(list.virtualServices[1].realServers[0].agent, undefined);
  });
});
