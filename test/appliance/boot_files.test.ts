import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDocument } from 'yaml';
import { validateAuthorizedKeys, validateNetworkFile, validatePivsFile } from '../../src/appliance/boot_files';

const DIRECTOR = `role: director
director:
  interface: eth0
virtualServices:
  - protocol: tcp
    address: 198.18.0.10
    port: 80
    realServers:
      - address: 198.18.1.11
`;

test('a director pivs.yaml becomes pivsd\'s config without the role key', () => {
  const s = validatePivsFile(DIRECTOR);
  assert.equal(s.role, 'director');
  assert.ok(s.role === 'director');
  const doc = parseDocument(s.configText).toJS() as Record<string, unknown>;
  assert.equal(doc.role, undefined);
  assert.deepEqual(doc.director, { interface: 'eth0' });
});

test('role defaults to director', () => {
  assert.equal(validatePivsFile(DIRECTOR.replace('role: director\n', '')).role, 'director');
});

test('a real-server pivs.yaml gives its virtual addresses and the agent file', () => {
  const s = validatePivsFile(`role: real-server
virtualAddresses: [198.18.0.10, "2001:db8::10"]
agent:
  address: 198.18.1.11
  directors: [198.18.0.2]
  key: "a-long-shared-secret-0123"
`);
  assert.ok(s.role === 'real-server');
  assert.deepEqual(s.virtualAddresses, ['198.18.0.10', '2001:db8::10']);
  assert.deepEqual(parseDocument(s.agentText ?? '').toJS(), { address: '198.18.1.11', directors: ['198.18.0.2'], key: 'a-long-shared-secret-0123' });
});

const BAD_PIVS: [string, string][] = [
  ['role: router\n', 'pivs.yaml: role: "router" is not "director" or "real-server"'],
  [DIRECTOR.replace('198.18.1.11', '198.18.1.300'), 'pivs.yaml: virtualServices[0].realServers[0].address: "198.18.1.300" is not an IPv4 or IPv6 address'],
  ['role: real-server\nvirtualAddresses: []\n', 'pivs.yaml: virtualAddresses: must list the virtual addresses this real server accepts (at least one)'],
  ['role: real-server\nvirtualAddresses: [10.0.0.x]\n', 'pivs.yaml: virtualAddresses[0]: "10.0.0.x" is not an IPv4 or IPv6 address'],
  ['role: real-server\nvirtualAddresses: [198.18.0.10]\nvips: 1\n', 'pivs.yaml: vips: is not a real-server setting (role, virtualAddresses, agent)'],
  ['role: real-server\nvirtualAddresses: [198.18.0.10]\nagent:\n  address: 198.18.1.11\n  directors: [198.18.0.2]\n  key: short\n',
    "pivs.yaml: agent.key: must be the directors' agent.key, at least 16 characters"],
  ['director: [unclosed\n', 'pivs.yaml: is not valid YAML'],
];
for (const [text, message] of BAD_PIVS) {
  test(`pivs.yaml refused: ${message}`, () => {
    assert.throws(() => validatePivsFile(text), (e: Error) => e.message.startsWith(message));
  });
}

test('network.yaml: static and DHCP interfaces, DNS, Wi-Fi adds wlan0 with DHCP', () => {
  const n = validateNetworkFile(`hostname: pivs-2
interfaces:
  eth0:
    addresses: [198.18.0.2/24, "2001:db8::2/64"]
    gateway: 198.18.0.1
dns: [198.18.0.1]
wifi:
  country: DE
  ssid: lab
  passphrase: "correct horse"
`);
  assert.equal(n.hostname, 'pivs-2');
  assert.deepEqual(n.interfaces, [
    { name: 'eth0', dhcp: false, addresses: ['198.18.0.2/24', '2001:db8::2/64'], gateway: '198.18.0.1', gateway6: null },
    { name: 'wlan0', dhcp: true, addresses: [], gateway: null, gateway6: null },
  ]);
  assert.deepEqual(n.wifi, { country: 'DE', ssid: 'lab', passphrase: 'correct horse' });
});

test('an empty network.yaml means DHCP on eth0', () => {
  assert.deepEqual(validateNetworkFile('').interfaces, [{ name: 'eth0', dhcp: true, addresses: [], gateway: null, gateway6: null }]);
});

const BAD_NET: [string, string][] = [
  ['hostname: "my pi"\n', 'network.yaml: hostname: "my pi" is not a host name'],
  ['interfaces:\n  eth0:\n    addresses: [198.18.0.2]\n', 'network.yaml: interfaces.eth0.addresses[0]: "198.18.0.2" is not ADDRESS/PREFIX'],
  ['interfaces:\n  eth0:\n    dhcp: false\n', 'network.yaml: interfaces.eth0: has neither dhcp: true nor addresses'],
  ['interfaces:\n  eth0:\n    gateway: 2001:db8::1\n', 'network.yaml: interfaces.eth0.gateway: "2001:db8::1" is not an IPv4 address'],
  ['wifi:\n  country: de\n  ssid: x\n', 'network.yaml: wifi.country: "de" is not a two-letter country code'],
  ['wifi:\n  country: DE\n  ssid: x\n  passphrase: short\n', 'network.yaml: wifi.passphrase: must be 8 to 63 printable ASCII characters'],
  ['dns: 198.18.0.1\n', 'network.yaml: dns: must be a list of addresses'],
  ['gateway: 198.18.0.1\n', 'network.yaml: gateway: is not a known setting'],
];
for (const [text, message] of BAD_NET) {
  test(`network.yaml refused: ${message}`, () => {
    assert.throws(() => validateNetworkFile(text), (e: Error) => e.message.startsWith(message));
  });
}

// A real ed25519 public key (blob: length-prefixed "ssh-ed25519" then the 32-byte key).
const ED25519 = `ssh-ed25519 ${Buffer.concat([Buffer.from([0, 0, 0, 11]), Buffer.from('ssh-ed25519'), Buffer.from([0, 0, 0, 32]), Buffer.alloc(32, 7)]).toString('base64')} me@laptop`;

test('authorized_keys: keys kept, comments and blank lines dropped, options allowed', () => {
  assert.equal(validateAuthorizedKeys(`# mine\n\n${ED25519}\nfrom="198.18.0.0/15" ${ED25519}\n`),
    `${ED25519}\nfrom="198.18.0.0/15" ${ED25519}\n`);
});

test('authorized_keys: a line that is not a key names its line', () => {
  assert.throws(() => validateAuthorizedKeys(`${ED25519}\nssh-ed25519 bm90IGEga2V5\n`),
    { message: 'authorized_keys: line 2: is not an SSH public key (e.g. "ssh-ed25519 AAAAC3... you@laptop")' });
  assert.throws(() => validateAuthorizedKeys('-----BEGIN OPENSSH PRIVATE KEY-----\n'), /authorized_keys: line 1: is not an SSH public key/);
});

test('authorized_keys: only comments is refused (nobody could log in)', () => {
  assert.throws(() => validateAuthorizedKeys('# nothing yet\n'), { message: 'authorized_keys: holds no SSH public key, so nobody could log in' });
});
