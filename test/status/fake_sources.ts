// Status sources with every subsystem present, whose figures the tests know. tick() moves the
// clock one second and the counters by a varying amount, as a director under load would.
import type { Counters } from '../../src/dataplane/types';
import type { ListResult, RealServerState, Rates } from '../../src/control/protocol';
import type { StatusSources } from '../../src/status';
import { zeroDrops } from '../../src/dataplane/types';

export const STARTED_MS = Date.UTC(2026, 0, 2, 3, 4, 5);

const ZERO_RATES: Rates = { cps: 0, inPps: 0, outPps: 0, inBps: 0, outBps: 0 };

function counters(conns: number, inPackets: number, inBytes: number): Counters {
  return { conns, inPackets, inBytes, outPackets: 0, outBytes: 0 };
}

function real(address: string, extra: Partial<RealServerState>): RealServerState {
  return {
    address, port: 80, forward: 'dr', weight: 1, upperThreshold: 0, lowerThreshold: 0,
    stats: counters(0, 0, 0), rates: { ...ZERO_RATES }, activeConns: 0, inactiveConns: 0, persistentConns: 0,
    overloaded: false, macResolved: true, ...extra,
  };
}

export function fakeList(): ListResult {
  return {
    ipvsVersion: '1.2.1',
    pivsVersion: '9.8.7',
    connTableSize: 4096,
    timeouts: { tcp: 900, tcpfin: 120, udp: 300 },
    drops: { ...zeroDrops(), noConnection: 1, macUnknown: 1 },
    virtualServices: [
      {
        protocol: 'tcp', address: '198.18.0.10', port: 80, scheduler: 'wlc', schedFlags: [], sloppy: false,
        stats: counters(120, 900, 54000), rates: { cps: 4, inPps: 30, outPps: 0, inBps: 1800, outBps: 0 },
        realServers: [
          real('198.18.1.11', {
            weight: 3, stats: counters(70, 500, 30000), rates: { cps: 3, inPps: 20, outPps: 0, inBps: 1200, outBps: 0 },
            activeConns: 5, inactiveConns: 2,
            health: { state: 'up', lastResult: { ok: true, checker: 'http', message: '200 OK', at: '2026-01-02T03:05:00.000Z' },
              lastChange: '2026-01-02T03:04:30.000Z', checks: ['http GET /health on 198.18.1.11:80'] },
            agent: { loadIndex: 812.5, lastReport: '2026-01-02T03:05:01.000Z', alive: true },
          }),
          real('198.18.1.12', {
            weight: 0, configuredWeight: 2, stats: counters(50, 400, 24000), activeConns: 1, inactiveConns: 4,
            health: { state: 'down', lastResult: { ok: false, checker: 'tcp', message: 'connection refused', at: '2026-01-02T03:05:00.000Z' },
              lastChange: '2026-01-02T03:04:50.000Z', checks: ['tcp connect 198.18.1.12:80'] },
          }),
          real('198.18.1.13', { weight: 0, configuredWeight: 1, removed: true }),
        ],
      },
      {
        protocol: 'udp', address: '198.18.0.20', port: 53, scheduler: 'rr', schedFlags: [], sloppy: false,
        persistence: { timeout: 60, netmask: '255.255.255.255' },
        stats: counters(7, 7, 420), rates: { ...ZERO_RATES },
        realServers: [real('198.18.1.21', { port: 53, stats: counters(7, 7, 420), inactiveConns: 7 })],
      },
    ],
  };
}

export interface FakeSources extends StatusSources {
  /** One second later, every counter a bit higher. */
  tick(): void;
}

/** Every provider present (full) or only the director's list (bare). */
export function fakeSources(kind: 'full' | 'bare' = 'full'): FakeSources {
  let now = STARTED_MS + 90_500;
  // Uptime is on the monotonic clock: a test can set the wall clock apart from it.
  let uptime = 90_500;
  let step = 0;
  const list = fakeList();
  const base: FakeSources = {
    name: 'director-a',
    startedAtMs: STARTED_MS,
    now: () => now,
    uptimeMs: () => uptime,
    list: () => structuredClone(list),
    tick() {
      now += 1000;
      uptime += 1000;
      step++;
      // A slow wave so that plots show something recognisable, the same on every run.
      const wave = Math.round(7 + 4 * Math.sin(step / 6) + 2.5 * Math.sin(step / 1.7));
      for (const s of list.virtualServices) {
        s.realServers.forEach((r, i) => {
          if (r.removed === true) return;
          const add = Math.max(0, wave - 3 * i);
          r.stats.conns += add;
          r.stats.inPackets += add * 7;
          r.stats.inBytes += add * 420;
          s.stats.conns += add;
          s.stats.inPackets += add * 7;
          s.stats.inBytes += add * 420;
        });
      }
    },
  };
  if (kind === 'bare') return base;
  return {
    ...base,
    dataplane: () => ({
      backend: 'af_xdp', xdpMode: 'native copy', rxPackets: 1307, txPackets: 1300, ignored: 5, dropped: 2, drops: { ...zeroDrops(), noConnection: 1, macUnknown: 1 },
      connections: 19, connTableSize: 4096,
    }),
    vrrp: () => [{
      name: 'VI_1', virtualRouterId: 51, interface: 'lan0', version: 3, state: 'master', priority: 150,
      effectivePriority: 140, master: '198.18.0.2', virtualAddresses: ['198.18.0.10'],
      advertsDropped: { ttl: 0, version: 0, checksum: 0, auth: 0, interval: 0, peer: 3, heartbeat: 2 },
    }, {
      name: 'VI_2', virtualRouterId: 52, interface: 'lan0', version: 3, state: 'backup', priority: 100,
      effectivePriority: 100, master: '198.18.0.3', virtualAddresses: ['198.18.0.20'],
      advertsDropped: { ttl: 1, version: 0, checksum: 0, auth: 0, interval: 0, peer: 0, heartbeat: 0 },
    }],
    peers: () => [{
      name: 'director-b', alive: true, fault: true, stopping: false, claims: [{ virtualRouterId: 52, state: 'MASTER', priority: 150 }], paths: [
        { link: 'lan', address: '198.18.0.3', alive: true, lastSeenMs: now - 1500, peerHears: true },
        { link: 'backup', address: '198.19.0.3', alive: false, lastSeenMs: null, peerHears: false },
      ],
    }],
    links: () => [{ name: 'lan', interface: 'lan0', up: true, active: true }, { name: 'backup', interface: 'lan1', up: false, active: false }],
    sync: () => ({
      sent: 40, received: 12, installed: 33, refused: 1, forged: 0, replayed: 0, resyncs: 1, recordsRefused: { overTimeout: 2, overCap: 5 },
    }),
    heartbeat: () => ({ sent: 900, received: 880, forged: 3, replayed: 2, refused: 1 }),
    agent: () => ({ refused: { forged: 4, replayed: 1, spoofed: 0 } }),
  };
}
