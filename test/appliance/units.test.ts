// The unit files as systemd itself reads them: `systemd-analyze verify` against a scratch root that
// holds the commands they run and the system's own units, and the hardening score of each.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

const REPO = join(__dirname, '..', '..', '..');
const UNITS = ['pivsd', 'pivs-agent', 'pivs-realserver', 'pivs-boot-config', 'pivs-growfs'];
let root = '';

before(() => {
  root = mkdtempSync(join(tmpdir(), 'pivs-units-'));
  for (const cmd of ['usr/bin/pivsd', 'usr/bin/pivs-agent', 'usr/bin/pivs-appliance', 'usr/lib/pivs/grow-root', 'bin/kill']) {
    mkdirSync(join(root, cmd, '..'), { recursive: true });
    writeFileSync(join(root, cmd), '#!/bin/sh\n');
    chmodSync(join(root, cmd), 0o755);
  }
  // The targets and services the units order themselves against.
  cpSync('/lib/systemd/system', join(root, 'usr/lib/systemd/system'), { recursive: true, dereference: false });
  mkdirSync(join(root, 'etc/systemd/system'), { recursive: true });
  for (const u of UNITS) cpSync(join(REPO, 'systemd', `${u}.service`), join(root, 'etc/systemd/system', `${u}.service`));
});
after(() => rmSync(root, { recursive: true, force: true }));

function analyze(args: string[]): { status: number | null; output: string } {
  const r = spawnSync('systemd-analyze', args, { encoding: 'utf8', cwd: root });
  return { status: r.status, output: `${r.stdout}${r.stderr}`.trim() };
}

for (const u of UNITS) {
  test(`${u}.service passes systemd-analyze verify with no warning`, () => {
    const r = analyze(['verify', `--root=${root}`, join(root, 'etc/systemd/system', `${u}.service`)]);
    assert.equal(r.output, '');
    assert.equal(r.status, 0);
  });
}

test('a unit with a misspelt setting is reported (the check can fail)', () => {
  const bad = join(root, 'etc/systemd/system/pivs-bad.service');
  writeFileSync(bad, readFileSync(join(REPO, 'systemd/pivsd.service'), 'utf8').replace('ProtectHome=yes', 'ProtectHomes=yes'));
  const r = analyze(['verify', `--root=${root}`, bad]);
  rmSync(bad);
  assert.match(r.output, /Unknown key 'ProtectHomes' in section \[Service\]/);
});

// `systemd-analyze security` exits non-zero above --threshold: the exposure each unit must keep.
const THRESHOLDS: Record<string, string> = { pivsd: '2.5', 'pivs-agent': '2.0' };
for (const [u, threshold] of Object.entries(THRESHOLDS)) {
  test(`${u}.service exposure (systemd-analyze security) is at most ${threshold}`, () => {
    const r = analyze(['security', '--offline=true', `--threshold=${Number(threshold) * 10}`, `--root=${root}`,
      join(root, 'etc/systemd/system', `${u}.service`)]);
    const score = /Overall exposure level for \S+: ([\d.]+)/.exec(r.output);
    assert.ok(score !== null, r.output.slice(-300));
    assert.ok(Number(score[1]) <= Number(threshold), `exposure ${score[1]} > ${threshold}`);
    assert.equal(r.status, 0);
  });
}

test('pivsd runs unprivileged with only the network capabilities, as Type=notify with a watchdog', () => {
  const unit = readFileSync(join(REPO, 'systemd/pivsd.service'), 'utf8');
  const settings = new Map(unit.split('\n').filter((l) => /^\w+=/.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  assert.equal(settings.get('User'), 'pivs');
  assert.equal(settings.get('CapabilityBoundingSet'), 'CAP_NET_RAW CAP_NET_ADMIN CAP_NET_BIND_SERVICE');
  assert.equal(settings.get('Type'), 'notify');
  assert.equal(settings.get('RuntimeDirectory'), 'pivs');
  assert.match(settings.get('WatchdogSec') ?? '', /^\d+s$/);
  assert.equal(settings.get('RestrictAddressFamilies'), 'AF_UNIX AF_INET AF_INET6 AF_PACKET AF_NETLINK');
});
