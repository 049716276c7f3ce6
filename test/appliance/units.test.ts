// The unit files as systemd itself reads them: `systemd-analyze verify` against a scratch root that
// holds the commands they run and the system's own units, and the hardening score of each.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { DEFAULT_STATE_DIRECTORY } from '../../src/config/model';
import { DEFAULT_DIRECTOR } from '../../src/config';
import { MAX_CONNECTIONS as CONTROL_MAX_CONNECTIONS } from '../../src/control/server';
import { MAX_CONNECTIONS as STATUS_MAX_CONNECTIONS } from '../../src/status/server';

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
  assert.equal(settings.get('CapabilityBoundingSet'), 'CAP_NET_RAW CAP_NET_ADMIN CAP_BPF CAP_NET_BIND_SERVICE');
  assert.equal(settings.get('Type'), 'notify');
  assert.equal(settings.get('RuntimeDirectory'), 'pivs');
  // The sequence mark's default place (director.stateDirectory) is the directory systemd makes for pivsd.
  assert.equal(`/var/lib/${settings.get('StateDirectory')}`, DEFAULT_STATE_DIRECTORY);
  assert.match(settings.get('WatchdogSec') ?? '', /^\d+s$/);
  assert.equal(settings.get('RestrictAddressFamilies'), 'AF_UNIX AF_INET AF_INET6 AF_PACKET AF_NETLINK AF_XDP');
});

// Resource limits as systemd reads them: the unit and its drop-ins (systemd-analyze cat-config),
// the last assignment in [Service] winning.
function effectiveService(unit: string): Map<string, string> {
  const r = analyze(['cat-config', `--root=${root}`, `systemd/system/${unit}.service`]);
  assert.equal(r.status, 0, r.output);
  const settings = new Map<string, string>();
  let section = '';
  for (const line of r.output.split('\n')) {
    const header = /^\[(\w+)\]$/.exec(line);
    if (header !== null) section = header[1];
    const kv = /^(\w+)=(.*)$/.exec(line);
    if (kv !== null && section === 'Service') settings.set(kv[1], kv[2].trim());
  }
  return settings;
}

/** systemd's byte sizes (K, M, G, T are powers of 1024); null for infinity or a percentage. */
function bytes(value: string): number | null {
  const m = /^(\d+)([KMGT]?)$/.exec(value);
  return m === null ? null : Number(m[1]) * 1024 ** ' KMGT'.indexOf(m[2] || ' ');
}

const MiB = 1024 * 1024;
for (const u of ['pivsd', 'pivs-agent', 'pivs-realserver']) {
  test(`${u}.service has a finite MemoryMax, TasksMax and LimitNOFILE`, () => {
    const s = effectiveService(u);
    const memory = bytes(s.get('MemoryMax') ?? '');
    assert.ok(memory !== null && memory >= 128 * MiB, `MemoryMax=${s.get('MemoryMax')}`);
    assert.match(s.get('TasksMax') ?? '', /^\d+$/);
    assert.match(s.get('LimitNOFILE') ?? '', /^\d+$/, 'one number: soft and hard limit alike (Node raises the soft one)');
  });
}

test('pivsd\'s limits leave room for the default connection table, the most workers and every client', () => {
  const s = effectiveService('pivsd');
  // Measured: ~80 B per IPv4 entry, ~125 B per IPv6 entry of a full table; up to 72 more during a
  // bulk resync; Node with its JS heap (sized by V8 from this limit) ~350 MiB.
  assert.ok((bytes(s.get('MemoryMax') ?? '') ?? 0) >= 350 * MiB + 200 * DEFAULT_DIRECTOR.connTableSize);
  // Node's threads + 64 workers and a sweeper, twice while a failover moves them, + scripts.
  assert.ok(Number(s.get('TasksMax')) >= 11 + 2 * (64 + 2) + 256);
  // Every control and status client, a packet socket per worker (twice), + health checks in flight.
  assert.ok(Number(s.get('LimitNOFILE')) >= 64 + CONTROL_MAX_CONNECTIONS + STATUS_MAX_CONNECTIONS + 2 * 65 + 1024);
});

test('a drop-in raises pivsd\'s MemoryMax for a larger connection table (docs/appliance.md)', () => {
  const dropIn = join(root, 'etc/systemd/system/pivsd.service.d');
  mkdirSync(dropIn, { recursive: true });
  writeFileSync(join(dropIn, 'memory.conf'), '[Service]\nMemoryMax=2G\n');
  try {
    assert.equal(effectiveService('pivsd').get('MemoryMax'), '2G');
    const r = analyze(['verify', `--root=${root}`, join(root, 'etc/systemd/system/pivsd.service')]);
    assert.equal(r.output, '');
  } finally {
    rmSync(dropIn, { recursive: true, force: true });
  }
});

test('pivsd accepts notifications from its main process only (it sends them itself)', () => {
  assert.equal(effectiveService('pivsd').get('NotifyAccess'), 'main');
});
