import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { applyBootFiles } from '../../src/appliance/apply';

const ED25519 = `ssh-ed25519 ${Buffer.concat([Buffer.from([0, 0, 0, 11]), Buffer.from('ssh-ed25519'), Buffer.from([0, 0, 0, 32]), Buffer.alloc(32, 7)]).toString('base64')} me@laptop`;
const DIRECTOR = 'role: director\ndirector:\n  interface: eth0\nvirtualServices:\n  - protocol: tcp\n    address: 198.18.0.10\n    port: 80\n    realServers:\n      - address: 198.18.1.11\n';
const MAIN = join(__dirname, '..', '..', 'src', 'appliance', 'main.js');

let dir = '';
let boot = '';
let root = '';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pivs-apply-'));
  boot = join(dir, 'boot');
  root = join(dir, 'root');
  mkdirSync(boot);
  mkdirSync(root);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const read = (rel: string) => readFileSync(join(root, rel), 'utf8');

test('a director card: pivsd config, networkd file, host name, root keys', () => {
  writeFileSync(join(boot, 'pivs.yaml'), DIRECTOR);
  writeFileSync(join(boot, 'network.yaml'), 'hostname: lb1\ninterfaces:\n  eth0:\n    addresses: [198.18.0.2/24]\n    gateway: 198.18.0.1\ndns: [198.18.0.1]\n');
  writeFileSync(join(boot, 'authorized_keys'), `${ED25519}\n`);
  const r = applyBootFiles({ boot, root });
  assert.deepEqual(r.problems, []);
  assert.equal(r.role, 'director');
  assert.doesNotMatch(read('etc/pivs/pivs.yaml'), /role:/);
  assert.match(read('etc/pivs/pivs.yaml'), /interface: eth0/);
  assert.equal(read('etc/systemd/network/10-pivs-eth0.network').split('\n').slice(1).join('\n'),
    '[Match]\nName=eth0\n\n[Network]\nDHCP=no\nAddress=198.18.0.2/24\nGateway=198.18.0.1\nDNS=198.18.0.1\n');
  assert.equal(read('etc/hostname'), 'lb1\n');
  assert.equal(read('etc/resolv.conf'), 'nameserver 198.18.0.1\n');
  assert.equal(read('root/.ssh/authorized_keys'), `${ED25519}\n`);
  assert.equal(statSync(join(root, 'root/.ssh/authorized_keys')).mode & 0o777, 0o600);
  assert.equal(statSync(join(root, 'etc/pivs/pivs.yaml')).mode & 0o777, 0o640);
});

test('switching to real server removes pivsd\'s config and writes the real-server and agent files', () => {
  writeFileSync(join(boot, 'pivs.yaml'), DIRECTOR);
  applyBootFiles({ boot, root });
  writeFileSync(join(boot, 'pivs.yaml'), 'role: real-server\nvirtualAddresses: [198.18.0.10]\nagent:\n  address: 198.18.1.11\n  directors: [198.18.0.2]\n  key: "a-long-shared-secret-0123"\n');
  const r = applyBootFiles({ boot, root });
  assert.deepEqual(r.problems, []);
  assert.equal(existsSync(join(root, 'etc/pivs/pivs.yaml')), false);
  assert.match(read('etc/pivs/realserver.yaml'), /- "198\.18\.0\.10"/);
  assert.equal(read('etc/pivs/agent.yaml'), 'address: 198.18.1.11\ndirectors: [ 198.18.0.2 ]\nkey: "a-long-shared-secret-0123"\n');
});

test('an invalid pivs.yaml is reported in one sentence and the previous config stays', () => {
  writeFileSync(join(boot, 'pivs.yaml'), DIRECTOR);
  applyBootFiles({ boot, root });
  const before = read('etc/pivs/pivs.yaml');
  writeFileSync(join(boot, 'pivs.yaml'), DIRECTOR.replace('port: 80', 'port: 80000'));
  const r = applyBootFiles({ boot, root });
  assert.equal(r.problems.length, 1);
  assert.match(r.problems[0], /^pivs\.yaml: virtualServices\[0\]\.port: /);
  assert.equal(read('etc/pivs/pivs.yaml'), before);
});

test('an invalid network.yaml keeps the previous network; on a fresh card it falls back to DHCP on eth0', () => {
  writeFileSync(join(boot, 'network.yaml'), 'interfaces:\n  eth0:\n    addresses: [198.18.0.300/24]\n');
  const fresh = applyBootFiles({ boot, root });
  assert.equal(fresh.problems[0], 'network.yaml: interfaces.eth0.addresses[0]: "198.18.0.300/24" is not ADDRESS/PREFIX (e.g. 198.18.0.2/24)');
  assert.match(read('etc/systemd/network/10-pivs-eth0.network'), /DHCP=yes/);
  writeFileSync(join(boot, 'network.yaml'), 'interfaces:\n  eth1:\n    addresses: [198.18.0.2/24]\n');
  applyBootFiles({ boot, root });
  assert.equal(existsSync(join(root, 'etc/systemd/network/10-pivs-eth0.network')), false);
  writeFileSync(join(boot, 'network.yaml'), 'interfaces: 7\n');
  const r = applyBootFiles({ boot, root });
  assert.equal(r.problems.length, 1);
  assert.match(read('etc/systemd/network/10-pivs-eth1.network'), /Address=198\.18\.0\.2\/24/);
});

test('Wi-Fi: wpa_supplicant file with the SSID in hex and the PSK as wpa_passphrase computes it', () => {
  writeFileSync(join(boot, 'network.yaml'), 'wifi:\n  country: GB\n  ssid: IEEE\n  passphrase: password\n');
  assert.deepEqual(applyBootFiles({ boot, root }).problems, []);
  // IEEE 802.11i-2004 annex H.4 test vector: passphrase "password", SSID "IEEE".
  assert.equal(read('etc/wpa_supplicant/wpa_supplicant-wlan0.conf').split('\n').slice(1).join('\n'),
    'ctrl_interface=DIR=/run/wpa_supplicant\ncountry=GB\nnetwork={\n\tssid=49454545\n\tpsk=f42c6fc52df0ebef9ebb4b90b38a5f902e83fe1b135a70e23aed762e9710a12e\n}\n');
  assert.match(read('etc/systemd/network/10-pivs-wlan0.network'), /Name=wlan0\n\n\[Network\]\nDHCP=yes/);
});

test('an invalid authorized_keys keeps the previous keys', () => {
  writeFileSync(join(boot, 'authorized_keys'), `${ED25519}\n`);
  applyBootFiles({ boot, root });
  writeFileSync(join(boot, 'authorized_keys'), 'my password is hunter2\n');
  const r = applyBootFiles({ boot, root });
  assert.deepEqual(r.problems, ['authorized_keys: line 1: is not an SSH public key (e.g. "ssh-ed25519 AAAAC3... you@laptop")']);
  assert.equal(read('root/.ssh/authorized_keys'), `${ED25519}\n`);
});

test('pivs-appliance check: exit 1 and the sentence for a bad card, exit 0 for a good one', () => {
  writeFileSync(join(boot, 'pivs.yaml'), 'role: real-server\nvirtualAddresses: [198.18.0.1O]\n');
  const bad = spawnSync(process.execPath, [MAIN, 'check', boot], { encoding: 'utf8' });
  assert.equal(bad.status, 1);
  assert.equal(bad.stderr, 'pivs: pivs.yaml: virtualAddresses[0]: "198.18.0.1O" is not an IPv4 or IPv6 address\n');
  writeFileSync(join(boot, 'pivs.yaml'), DIRECTOR);
  const good = spawnSync(process.execPath, [MAIN, 'check', boot], { encoding: 'utf8' });
  assert.equal(good.status, 0);
  assert.equal(good.stdout, `pivs: ${boot}: the files are valid (role: director)\n`);
});
