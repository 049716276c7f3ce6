// -S text, -R parsing, and the round trip between them; a hand-written `ipvsadm -S` from a real box.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NUMERIC, namesFromFiles } from '../../src/cli/names';
import { parseRestore } from '../../src/cli/restore';
import { saveText } from '../../src/cli/save';
import type { Command } from '../../src/control/protocol';
import { LIST } from './fixture';

const SAVED = [
  '-A -t 198.18.0.100:80 -s rr',
  '-a -t 198.18.0.100:80 -r 198.18.0.11:80 -g -w 1',
  '-a -t 198.18.0.100:80 -r 198.18.0.12:80 -g -w 2 -x 100 -y 50',
  '-A -t 198.18.0.100:443 -s sh -p 300 -M 255.255.255.0 -b sh-port',
  '-a -t 198.18.0.100:443 -r 198.18.0.11:443 -g -w 0',
  '-A -u 198.18.0.100:53 -s wlc',
  '-a -u 198.18.0.100:53 -r 198.18.0.12:53 -g -w 1',
  '-A -t [2001:db8::100]:80 -s mh -p 600 -M 64 -b mh-fallback,mh-port --sloppy',
  '-a -t [2001:db8::100]:80 -r [2001:db8::11]:80 -g -w 1',
  '',
].join('\n');

const real = (address: string, port: number, weight: number, upper = 0, lower = 0) => (
  { address, port, forward: 'dr' as const, weight, upperThreshold: upper, lowerThreshold: lower });
const http = { protocol: 'tcp' as const, address: '198.18.0.100', port: 80 };
const https = { protocol: 'tcp' as const, address: '198.18.0.100', port: 443 };
const dns = { protocol: 'udp' as const, address: '198.18.0.100', port: 53 };
const v6 = { protocol: 'tcp' as const, address: '2001:db8::100', port: 80 };

const COMMANDS: Command[] = [
  { method: 'addService', params: { service: { ...http, scheduler: 'rr', schedFlags: [], sloppy: false } } },
  { method: 'addReal', params: { key: http, real: real('198.18.0.11', 80, 1) } },
  { method: 'addReal', params: { key: http, real: real('198.18.0.12', 80, 2, 100, 50) } },
  {
    method: 'addService',
    params: {
      service: {
        ...https, scheduler: 'sh', schedFlags: ['sh-port'], sloppy: false,
        persistence: { timeout: 300, netmask: '255.255.255.0' },
      },
    },
  },
  { method: 'addReal', params: { key: https, real: real('198.18.0.11', 443, 0) } },
  { method: 'addService', params: { service: { ...dns, scheduler: 'wlc', schedFlags: [], sloppy: false } } },
  { method: 'addReal', params: { key: dns, real: real('198.18.0.12', 53, 1) } },
  {
    method: 'addService',
    params: {
      service: {
        ...v6, scheduler: 'mh', schedFlags: ['mh-fallback', 'mh-port'], sloppy: true,
        persistence: { timeout: 600, netmask: '64' },
      },
    },
  },
  { method: 'addReal', params: { key: v6, real: real('2001:db8::11', 80, 1) } },
];

test('-S -n prints ipvsadm save lines, sorted as ipvsadm sorts', () => {
  assert.equal(saveText(LIST, NUMERIC), SAVED);
});

test('-S then -R gives back the commands that build the same table', () => {
  assert.deepEqual(parseRestore(saveText(LIST, NUMERIC), NUMERIC), { ok: true, commands: COMMANDS });
});

test('-S without -n uses names, and -R reads them back', () => {
  const names = namesFromFiles('198.18.0.100 vip\n', 'http 80/tcp www\nhttps 443/tcp\ndomain 53/udp\n');
  const text = saveText(LIST, names);
  assert.equal(text.split('\n')[0], '-A -t vip:http -s rr');
  assert.deepEqual(parseRestore(text, names), { ok: true, commands: COMMANDS });
});

test('a real box\'s `ipvsadm -S` (names, port-0 persistent service, -C first) loads unchanged', () => {
  const names = namesFromFiles(
    '127.0.0.1 localhost\n198.18.0.100 www.example.test www\n198.18.0.11 web1.example.test web1\n',
    'http\t\t80/tcp\t\twww\t\t# WorldWideWeb HTTP\nhttps\t\t443/tcp\nsmtp\t\t25/tcp\t\tmail\n',
  );
  const realBox = [
    '-C',
    '-A -t www.example.test:http -s wlc',
    '-a -t www.example.test:http -r web1.example.test:http -g -w 1',
    '-a -t www.example.test:http -r 198.18.0.12:http -g -w 1',
    '-A -t www.example.test:https -s rr -p 300',
    '-a -t www.example.test:https -r web1.example.test:https -g -w 1',
    '-A -t 198.18.0.101:0 -s wlc -p 1800 -M 255.255.255.0',
    '-a -t 198.18.0.101:0 -r 198.18.0.13:0 -g -w 5',
    '-A -u 198.18.0.100:514 -s sh -b sh-fallback,sh-port',
    '-a -u 198.18.0.100:514 -r 198.18.0.11:514 -g -w 1',
    '',
  ].join('\n');
  const www = { protocol: 'tcp' as const, address: '198.18.0.100', port: 80 };
  const wwws = { protocol: 'tcp' as const, address: '198.18.0.100', port: 443 };
  const any = { protocol: 'tcp' as const, address: '198.18.0.101', port: 0 };
  const syslog = { protocol: 'udp' as const, address: '198.18.0.100', port: 514 };
  assert.deepEqual(parseRestore(realBox, names), {
    ok: true,
    commands: [
      { method: 'clear' },
      { method: 'addService', params: { service: { ...www, scheduler: 'wlc', schedFlags: [], sloppy: false } } },
      { method: 'addReal', params: { key: www, real: real('198.18.0.11', 80, 1) } },
      { method: 'addReal', params: { key: www, real: real('198.18.0.12', 80, 1) } },
      {
        method: 'addService',
        params: { service: { ...wwws, scheduler: 'rr', schedFlags: [], sloppy: false, persistence: { timeout: 300, netmask: '255.255.255.255' } } },
      },
      { method: 'addReal', params: { key: wwws, real: real('198.18.0.11', 443, 1) } },
      {
        method: 'addService',
        params: { service: { ...any, scheduler: 'wlc', schedFlags: [], sloppy: false, persistence: { timeout: 1800, netmask: '255.255.255.0' } } },
      },
      { method: 'addReal', params: { key: any, real: real('198.18.0.13', 0, 5) } },
      {
        method: 'addService',
        params: { service: { ...syslog, scheduler: 'sh', schedFlags: ['sh-fallback', 'sh-port'], sloppy: false } },
      },
      { method: 'addReal', params: { key: syslog, real: real('198.18.0.11', 514, 1) } },
    ],
  });
});

test('one bad line rejects the whole input and names the line', () => {
  const text = '-A -t 198.18.0.100:80 -s rr\n\n-a -t 198.18.0.100:80 -r 198.18.0.11 -w heavy\n';
  assert.deepEqual(parseRestore(text, NUMERIC),
    { ok: false, line: 3, message: 'illegal weight specified', exitCode: 2 });
  assert.deepEqual(parseRestore('-A -t 198.18.0.100:80\n-L -n\n', NUMERIC), {
    ok: false, line: 2, exitCode: 2,
    message: 'only commands that change the table (-A -E -D -C -a -e -d -Z --set) can be restored',
  });
  assert.deepEqual(parseRestore('-a -t 198.18.0.100:80 -r 198.18.0.11 -m\n', NUMERIC), {
    ok: false, line: 1, exitCode: 2,
    message: 'Masquerading (-m, NAT) is not available: pivs supports only direct routing (-g) so far.',
  });
});

test('blank lines and # comments are skipped', () => {
  assert.deepEqual(parseRestore('# saved by hand\n\n-C\n', NUMERIC), { ok: true, commands: [{ method: 'clear' }] });
});
