// The route-metric method of a real server (src/link/routes.ts): what is read from
// `ip -o -4 route show`, the `ip` commands planned at start, on a switch and on stop, and the
// mover's record (sysctls restored, standby routes removed) against a fake host.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRoutes, planRemove, planStandby, planSwitch, RouteMetricMover, type Route, type RouteHost } from '../../src/link/routes';

// As `ip -o -4 route show dev eth0` prints them (the device is left out, lines end with a space).
const PRIMARY = [
  'default via 198.18.0.254 proto static metric 100 ',
  '198.18.0.0/24 proto kernel scope link src 198.18.0.11 ',
  '198.18.5.0/24 via 198.18.0.1 metric 50 linkdown ',
  '198.18.6.7 scope link mtu lock 1400 ',
  'blackhole 198.18.9.0/24 ',
  '198.18.8.0/24 nhid 12 proto static ',
  '',
].join('\n');

const DEFAULT = ['default', 'via', '198.18.0.254', 'proto', 'static'];
const CONNECTED = ['198.18.0.0/24', 'scope', 'link', 'src', '198.18.0.11'];
const EXTRA = ['198.18.5.0/24', 'via', '198.18.0.1'];

function routes(): Route[] {
  return parseRoutes(PRIMARY).slice(0, 3);
}

describe('route-metric method: reading the primary\'s routes', () => {
  it('keeps gateway, metric, src and scope; marks the kernel\'s prefix route; drops flags and what is not one link\'s', () => {
    assert.deepEqual(parseRoutes(PRIMARY), [
      { prefix: 'default', via: '198.18.0.254', metric: 100, kernel: false, attrs: ['proto', 'static'] },
      { prefix: '198.18.0.0/24', via: null, metric: 0, kernel: true, attrs: ['scope', 'link', 'src', '198.18.0.11'] },
      { prefix: '198.18.5.0/24', via: '198.18.0.1', metric: 50, kernel: false, attrs: [] },
      { prefix: '198.18.6.7', via: null, metric: 0, kernel: false, attrs: ['scope', 'link', 'mtu', 'lock', '1400'] },
    ]);
  });
});

describe('route-metric method: plans', () => {
  it('at start each other link gets a copy at base + 10 per rank, gateways onlink, the kernel route as a static one', () => {
    const r = routes();
    assert.deepEqual(planStandby(r, ['eth0', 'eth1']), [
      ['route', 'append', ...DEFAULT, 'dev', 'eth1', 'metric', '110', 'onlink'],
      ['route', 'append', ...CONNECTED, 'dev', 'eth1', 'metric', '10'],
      ['route', 'append', ...EXTRA, 'dev', 'eth1', 'metric', '60', 'onlink'],
    ]);
    const three = planStandby([r[2]], ['eth0', 'eth1', 'eth2']);
    assert.deepEqual(three.map((c) => `${c[c.indexOf('dev') + 1]} ${c[c.indexOf('metric') + 1]}`), ['eth1 60', 'eth2 70']);
  });

  it('a switch puts the new link at the base metric first, then demotes the old one; each route is added before it is deleted', () => {
    assert.deepEqual(planSwitch(routes(), ['eth0', 'eth1'], 'eth0', 'eth1'), [
      ['route', 'append', ...DEFAULT, 'dev', 'eth1', 'metric', '100', 'onlink'],
      ['route', 'del', 'default', 'via', '198.18.0.254', 'dev', 'eth1', 'metric', '110'],
      // The address move made the kernel's prefix route on eth1: only its standby copy goes.
      ['route', 'del', '198.18.0.0/24', 'dev', 'eth1', 'metric', '10'],
      ['route', 'append', ...EXTRA, 'dev', 'eth1', 'metric', '50', 'onlink'],
      ['route', 'del', '198.18.5.0/24', 'via', '198.18.0.1', 'dev', 'eth1', 'metric', '60'],
      ['route', 'append', ...DEFAULT, 'dev', 'eth0', 'metric', '110', 'onlink'],
      ['route', 'del', 'default', 'via', '198.18.0.254', 'dev', 'eth0', 'metric', '100'],
      // The address left eth0 with its prefix route: a standby copy takes its place.
      ['route', 'append', ...CONNECTED, 'dev', 'eth0', 'metric', '10'],
      ['route', 'append', ...EXTRA, 'dev', 'eth0', 'metric', '60', 'onlink'],
      ['route', 'del', '198.18.5.0/24', 'via', '198.18.0.1', 'dev', 'eth0', 'metric', '50'],
    ]);
  });

  it('failback is the same swap the other way', () => {
    const back = planSwitch([routes()[2]], ['eth0', 'eth1'], 'eth1', 'eth0');
    assert.deepEqual(back, [
      ['route', 'append', ...EXTRA, 'dev', 'eth0', 'metric', '50', 'onlink'],
      ['route', 'del', '198.18.5.0/24', 'via', '198.18.0.1', 'dev', 'eth0', 'metric', '60'],
      ['route', 'append', ...EXTRA, 'dev', 'eth1', 'metric', '60', 'onlink'],
      ['route', 'del', '198.18.5.0/24', 'via', '198.18.0.1', 'dev', 'eth1', 'metric', '50'],
    ]);
  });

  it('with three links the standbys keep their order of preference', () => {
    const cmds = planSwitch([routes()[2]], ['eth0', 'eth1', 'eth2'], 'eth0', 'eth2');
    assert.deepEqual(cmds.map((c) => `${c[1]} ${c[c.indexOf('dev') + 1]} ${c[c.indexOf('metric') + 1]}`),
      ['append eth2 50', 'del eth2 70', 'append eth0 60', 'del eth0 50', 'append eth1 70', 'del eth1 60']);
  });

  it('on stop the standby copies go and the active link keeps its routes', () => {
    assert.deepEqual(planRemove(routes(), ['eth0', 'eth1'], 'eth1'), [
      ['route', 'del', 'default', 'via', '198.18.0.254', 'dev', 'eth0', 'metric', '110'],
      ['route', 'del', '198.18.0.0/24', 'dev', 'eth0', 'metric', '10'],
      ['route', 'del', '198.18.5.0/24', 'via', '198.18.0.1', 'dev', 'eth0', 'metric', '60'],
    ]);
  });

  it('every prefix keeps a route on the new link at each step of a switch away from a cut link', () => {
    const r = routes();
    const links = ['eth0', 'eth1'];
    // The routing table as "prefix dev metric": the primary's own, then the standby copies.
    const table = new Set(r.map((x) => `${x.prefix} eth0 ${x.metric}`));
    const apply = (c: string[]): void => {
      const entry = `${c[2]} ${c[c.indexOf('dev') + 1]} ${c[c.indexOf('metric') + 1]}`;
      if (c[1] === 'append') table.add(entry); else assert.ok(table.delete(entry), `${entry} was not there`);
    };
    planStandby(r, links).forEach(apply);
    // The address move: the kernel adds the prefix route on eth1 and removes it from eth0.
    table.add('198.18.0.0/24 eth1 0');
    table.delete('198.18.0.0/24 eth0 0');
    for (const c of planSwitch(r, links, 'eth0', 'eth1')) {
      apply(c);
      for (const x of r) assert.ok([...table].some((e) => e.startsWith(`${x.prefix} eth1 `)), `${x.prefix} has no route on eth1 after ${c.join(' ')}`);
    }
    assert.deepEqual([...table].sort(), ['198.18.0.0/24 eth0 10', '198.18.0.0/24 eth1 0', '198.18.5.0/24 eth0 60', '198.18.5.0/24 eth1 50', 'default eth0 110', 'default eth1 100']);
  });
});

class FakeHost implements RouteHost {
  readonly calls: string[] = [];
  readonly sysctl = new Map([['eth0', '0'], ['eth1', '1']]);
  fail: RegExp | null = null;
  ip(args: string[]): Promise<string> {
    const line = args.join(' ');
    if (args.includes('show')) return Promise.resolve(PRIMARY);
    this.calls.push(line);
    if (args[1] === 'del' && args.includes('110')) return Promise.reject(new Error('RTNETLINK answers: No such process'));
    if (this.fail?.test(line)) return Promise.reject(new Error('RTNETLINK answers: Operation not permitted'));
    return Promise.resolve('');
  }
  readSysctl(link: string): string { return this.sysctl.get(link)!; }
  writeSysctl(link: string, value: string): void { this.calls.push(`sysctl ${link}=${value}`); this.sysctl.set(link, value); }
}

describe('route-metric method: the mover', () => {
  it('sets ignore_routes_with_linkdown, moves addresses before routes, and on close leaves only the active link\'s routes', async () => {
    const host = new FakeHost();
    const moved: string[] = [];
    const { mover, errors } = await RouteMetricMover.install(['eth0', 'eth1'], host, { move: async (f, t) => { moved.push(`${f}->${t}`); host.calls.push('addresses'); } });
    assert.deepEqual(errors, []);
    assert.deepEqual(host.calls.slice(0, 2), ['sysctl eth0=1', 'route append default via 198.18.0.254 proto static dev eth1 metric 110 onlink']);
    host.calls.length = 0;
    await mover.move('eth0', 'eth1');
    assert.deepEqual(moved, ['eth0->eth1']);
    assert.equal(host.calls[0], 'addresses');
    assert.equal(mover.activeLink(), 'eth1');
    host.calls.length = 0;
    // A route already gone (No such process) is what the plan wanted: not an error.
    assert.deepEqual(await mover.close(), []);
    assert.deepEqual(host.calls.at(-1), 'sysctl eth0=0');
    assert.ok(host.calls.every((c) => c.startsWith('sysctl') || c.includes('dev eth0')), host.calls.join('\n'));
    assert.equal(host.sysctl.get('eth1'), '1');
  });

  it('a failed command does not stop the swap; the switch reports it', async () => {
    const host = new FakeHost();
    const { mover } = await RouteMetricMover.install(['eth0', 'eth1'], host, { move: async () => undefined });
    host.fail = /^route append default .* dev eth1 metric 100/;
    await assert.rejects(mover.move('eth0', 'eth1'), /dev eth1 metric 100 onlink: RTNETLINK answers: Operation not permitted/);
    assert.ok(host.calls.some((c) => c.startsWith('route append 198.18.5.0/24 via 198.18.0.1 dev eth0 metric 60')));
  });
});
