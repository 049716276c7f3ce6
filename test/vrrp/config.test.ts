import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfig } from '../../src/config';

const base = 'director: { interface: eth0 }\n';

function vrrp(yaml: string): string {
  return `${base}vrrp:\n${yaml}`;
}

describe('config: vrrp section', () => {
  it('leaves the model without vrrp when the file has none', () => {
    assert.equal(parseConfig(base).vrrp, undefined);
  });

  it('fills keepalived\'s defaults', () => {
    const c = parseConfig(vrrp('  instances:\n    - { name: VI_1, virtualRouterId: 51, virtualAddresses: [198.18.0.100] }\n'));
    assert.deepEqual(c.vrrp, {
      instances: [{
        name: 'VI_1', interface: 'eth0', virtualRouterId: 51, priority: 100, advertInt: 1, version: 2, preempt: true,
        preemptDelay: 0, unicastPeers: [], virtualAddresses: ['198.18.0.100'],
        garp: { masterRepeat: 5, masterDelay: 5, masterRefresh: 0 }, notify: {}, track: { interfaces: [], scripts: [] },
      }],
      syncGroups: [],
    });
  });

  it('splits notify and track script commands like keepalived, without a shell', () => {
    const c = parseConfig(vrrp([
      '  instances:',
      '    - name: VI_1',
      '      virtualRouterId: 1',
      '      virtualAddresses: [198.18.0.100]',
      '      notify: { master: "/usr/local/bin/up \'a b\' c", any: [/bin/echo, x] }',
      '      track: { scripts: [{ name: chk, script: "/bin/check -q", weight: -20, fall: 3 }], interfaces: [{ name: eth1 }] }',
      '',
    ].join('\n')));
    const inst = c.vrrp!.instances[0];
    assert.deepEqual(inst.notify, { master: ['/usr/local/bin/up', 'a b', 'c'], any: ['/bin/echo', 'x'] });
    assert.deepEqual(inst.track.scripts, [{ name: 'chk', script: ['/bin/check', '-q'], interval: 1, timeout: 1, weight: -20, rise: 1, fall: 3 }]);
    assert.deepEqual(inst.track.interfaces, [{ name: 'eth1', weight: 0 }]);
  });

  const refused: Array<[string, string]> = [
    ['  instances:\n    - { name: A, virtualRouterId: 1, virtualAddresses: [198.18.0.100], advertInt: 0.5 }\n',
      'config: vrrp.instances[0].advertInt: 0.5 is not a whole number of seconds, which VRRP version 2 needs (use version: 3 for fractions)'],
    ['  instances:\n    - { name: A, virtualRouterId: 1, virtualAddresses: [198.18.0.100], version: 3, advertInt: 0.005 }\n',
      'config: vrrp.instances[0].advertInt: 0.005 is below the minimum 0.01'],
    ['  instances:\n    - { name: A, virtualRouterId: 1, virtualAddresses: [198.18.0.100], version: 3, authPass: x }\n',
      'config: vrrp.instances[0].authPass: is only for VRRP version 2 (RFC 5798 removed authentication); remove it or use version: 2'],
    ['  instances:\n    - { name: A, virtualRouterId: 256, virtualAddresses: [198.18.0.100] }\n',
      'config: vrrp.instances[0].virtualRouterId: 256 is above the maximum 255'],
    ['  instances:\n    - { name: A, virtualRouterId: 1, virtualAddresses: [198.18.0.100] }\n    - { name: B, virtualRouterId: 1, virtualAddresses: [198.18.0.101] }\n',
      'config: vrrp.instances[1].virtualRouterId: 1 is already used by vrrp.instances[0] on eth0'],
    ['  instances:\n    - { name: A, virtualRouterId: 1, virtualAddresses: [198.18.0.100] }\n    - { name: B, virtualRouterId: 2, virtualAddresses: [198.18.0.100] }\n',
      'config: vrrp.instances[1].virtualAddresses: 198.18.0.100 is already a virtual address of vrrp.instances[0]; an address moves with one instance only'],
    ['  instances:\n    - { name: A, virtualRouterId: 1, virtualAddresses: [nope] }\n',
      'config: vrrp.instances[0].virtualAddresses[0]: "nope" is not an IP address'],
    ['  instances:\n    - { name: A, interface: eth9, virtualRouterId: 1, virtualAddresses: [198.18.0.100] }\n',
      'config: vrrp.instances[0].interface: "eth9" is not the director\'s interface "eth0", the only one pivsd sends and receives on'],
    ['  instances:\n    - { name: A, virtualRouterId: 1, virtualAddresses: [198.18.0.100] }\n  syncGroups:\n    - { name: G, instances: [A, Z] }\n',
      'config: vrrp.syncGroups[0].instances[1]: "Z" is not the name of any vrrp instance'],
    ['  instances:\n    - { name: A, virtualRouterId: 1, virtualAddresses: [198.18.0.100], priority: 0 }\n',
      'config: vrrp.instances[0].priority: 0 is below the minimum 1'],
    ['  instances:\n    - { name: A, virtualRouterId: 1, virtualAddresses: [198.18.0.100], preemt: false }\n',
      'config: vrrp.instances[0].preemt: is not a known setting'],
  ];
  for (const [yaml, message] of refused) {
    it(`refuses: ${message}`, () => {
      assert.throws(() => parseConfig(vrrp(yaml)), { message });
    });
  }
});
