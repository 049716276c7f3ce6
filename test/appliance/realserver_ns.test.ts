// pivs-appliance realserver up/down for real, inside a network namespace of its own (sysctls
// under /proc/sys/net and lo's addresses are per namespace).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { NS_PREFIX } from '../../src/lab/topology';

const ns = `${NS_PREFIX}rs${randomBytes(3).toString('hex')}`;
const dir = mkdtempSync(join(tmpdir(), 'pivs-rs-'));
const MAIN = join(__dirname, '..', '..', 'src', 'appliance', 'main.js');
const inNs = (...argv: string[]) => execFileSync('ip', ['netns', 'exec', ns, ...argv], { encoding: 'utf8' });

before(() => {
  execFileSync('ip', ['netns', 'add', ns]);
  inNs('ip', 'link', 'set', 'lo', 'up');
  writeFileSync(join(dir, 'realserver.yaml'), 'virtualAddresses: [198.18.0.100, "2001:db8::100"]\n');
});
after(() => {
  execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
  rmSync(dir, { recursive: true, force: true });
});

test('up puts the virtual addresses on lo with arp_ignore=1 / arp_announce=2; down removes them', () => {
  assert.equal(inNs(process.execPath, MAIN, 'realserver', 'up', join(dir, 'realserver.yaml')),
    'pivs: real server up: 198.18.0.100/32, 2001:db8::100/128 on lo\n');
  const lo = inNs('ip', '-o', 'addr', 'show', 'dev', 'lo');
  assert.match(lo, /inet 198\.18\.0\.100\/32 /);
  assert.match(lo, /inet6 2001:db8::100\/128 /);
  assert.equal(inNs('sysctl', '-n', 'net.ipv4.conf.all.arp_ignore', 'net.ipv4.conf.all.arp_announce'), '1\n2\n');
  // A second start (restart of the unit) changes nothing and does not fail.
  inNs(process.execPath, MAIN, 'realserver', 'up', join(dir, 'realserver.yaml'));
  inNs(process.execPath, MAIN, 'realserver', 'down', join(dir, 'realserver.yaml'));
  assert.doesNotMatch(inNs('ip', '-o', 'addr', 'show', 'dev', 'lo'), /198\.18\.0\.100|2001:db8::100/);
});
