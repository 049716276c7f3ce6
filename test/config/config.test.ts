import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, keyText, loadConfigFile, parseConfig } from '../../src/config';
import type { Config } from '../../src/config/model';

const TESTDATA = join(__dirname, '..', '..', '..', 'test', 'config', 'testdata');

test('a good file gives the exact model with every default filled', () => {
  const expected: Config = {
    director: { interface: 'eth0', workers: 2, dataplane: 'auto', connTableSize: 1048576, mhTableSize: 65537 },
    timeouts: { tcp: 600, tcpfin: 120, udp: 300 },
    virtualServices: [
      {
        protocol: 'tcp', address: '198.18.0.10', port: 80, scheduler: 'mh', schedFlags: ['mh-port'], sloppy: true,
        realServers: [
          { address: '198.18.1.11', port: 80, forward: 'dr', weight: 3, upperThreshold: 0, lowerThreshold: 0 },
          { address: '198.18.1.12', port: 80, forward: 'dr', weight: 0, upperThreshold: 100, lowerThreshold: 50 },
        ],
      },
      {
        protocol: 'udp', address: '2001:db8::a', port: 0, scheduler: 'wlc', schedFlags: [], sloppy: false,
        persistence: { timeout: 60, netmask: '64' },
        realServers: [
          { address: '2001:db8::1:0:0:b', port: 0, forward: 'dr', weight: 1, upperThreshold: 0, lowerThreshold: 0 },
        ],
      },
      {
        protocol: 'tcp', address: '198.18.0.10', port: 443, scheduler: 'wlc', schedFlags: [], sloppy: false,
        persistence: { timeout: 300, netmask: '255.255.255.0' },
        realServers: [],
      },
    ],
  };
  assert.deepStrictEqual(loadConfigFile(join(TESTDATA, 'good.yaml')), expected);
});

test('an empty file with -i gives an empty table and default settings', () => {
  assert.deepStrictEqual(parseConfig('', { interface: 'lan0' }), {
    director: { interface: 'lan0', workers: 1, dataplane: 'auto', connTableSize: 1048576, mhTableSize: 65537 },
    timeouts: { tcp: 900, tcpfin: 120, udp: 300 },
    virtualServices: [],
  });
});

test('-i and --workers override the file', () => {
  const c = parseConfig('director: {interface: eth0, workers: 2}', { interface: 'eth9', workers: 4 });
  assert.equal(c.director.interface, 'eth9');
  assert.equal(c.director.workers, 4);
});

test('persistence defaults: timeout 300, IPv4 /32, IPv6 /128', () => {
  const c = parseConfig(`
director: {interface: eth0}
virtualServices:
  - {protocol: tcp, address: 198.18.0.1, port: 80, persistence: {}}
  - {protocol: tcp, address: "2001:db8::1", port: 80, persistence: {}}
`);
  assert.deepStrictEqual(c.virtualServices.map((s) => s.persistence), [
    { timeout: 300, netmask: '255.255.255.255' },
    { timeout: 300, netmask: '128' },
  ]);
});

const svc = (fields: string, reals = '[]') =>
  `director: {interface: eth0}\nvirtualServices:\n  - {protocol: tcp, address: 198.18.0.1, port: 80, ${fields} realServers: ${reals}}\n`;

const refused: [string, string, string][] = [
  ['a bad real server address', svc('', '[{address: 198.18.0.2}, {address: 198.18.0.300}]'),
    'config: virtualServices[0].realServers[1].address: "198.18.0.300" is not an IPv4 or IPv6 address'],
  ['a real server that is its VIP', svc('', '[{address: 198.18.0.1}]'),
    'config: virtualServices[0].realServers[0].address: 198.18.0.1 is the virtual service\'s own address; a real server must be another host'],
  ['a multicast VIP', 'director: {interface: eth0}\nvirtualServices: [{protocol: udp, address: 239.1.2.3, port: 53}]',
    'config: virtualServices[0].address: 239.1.2.3 is a multicast address; a virtual service needs a unicast address clients can reach'],
  ['a loopback VIP', 'director: {interface: eth0}\nvirtualServices: [{protocol: tcp, address: "::1", port: 80}]',
    'config: virtualServices[0].address: ::1 is the loopback address; a virtual service needs a unicast address clients can reach'],
  ['an unspecified VIP', 'director: {interface: eth0}\nvirtualServices: [{protocol: tcp, address: 0.0.0.0, port: 80}]',
    'config: virtualServices[0].address: 0.0.0.0 is the unspecified address; a virtual service needs a unicast address clients can reach'],
  ['a broadcast real server', svc('', '[{address: 255.255.255.255}]'),
    'config: virtualServices[0].realServers[0].address: 255.255.255.255 is the broadcast address; a real server needs a unicast address'],
  ['a table of fewer than 16 entries', 'director: {interface: eth0, connTableSize: 8}',
    'config: director.connTableSize: 8 is not a whole number from 16 to 67108864'],
  ['a bad service address', 'director: {interface: eth0}\nvirtualServices: [{protocol: tcp, address: "2001:db8::1::2", port: 80}]',
    'config: virtualServices[0].address: "2001:db8::1::2" is not an IPv4 or IPv6 address'],
  ['a scoped IPv6 address', 'director: {interface: eth0}\nvirtualServices: [{protocol: tcp, address: "fe80::1%eth0", port: 80}]',
    'config: virtualServices[0].address: "fe80::1%eth0" is not an IPv4 or IPv6 address'],
  ['port 0 without persistence', 'director: {interface: eth0}\nvirtualServices: [{protocol: udp, address: 198.18.0.1, port: 0}]',
    'config: virtualServices[0].port: 0 (any port) is only allowed for a persistent virtual service; set persistence or a port'],
  ['a port above 65535', 'director: {interface: eth0}\nvirtualServices: [{protocol: udp, address: 198.18.0.1, port: 65536}]',
    'config: virtualServices[0].port: 65536 is above the maximum 65535'],
  ['a duplicate virtual service', 'director: {interface: eth0}\nvirtualServices:\n  - {protocol: tcp, address: "2001:db8::1", port: 80}\n  - {protocol: udp, address: "2001:db8::1", port: 80}\n  - {protocol: tcp, address: "2001:DB8:0::1", port: 80}\n',
    'config: virtualServices[2]: tcp [2001:db8::1]:80 is the same virtual service as virtualServices[0]'],
  ['a duplicate real server', svc('', '[{address: 198.18.1.1}, {address: 198.18.1.2}, {address: 198.18.1.1, weight: 5}]'),
    'config: virtualServices[0].realServers[2].address: "198.18.1.1" is already realServers[0] of this virtual service'],
  ['a real server of the other family', svc('', '[{address: "2001:db8::5"}]'),
    'config: virtualServices[0].realServers[0].address: "2001:db8::5" is IPv6 but the virtual service is IPv4'],
  ['a real server port other than the service port', svc('', '[{address: 198.18.1.1, port: 8080}]'),
    'config: virtualServices[0].realServers[0].port: 8080 differs from the virtual service port 80; direct routing keeps the destination port, so leave it out'],
  ['a weight above 65535', svc('', '[{address: 198.18.1.1, weight: 65536}]'),
    'config: virtualServices[0].realServers[0].weight: 65536 is above the maximum 65535'],
  ['a negative weight', svc('', '[{address: 198.18.1.1, weight: -1}]'),
    'config: virtualServices[0].realServers[0].weight: -1 is below the minimum 0'],
  ['a lower threshold above the upper', svc('', '[{address: 198.18.1.1, upperThreshold: 10, lowerThreshold: 11}]'),
    'config: virtualServices[0].realServers[0].lowerThreshold: 11 is above upperThreshold 10'],
  ['NAT forwarding', svc('', '[{address: 198.18.1.1, forward: masq}]'),
    'config: virtualServices[0].realServers[0].forward: "masq" is not one of dr'],
  ['an unknown scheduler', svc('scheduler: fastest,'),
    'config: virtualServices[0].scheduler: "fastest" is not one of rr, wrr, lc, wlc, sed, nq, sh, dh, mh, fo, ovf, twos, lblc, lblcr, has'],
  ['a scheduler flag of another scheduler', svc('scheduler: sh, schedFlags: [sh-port, mh-fallback],'),
    'config: virtualServices[0].schedFlags: "mh-fallback" only applies to scheduler mh, not sh'],
  ['a repeated scheduler flag', svc('scheduler: mh, schedFlags: [mh-port, mh-port],'),
    'config: virtualServices[0].schedFlags: "mh-port" is listed twice'],
  ['a non-contiguous netmask', svc('persistence: {netmask: 255.0.255.0},'),
    'config: virtualServices[0].persistence.netmask: "255.0.255.0" is not an IPv4 netmask (e.g. 255.255.255.0 or 24)'],
  ['an IPv6 prefix out of range', 'director: {interface: eth0}\nvirtualServices: [{protocol: tcp, address: "2001:db8::1", port: 80, persistence: {netmask: 129}}]',
    'config: virtualServices[0].persistence.netmask: 129 is not an IPv6 prefix length (1 to 128)'],
  ['a zero persistence timeout', svc('persistence: {timeout: 0},'),
    'config: virtualServices[0].persistence.timeout: 0 is below the minimum 1'],
  ['a zero tcp timeout', 'director: {interface: eth0}\ntimeouts: {tcp: 0}',
    'config: timeouts.tcp: 0 is below the minimum 1'],
  ['a fractional udp timeout', 'director: {interface: eth0}\ntimeouts: {udp: 1.5}',
    'config: timeouts.udp: 1.5 is not a whole number'],
  ['a non-prime Maglev table size', 'director: {interface: eth0, mhTableSize: 65535}',
    'config: director.mhTableSize: 65535 is not a prime number from 3 to 1048573 (Maglev needs one, e.g. 65537)'],
  ['a relative state directory', 'director: {interface: eth0, stateDirectory: var/lib/pivs}',
    'config: director.stateDirectory: "var/lib/pivs" is not an absolute path; give one such as /var/lib/pivs'],
  ['zero workers', 'director: {interface: eth0, workers: 0}',
    'config: director.workers: 0 is below the minimum 1'],
  ['a missing interface', 'virtualServices: []',
    'config: director.interface: is required but missing; set it in the file or start pivsd with -i IFACE'],
  ['a bad interface name', 'director: {interface: "eth0/1"}',
    'config: director.interface: "eth0/1" is not a Linux interface name (1 to 15 printable ASCII characters, not "." or "..", no "/" or ":")'],
  ['a misspelt field', svc('wieght: 3,'),
    'config: virtualServices[0].wieght: is not a known setting'],
  ['a missing protocol', 'director: {interface: eth0}\nvirtualServices: [{address: 198.18.0.1, port: 80}]',
    'config: virtualServices[0].protocol: is required but missing'],
  ['a string where a boolean belongs', svc('sloppy: "yes",'),
    'config: virtualServices[0].sloppy: "yes" is not true or false'],
  ['a list at the top', '- 1\n',
    'config: the file holds a list, not a mapping of settings (director, timeouts, virtualServices)'],
  ['a duplicate YAML key', 'director: {interface: eth0}\ndirector: {interface: eth1}\n',
    'config: line 2, column 1: Map keys must be unique (the file is not valid YAML)'],
  ['broken YAML', 'virtualServices: [\n',
    'config: line 2, column 1: Flow sequence in block collection must be sufficiently indented and end with a ] (the file is not valid YAML)'],
];

for (const [what, text, message] of refused) {
  test(`refused whole with one sentence: ${what}`, () => {
    assert.throws(() => parseConfig(text), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.equal(e.message, message);
      return true;
    });
  });
}

test('an unreadable file is refused with its path', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pivs-config-'));
  try {
    const missing = join(dir, 'nope.yaml');
    assert.throws(() => loadConfigFile(missing),
      { name: 'ConfigError', message: `config: cannot read ${missing} (ENOENT); check the path and its permissions` });
    const file = join(dir, 'ok.yaml');
    writeFileSync(file, 'director: {interface: eth0}\n');
    assert.equal(loadConfigFile(file).director.interface, 'eth0');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the example in docs/config.md is a valid configuration', () => {
  const doc = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'config.md'), 'utf8');
  const example = /## Example\n\n```yaml\n([\s\S]*?)```/.exec(doc)?.[1];
  assert.ok(example !== undefined, 'docs/config.md has an Example yaml block');
  const c = parseConfig(example);
  assert.deepStrictEqual(c.virtualServices.map((s) => keyText(s)),
    ['tcp 198.18.0.10:80', 'tcp 198.18.0.10:443', 'udp [2001:db8::10]:0']);
  assert.deepStrictEqual(c.virtualServices[2].persistence, { timeout: 600, netmask: '64' });
});

const fromObject = (o: object): Config => parseConfig(JSON.stringify(o));

test('director.staticNeighbours: addresses and MACs normalised, a repeat or a multicast MAC refused with one sentence', () => {
    const cfg = fromObject({ director: { interface: 'eth0', staticNeighbours: [{ address: '2001:DB8::0:21', mac: '52:54:00:AB:CD:EF' }] } });
    assert.deepEqual(cfg.director.staticNeighbours, [{ address: '2001:db8::21', mac: '52:54:00:ab:cd:ef' }]);
    assert.throws(() => fromObject({ director: { interface: 'eth0', staticNeighbours: [
      { address: '198.18.0.21', mac: '52:54:00:00:00:21' }, { address: '198.18.0.21', mac: '52:54:00:00:00:22' }] } }),
    /director\.staticNeighbours\[1\]\.address.*listed twice/);
    assert.throws(() => fromObject({ director: { interface: 'eth0', staticNeighbours: [{ address: '198.18.0.21', mac: '01:00:5e:00:00:01' }] } }),
      /not a unicast MAC address/);
});
