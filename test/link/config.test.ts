// director.links in the config file, and pivsadm --links as a user reads it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfig } from '../../src/config/load';
import { formatLinks } from '../../src/cli/format_links';
import { parseInvocation } from '../../src/cli/parse';
import { NUMERIC } from '../../src/cli/names';

describe('director.links config', () => {
  it('the first link is the interface; holdDownMs defaults to 5000', () => {
    const c = parseConfig('director:\n  links:\n    - interface: eth0\n    - interface: eth1\n');
    assert.equal(c.director.interface, 'eth0');
    assert.deepEqual(c.director.links, [{ interface: 'eth0' }, { interface: 'eth1' }]);
    assert.equal(c.director.holdDownMs, 5000);
  });

  it('a config without links is unchanged', () => {
    const c = parseConfig('director:\n  interface: eth0\n');
    assert.equal(c.director.links, undefined);
    assert.equal(c.director.holdDownMs, undefined);
  });

  it('refuses an interface other than the first link, twice the same link, and a bad hold-down', () => {
    assert.throws(() => parseConfig('director:\n  interface: eth2\n  links: [{ interface: eth0 }, { interface: eth1 }]\n'),
      /director\.interface: is "eth2" but the first of director\.links is "eth0"/);
    assert.throws(() => parseConfig('director:\n  links: [{ interface: eth0 }, { interface: eth0 }]\n'),
      /director\.links\[1\]\.interface: "eth0" is listed twice/);
    assert.throws(() => parseConfig('director:\n  links: [{ interface: eth0 }]\n  holdDownMs: -1\n'), /holdDownMs/);
    assert.throws(() => parseConfig('director:\n  links: []\n'), /links/);
  });
});

describe('pivsadm --links', () => {
  it('parses --links and --links --json', () => {
    assert.deepEqual(parseInvocation(['--links'], NUMERIC).action, { kind: 'listLinks', json: false });
    assert.deepEqual(parseInvocation(['--links', '--json'], NUMERIC).action, { kind: 'listLinks', json: true });
  });

  it('prints one line per link and the failover summary', () => {
    const text = formatLinks({
      links: [{ interface: 'eth0', up: false, active: false, changes: 3 }, { interface: 'eth1', up: true, active: true, changes: 0 }],
      active: 'eth1', failovers: 1, holdDownMs: 5000, lastChange: '2026-01-01T00:00:00.000Z',
    });
    assert.equal(text, [
      'Interface  Carrier  Role    Changes',
      'eth0       down     backup  3',
      'eth1       up       active  0',
      'Active: eth1  Failovers: 1  Hold-down: 5000 ms  Last change: 2026-01-01T00:00:00.000Z',
      '',
    ].join('\n'));
    assert.match(formatLinks(null), /not configured/);
  });
});
