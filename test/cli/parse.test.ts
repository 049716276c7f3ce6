// ipvsadm command lines -> the request pivsadm would send, and ipvsadm's exact error sentences.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Action } from '../../src/cli/action';
import { CliError } from '../../src/cli/errors';
import { NUMERIC, namesFromFiles } from '../../src/cli/names';
import { parseInvocation } from '../../src/cli/parse';

const names = namesFromFiles('198.18.0.100 vip.example.org vip\n198.18.0.11 web1\n', 'http 80/tcp www\ndomain 53/udp\n');

function parse(line: string): Action {
  return parseInvocation(line.split(' ').filter((w) => w !== ''), names).action;
}

function parseError(line: string): { message: string; exitCode: number } {
  try {
    parse(line);
  } catch (err) {
    if (err instanceof CliError) return { message: err.message, exitCode: err.exitCode };
    throw err;
  }
  assert.fail(`expected "${line}" to be refused`);
}

const VIP80 = { protocol: 'tcp', address: '198.18.0.100', port: 80 } as const;

test('-A with a scheduler', () => {
  assert.deepEqual(parse('-A -t 198.18.0.100:80 -s rr'), {
    kind: 'command',
    command: { method: 'addService', params: { service: { ...VIP80, scheduler: 'rr', schedFlags: [], sloppy: false } } },
  });
});

test('-A defaults to wlc; combined short flags and a glued argument work as with popt', () => {
  const expected = {
    kind: 'command',
    command: { method: 'addService', params: { service: { ...VIP80, scheduler: 'wlc', schedFlags: [], sloppy: false } } },
  };
  assert.deepEqual(parse('-At 198.18.0.100:80'), expected);
  assert.deepEqual(parse('-A -t198.18.0.100:80'), expected);
  assert.deepEqual(parse('--add-service --tcp-service=198.18.0.100:80'), expected);
});

test('-p without a value means 300 s; a missing port means port 0, allowed only with -p', () => {
  assert.deepEqual(parse('-A -t 198.18.0.100 -p'), {
    kind: 'command',
    command: {
      method: 'addService',
      params: {
        service: {
          protocol: 'tcp', address: '198.18.0.100', port: 0, scheduler: 'wlc', schedFlags: [], sloppy: false,
          persistence: { timeout: 300, netmask: '255.255.255.255' },
        },
      },
    },
  });
  assert.deepEqual(parseError('-A -t 198.18.0.100'),
    { message: 'Zero port specified for non-persistent service', exitCode: 2 });
});

test('-p followed by another option takes no value; -p N and --persistent=N take N', () => {
  const settings = (line: string): unknown => {
    const a = parse(line);
    assert.equal(a.kind, 'command');
    return a.kind === 'command' && a.command.method === 'addService' ? a.command.params.service : undefined;
  };
  assert.deepEqual(settings('-A -t 198.18.0.100:80 -p -s rr'), {
    ...VIP80, scheduler: 'rr', schedFlags: [], sloppy: false, persistence: { timeout: 300, netmask: '255.255.255.255' },
  });
  assert.deepEqual(settings('-A -t 198.18.0.100:443 -s sh -b sh-port -p 600 -M 255.255.255.0'), {
    protocol: 'tcp', address: '198.18.0.100', port: 443, scheduler: 'sh', schedFlags: ['sh-port'], sloppy: false,
    persistence: { timeout: 600, netmask: '255.255.255.0' },
  });
  assert.deepEqual(settings('-A -t 198.18.0.100:80 --persistent=60'), {
    ...VIP80, scheduler: 'wlc', schedFlags: [], sloppy: false, persistence: { timeout: 60, netmask: '255.255.255.255' },
  });
  assert.deepEqual(parseError('-A -t 198.18.0.100:80 -p0'), { message: "invalid timeout value `0' specified", exitCode: 2 });
});

test('[IPv6]:port services, an IPv6 mask as a prefix length, mh flags, --sloppy', () => {
  assert.deepEqual(parse('-E -t [2001:DB8:0::100]:80 -s mh -b mh-port,mh-fallback -p 60 -M 64 --sloppy'), {
    kind: 'command',
    command: {
      method: 'editService',
      params: {
        service: {
          protocol: 'tcp', address: '2001:db8::100', port: 80, scheduler: 'mh',
          schedFlags: ['mh-fallback', 'mh-port'], sloppy: true, persistence: { timeout: 60, netmask: '64' },
        },
      },
    },
  });
  assert.deepEqual(parseError('-A -t [2001:db8::100]:80 -p -M 255.255.255.0'),
    { message: 'illegal ipv6 netmask specified', exitCode: 2 });
});

test('-g forces the real server port to the service port; weight defaults to 1', () => {
  const real = { address: '198.18.0.11', port: 80, forward: 'dr', weight: 3, upperThreshold: 0, lowerThreshold: 0 };
  assert.deepEqual(parse('-a -t 198.18.0.100:80 -r 198.18.0.11:8080 -g -w 3'),
    { kind: 'command', command: { method: 'addReal', params: { key: VIP80, real } } });
  assert.deepEqual(parse('-a -t 198.18.0.100:80 -r 198.18.0.11'),
    { kind: 'command', command: { method: 'addReal', params: { key: VIP80, real: { ...real, weight: 1 } } } });
  assert.deepEqual(parse('-e -t 198.18.0.100:80 -r 198.18.0.11 -w 0 -x 100 -y 50'), {
    kind: 'command',
    command: { method: 'editReal', params: { key: VIP80, real: { ...real, weight: 0, upperThreshold: 100, lowerThreshold: 50 } } },
  });
  assert.deepEqual(parse('-a -u [2001:db8::100]:53 -r 2001:db8::11'), {
    kind: 'command',
    command: {
      method: 'addReal',
      params: {
        key: { protocol: 'udp', address: '2001:db8::100', port: 53 },
        real: { ...real, address: '2001:db8::11', port: 53, weight: 1 },
      },
    },
  });
});

test('-d keeps the port given, as ipvsadm does; -D, -C, -Z', () => {
  assert.deepEqual(parse('-d -t 198.18.0.100:80 -r 198.18.0.11:8080'),
    { kind: 'command', command: { method: 'deleteReal', params: { key: VIP80, address: '198.18.0.11', port: 8080 } } });
  assert.deepEqual(parse('-d -t 198.18.0.100:80 -r 198.18.0.11'),
    { kind: 'command', command: { method: 'deleteReal', params: { key: VIP80, address: '198.18.0.11', port: 80 } } });
  assert.deepEqual(parse('-D -t 198.18.0.100:80'), { kind: 'command', command: { method: 'deleteService', params: { key: VIP80 } } });
  assert.deepEqual(parse('-C'), { kind: 'command', command: { method: 'clear' } });
  assert.deepEqual(parse('-Z'), { kind: 'command', command: { method: 'zero', params: {} } });
  assert.deepEqual(parse('--zero -t 198.18.0.100:80'), { kind: 'command', command: { method: 'zero', params: { key: VIP80 } } });
});

test('--set takes three timeouts', () => {
  assert.deepEqual(parse('--set 900 120 300'),
    { kind: 'command', command: { method: 'setTimeouts', params: { tcp: 900, tcpfin: 120, udp: 300 } } });
  assert.deepEqual(parseError('--set 900 120'), { message: '--set option requires 3 timeout values', exitCode: 2 });
  assert.deepEqual(parseError('--set 900 120 x'), { message: "invalid timeout value `x' specified", exitCode: 2 });
});

test('host and service names resolve from the hosts and services files', () => {
  assert.deepEqual(parse('-a -t vip.example.org:http -r web1'), {
    kind: 'command',
    command: {
      method: 'addReal',
      params: { key: VIP80, real: { address: '198.18.0.11', port: 80, forward: 'dr', weight: 1, upperThreshold: 0, lowerThreshold: 0 } },
    },
  });
  assert.deepEqual(parseError('-A -t nosuchhost:80'), { message: 'illegal virtual server address[:port] specified', exitCode: 2 });
  assert.deepEqual(parseError('-A -t 198.18.0.100:gopher'), { message: 'illegal virtual server address[:port] specified', exitCode: 2 });
  assert.deepEqual(parseError('-A -t 999.1.1.1:80'), { message: 'illegal virtual server address[:port] specified', exitCode: 2 });
  assert.deepEqual(parseError('-A -t 198.18.0.100:65536'), { message: 'illegal virtual server address[:port] specified', exitCode: 2 });
  // ipvsadm accepts brackets only with a port: "[2001:db8::11]" alone is refused, "2001:db8::11" is not.
  assert.deepEqual(parseError('-a -t [2001:db8::100]:80 -r [2001:db8::11]'), { message: 'illegal real server address[:port] specified', exitCode: 2 });
  assert.deepEqual(parseError('-a -t 198.18.0.100:80 -r web9'), { message: 'illegal real server address[:port] specified', exitCode: 2 });
});

test('list forms', () => {
  const format = {
    numeric: true, stats: false, rate: false, thresholds: false, persistentConn: false, exact: false,
    nosort: false, tunInfo: false, json: false,
  };
  assert.deepEqual(parse('-Ln'), { kind: 'listServices', service: undefined, format });
  assert.deepEqual(parse('-l --stats --exact'),
    { kind: 'listServices', service: undefined, format: { ...format, numeric: false, stats: true, exact: true } });
  assert.deepEqual(parse('-L -n -c'), { kind: 'listConnections', format });
  assert.deepEqual(parse('-L --timeout'), { kind: 'listTimeouts', format: { ...format, numeric: false } });
  assert.deepEqual(parse('-L -n -t 198.18.0.100:80 --json --sort'),
    { kind: 'listServices', service: VIP80, format: { ...format, json: true } });
  assert.deepEqual(parseInvocation([], NUMERIC),
    { action: { kind: 'listServices', format: { ...format, numeric: false } }, socket: undefined });
  assert.deepEqual(parseInvocation(['--socket', '/tmp/p.sock', '-S', '-n'], NUMERIC),
    { action: { kind: 'save', numeric: true }, socket: '/tmp/p.sock' });
  assert.deepEqual(parse('-R'), { kind: 'restore' });
});

test('refused forwarding methods and services, one sentence each', () => {
  assert.deepEqual(parseError('-a -t 198.18.0.100:80 -r 198.18.0.11 -m'), {
    message: 'Masquerading (-m, NAT) is not available: pivs supports only direct routing (-g) so far.', exitCode: 2,
  });
  assert.deepEqual(parseError('-a -t 198.18.0.100:80 -r 198.18.0.11 -i'), {
    message: 'Tunnelling (-i, IPIP) is not available: pivs supports only direct routing (-g) so far.', exitCode: 2,
  });
  assert.deepEqual(parseError('-A -f 1 -s rr'), {
    message: 'Firewall-mark services (-f) need kernel packet marks, which pivs does not see; use -t or -u ADDRESS:PORT.',
    exitCode: 2,
  });
  assert.deepEqual(parseError('-A -u 198.18.0.100:53 -o'), { message: 'One-packet scheduling (-o) is not supported by pivs.', exitCode: 2 });
});

test('bad values and missing or illegal options use ipvsadm\'s sentences', () => {
  assert.deepEqual(parseError('-a -t 198.18.0.100:80 -r 198.18.0.11 -w 65536'), { message: 'illegal weight specified', exitCode: 2 });
  assert.deepEqual(parseError('-a -t 198.18.0.100:80 -r 198.18.0.11 -w -1'), { message: 'illegal weight specified', exitCode: 2 });
  assert.deepEqual(parseError('-a -t 198.18.0.100:80 -r 198.18.0.11 -x many'), { message: 'illegal u_threshold specified', exitCode: 2 });
  assert.deepEqual(parseError('-a -r 198.18.0.11'), {
    message: "You need to supply the 'service-address' option for the 'add-server' command", exitCode: 2,
  });
  assert.deepEqual(parseError('-a -t 198.18.0.100:80'), {
    message: "You need to supply the 'real-server' option for the 'add-server' command", exitCode: 2,
  });
  assert.deepEqual(parseError('-A -t 198.18.0.100:80 -w 2'), {
    message: "Illegal 'weight' option with the 'add-service' command", exitCode: 2,
  });
  assert.deepEqual(parseError('-C -t 198.18.0.100:80'), {
    message: "Illegal 'service-address' option with the 'flush' command", exitCode: 2,
  });
  assert.deepEqual(parseError('-L -c -t 198.18.0.100:80'), {
    message: "The option 'service-address' conflicts with the 'connection' option in the 'list' command", exitCode: 2,
  });
  assert.deepEqual(parseError('-L -c --stats'), { message: 'options conflicts in the list command', exitCode: 2 });
  assert.deepEqual(parseError('-A -t 198.18.0.100:80 -u 198.18.0.100:53'), {
    message: "multiple 'service-address' options specified", exitCode: 2,
  });
  assert.deepEqual(parseError('-A -D -t 198.18.0.100:80'), { message: 'multiple commands specified', exitCode: 2 });
  assert.deepEqual(parseError('-A -t 198.18.0.100:80 -s rr -b sh-port'), { message: "incompatible scheduler flag `sh-port'", exitCode: 2 });
  assert.deepEqual(parseError('-A -t 198.18.0.100:80 -s sh -b sh-sticky'), { message: "invalid scheduler flag `sh-sticky'", exitCode: 2 });
  assert.deepEqual(parseError('-A -t 198.18.0.100:80 -s fancy'), { message: 'Scheduler or persistence engine not found', exitCode: 255 });
  assert.deepEqual(parseError('-a -t 198.18.0.100:80 -r [2001:db8::11]:80'), {
    message: 'Different address family is allowed only for tunneling servers', exitCode: 2,
  });
  assert.deepEqual(parseError('-C extra'), { message: 'unexpected argument extra', exitCode: 2 });
});

test('option-parser errors end with the -h hint and status 255, as popt errors do in ipvsadm', () => {
  assert.deepEqual(parseError('-L --frob'), {
    message: "--frob: unknown option\nTry `pivsadm -h' or 'pivsadm --help' for more information.", exitCode: 255,
  });
  assert.deepEqual(parseError('-A -t'), {
    message: "-t: missing argument\nTry `pivsadm -h' or 'pivsadm --help' for more information.", exitCode: 255,
  });
  assert.deepEqual(parseError('-n'), {
    message: "No command specified.\nTry `pivsadm -h' or 'pivsadm --help' for more information.", exitCode: 255,
  });
});
