// Listings against text built by hand from ipvsadm's printf formats (widths noted per column).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ListFormat } from '../../src/cli/action';
import { formatConnections, formatTimeouts } from '../../src/cli/format_conns';
import { formatList, formatService } from '../../src/cli/format_list';
import { largeNumber } from '../../src/cli/format_stats';
import { stableJson } from '../../src/cli/json';
import { NUMERIC, namesFromFiles } from '../../src/cli/names';
import type { ConnectionEntry } from '../../src/dataplane/types';
import { DNS, HTTP, LIST, LIST_N_TEXT, listOf } from './fixture';

const sp = (n: number): string => ' '.repeat(n);
const lines = (...l: string[]): string => l.map((x) => `${x}\n`).join('');
const HEADER = 'IP Virtual Server version 1.2.1 (size=4096)';

function fmt(extra: Partial<ListFormat> = {}): ListFormat {
  return {
    numeric: true, stats: false, rate: false, thresholds: false, persistentConn: false, exact: false,
    nosort: false, tunInfo: false, json: false, ...extra,
  };
}

test('-Ln sorts services (IPv4 before IPv6, TCP before UDP, then address and port) and real servers', () => {
  assert.equal(formatList(LIST, fmt(), NUMERIC), LIST_N_TEXT);
});

test('--nosort keeps the daemon order', () => {
  const text = formatList(listOf(DNS, HTTP), fmt({ nosort: true }), NUMERIC);
  assert.deepEqual(text.split('\n').slice(3, 7), [
    'UDP  198.18.0.100:53 wlc',
    `  -> 198.18.0.12:53${sp(15)}Route   1      0          0         `,
    'TCP  198.18.0.100:80 rr',
    `  -> 198.18.0.12:80${sp(15)}Route   2      3          7         `,
  ]);
});

test('-L -t prints the title and the one service, without the version header', () => {
  assert.equal(formatService(HTTP, fmt(), NUMERIC), lines(
    'Prot LocalAddress:Port Scheduler Flags',
    '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn',
    'TCP  198.18.0.100:80 rr',
    `  -> 198.18.0.11:80${sp(15)}Route   1      12         40        `,
    `  -> 198.18.0.12:80${sp(15)}Route   2      3          7         `,
  ));
});

test('without -n, names come from hosts and services files, cut at 33 and 28 columns for IPv4', () => {
  const names = namesFromFiles(
    '198.18.0.100 vip.example.org vip\n198.18.0.11 web1\n198.18.0.200 a-very-long-virtual-host-name.example.org\n',
    'http 80/tcp www\ndomain 53/udp\n',
  );
  const long = { ...HTTP, address: '198.18.0.200', realServers: [] };
  assert.equal(formatList(listOf(HTTP, DNS, long), fmt({ numeric: false }), names), lines(
    HEADER,
    'Prot LocalAddress:Port Scheduler Flags',
    '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn',
    'TCP  vip.example.org:http rr',
    `  -> web1:http${sp(20)}Route   1      12         40        `,
    `  -> 198.18.0.12:http${sp(13)}Route   2      3          7         `,
    'TCP  a-very-long-virtual-host-nam rr',
    'UDP  vip.example.org:domain wlc',
    `  -> 198.18.0.12:domain${sp(11)}Route   1      0          0         `,
  ));
});

test('--stats: 33-column label then 9-wide counters, K above 100 million', () => {
  assert.equal(formatList(listOf(HTTP), fmt({ stats: true }), NUMERIC), lines(
    HEADER,
    `Prot LocalAddress:Port${sp(15)}Conns${sp(3)}InPkts${sp(2)}OutPkts${sp(2)}InBytes OutBytes`,
    '  -> RemoteAddress:Port',
    `TCP  198.18.0.100:80${sp(20)}52${sp(5)}1234${sp(8)}0${sp(2)}123456K${sp(8)}0`,
    `  -> 198.18.0.11:80${sp(21)}40${sp(6)}800${sp(8)}0${sp(4)}98765${sp(8)}0`,
    `  -> 198.18.0.12:80${sp(21)}12${sp(6)}434${sp(8)}0${sp(2)}123358K${sp(8)}0`,
  ));
});

test('--stats --exact prints whole numbers, widening a column past 8 digits', () => {
  const text = formatList(listOf(HTTP), fmt({ stats: true, exact: true }), NUMERIC).split('\n');
  assert.equal(text[3], `TCP  198.18.0.100:80${sp(20)}52${sp(5)}1234${sp(8)}0 123456789${sp(8)}0`);
  assert.equal(text[5], `  -> 198.18.0.12:80${sp(21)}12${sp(6)}434${sp(8)}0 123358024${sp(8)}0`);
});

test('--rate: real servers print CPS and packet rates unabbreviated, byte rates abbreviated', () => {
  assert.equal(formatList(listOf(HTTP), fmt({ rate: true }), NUMERIC), lines(
    HEADER,
    `Prot LocalAddress:Port${sp(17)}CPS${sp(4)}InPPS${sp(3)}OutPPS${sp(4)}InBPS${sp(3)}OutBPS`,
    '  -> RemoteAddress:Port',
    `TCP  198.18.0.100:80${sp(21)}5${sp(6)}120${sp(8)}0${sp(4)}2500M${sp(8)}0`,
    `  -> 198.18.0.11:80${sp(22)}4${sp(6)}100${sp(8)}0${sp(4)}1000M${sp(8)}0`,
    `  -> 198.18.0.12:80${sp(22)}1${sp(7)}20${sp(8)}0${sp(4)}1500M${sp(8)}0`,
  ));
});

test('--rate --exact', () => {
  const text = formatList(listOf(HTTP), fmt({ rate: true, exact: true }), NUMERIC).split('\n');
  assert.equal(text[3], `TCP  198.18.0.100:80${sp(21)}5${sp(6)}120${sp(8)}0 2500000000${sp(8)}0`);
  assert.equal(text[4], `  -> 198.18.0.11:80${sp(22)}4${sp(6)}100${sp(8)}0 1000000000${sp(8)}0`);
});

test('print_largenum thresholds: K, M, G, T', () => {
  assert.equal(largeNumber(99999999, false), ' 99999999');
  assert.equal(largeNumber(100000000, false), '  100000K');
  assert.equal(largeNumber(999999999, false), '  999999K');
  assert.equal(largeNumber(1000000000, false), '    1000M');
  assert.equal(largeNumber(99999999999, false), '   99999M');
  assert.equal(largeNumber(100000000000, false), '     100G');
  assert.equal(largeNumber(100000000000000, false), '     100T');
  assert.equal(largeNumber(7, true), '        7');
  assert.equal(largeNumber(12345678, true), ' 12345678');
});

test('--thresholds and --persistent-conn columns', () => {
  assert.equal(formatService(HTTP, fmt({ thresholds: true }), NUMERIC), lines(
    `Prot LocalAddress:Port${sp(12)}Uthreshold Lthreshold ActiveConn InActConn `,
    '  -> RemoteAddress:Port',
    'TCP  198.18.0.100:80 rr',
    `  -> 198.18.0.11:80${sp(15)}0${sp(10)}0${sp(10)}12${sp(9)}40${sp(8)}`,
    `  -> 198.18.0.12:80${sp(15)}100${sp(8)}50${sp(9)}3${sp(10)}7${sp(9)}`,
  ));
  assert.equal(formatService(HTTP, fmt({ persistentConn: true }), NUMERIC), lines(
    `Prot LocalAddress:Port${sp(12)}Weight${sp(4)}PersistConn ActiveConn InActConn `,
    '  -> RemoteAddress:Port',
    'TCP  198.18.0.100:80 rr',
    `  -> 198.18.0.11:80${sp(15)}1${sp(9)}0${sp(11)}12${sp(9)}40${sp(8)}`,
    `  -> 198.18.0.12:80${sp(15)}2${sp(9)}1${sp(11)}3${sp(10)}7${sp(9)}`,
  ));
});

test('--tun-info shows n/a for direct routing', () => {
  assert.equal(formatService(DNS, fmt({ tunInfo: true }), NUMERIC), lines(
    'Prot LocalAddress:Port Scheduler Flags',
    '  -> RemoteAddress:Port           Forward TunnelInfo    Weight ActiveConn InActConn',
    'UDP  198.18.0.100:53 wlc',
    `  -> 198.18.0.12:53${sp(15)}Route   n/a           1      0          0         `,
  ));
});

const CONNS: ConnectionEntry[] = [
  {
    protocol: 'tcp', clientAddress: '198.18.1.20', clientPort: 40000, virtualAddress: '198.18.0.100', virtualPort: 80,
    realAddress: '198.18.0.11', realPort: 80, state: 'ESTABLISHED', expiresMs: 899_500, template: false,
  },
  {
    protocol: 'udp', clientAddress: '198.18.1.21', clientPort: 5353, virtualAddress: '198.18.0.100', virtualPort: 53,
    realAddress: '198.18.0.12', realPort: 53, state: 'UDP', expiresMs: 299_000, template: false,
  },
  {
    protocol: 'tcp', clientAddress: '198.18.1.20', clientPort: 0, virtualAddress: '198.18.0.100', virtualPort: 443,
    realAddress: '198.18.0.11', realPort: 443, state: 'NONE', expiresMs: 300_000, template: true,
  },
  {
    protocol: 'tcp', clientAddress: '2001:db8::20', clientPort: 40001, virtualAddress: '2001:db8::100', virtualPort: 80,
    realAddress: '2001:db8::11', realPort: 80, state: 'SYN_RECV', expiresMs: 59_999, template: false,
  },
];

test('-L -c: "%-3s %-6s %-11s %-18s %-18s %s" rows, expiry as mm:ss', () => {
  assert.equal(formatConnections(CONNS, fmt(), NUMERIC), lines(
    'IPVS connection entries',
    'pro expire state       source             virtual            destination',
    'TCP 14:59  ESTABLISHED 198.18.1.20:40000  198.18.0.100:80    198.18.0.11:80',
    'UDP 04:59  UDP         198.18.1.21:5353   198.18.0.100:53    198.18.0.12:53',
    'TCP 05:00  NONE        198.18.1.20:0      198.18.0.100:443   198.18.0.11:443',
    'TCP 00:59  SYN_RECV    [2001:db8::20]:40001 [2001:db8::100]:80 [2001:db8::11]:80',
  ));
});

test('-L -c --persistent-conn widens the title with the pe columns', () => {
  const title = formatConnections([], fmt({ persistentConn: true }), NUMERIC).split('\n')[1];
  assert.equal(title, 'pro expire state       source             virtual            destination        pe name          pe_data');
});

test('--timeout', () => {
  assert.equal(formatTimeouts({ tcp: 900, tcpfin: 120, udp: 300 }), 'Timeout (tcp tcpfin udp): 900 120 300\n');
});

test('--json sorts keys at every level and indents by two', () => {
  assert.equal(stableJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: null } }),
    '{\n  "a": {\n    "c": null,\n    "d": [\n      {\n        "y": 2,\n        "z": 1\n      }\n    ]\n  },\n  "b": 1\n}\n');
});
