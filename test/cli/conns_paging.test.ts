// pivsadm -L -c over a listing in pages: printed as the pages come (stdout written once per page,
// not once at the end), with exactly the text and the --json of the whole table at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ListFormat } from '../../src/cli/action';
import { formatConnections } from '../../src/cli/format_conns';
import { stableJson } from '../../src/cli/json';
import { main } from '../../src/cli/main';
import { NUMERIC } from '../../src/cli/names';
import type { ConnectionEntry } from '../../src/dataplane/types';
import { useDirectorSocket } from '../control/helpers';

const FORMAT: ListFormat = {
  numeric: true, stats: false, rate: false, thresholds: false, persistentConn: false, exact: false,
  nosort: false, tunInfo: false, json: false,
};

const socket = useDirectorSocket('pivsadm-pages-');

async function pivsadm(argv: string[]): Promise<{ code: number; writes: string[]; err: string }> {
  const writes: string[] = [];
  let err = '';
  const code = await main(['--socket', socket().server.path, ...argv], {
    stdout: (t) => { writes.push(t); },
    stderr: (t) => { err += t; },
    readStdin: async () => '',
    env: {},
    names: NUMERIC,
  });
  return { code, writes, err };
}

function entries(count: number): ConnectionEntry[] {
  return Array.from({ length: count }, (_, n) => ({
    protocol: n % 3 === 0 ? 'udp' as const : 'tcp' as const,
    clientAddress: `198.19.${n >> 8}.${n & 255}`, clientPort: 1024 + n, virtualAddress: '198.18.0.10', virtualPort: 80,
    realAddress: n % 2 === 0 ? '198.18.1.1' : '2001:db8::11', realPort: 80,
    state: n % 3 === 0 ? 'UDP' as const : 'ESTABLISHED' as const, expiresMs: 1000 * n, template: false,
  }));
}

test('-L -c -n prints page by page the text of the whole table', async () => {
  socket().dataplane.conns = entries(3000);
  const r = await pivsadm(['-L', '-c', '-n']);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.writes.join(''), formatConnections(socket().dataplane.conns, FORMAT, NUMERIC));
  assert.equal(r.writes.length, 3, 'one write per page of 1024');
});

test('-L -c --json prints page by page the JSON of the whole table', async () => {
  socket().dataplane.conns = entries(2500);
  const r = await pivsadm(['-L', '-c', '--json']);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.writes.join(''), stableJson(socket().dataplane.conns));
  assert.ok(r.writes.length >= 3);
});

test('an empty table: the title only, and [] in JSON', async () => {
  socket().dataplane.conns = [];
  assert.equal((await pivsadm(['-L', '-c', '-n'])).writes.join(''), formatConnections([], FORMAT, NUMERIC));
  assert.equal((await pivsadm(['-L', '-c', '--json'])).writes.join(''), '[]\n');
});
