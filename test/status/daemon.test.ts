// pivsd's wiring of the status server: it follows status.listen, serves the director's own list,
// and a port in use stops the start with nothing left open.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon } from '../../src/daemon/run';
import { startStatusServer, type StatusDocument, type StatusServer } from '../../src/status';
import { FakeDataplane } from '../fakes/dataplane';
import { FakeArp, quietLogger } from '../control/helpers';

let dir: string;
let blocker: Server;
let blockedPort: number;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pivs-status-daemon-'));
  blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  blockedPort = (blocker.address() as { port: number }).port;
});
after(() => {
  blocker.close();
  rmSync(dir, { recursive: true, force: true });
});

test('pivsd serves /status from its director on the configured address', async () => {
  const file = join(dir, 'a.yaml');
  writeFileSync(file, 'status: {listen: "127.0.0.1:0"}\nvirtualServices:\n  - {protocol: tcp, address: 198.18.0.10, port: 80, realServers: [{address: 198.18.1.11}]}\n');
  let started: StatusServer | undefined;
  const daemon = await startDaemon({ interface: 'lan0', config: file, socket: join(dir, 'a.sock'), logLevel: 'silent' }, {
    openDataplane: () => new FakeDataplane(),
    startArp: () => new FakeArp(),
    logger: quietLogger(),
    startStatus: async (o) => (started = await startStatusServer(o)),
  });
  try {
    assert.ok(started !== undefined);
    const doc = await (await fetch(`${started.url}/status`)).json() as StatusDocument;
    assert.deepStrictEqual(doc.virtualServices.map((s) => `${s.protocol} ${s.address}:${s.port} ${s.realServers.map((r) => r.address).join(',')}`),
      ['tcp 198.18.0.10:80 198.18.1.11']);
    assert.deepStrictEqual([doc.vrrp, doc.peers, doc.sync], [[], [], null]);
  } finally {
    await daemon.stop();
  }
  await assert.rejects(fetch(`${started.url}/status`), 'the server is closed with the daemon');
});

test('a status port in use: the start fails with one sentence and leaves nothing open', async () => {
  const file = join(dir, 'b.yaml');
  writeFileSync(file, `status: {listen: "127.0.0.1:${blockedPort}"}\n`);
  const socket = join(dir, 'b.sock');
  const dataplane = new FakeDataplane();
  const arp = new FakeArp();
  await assert.rejects(startDaemon({ interface: 'lan0', config: file, socket, logLevel: 'silent' }, {
    openDataplane: () => dataplane, startArp: () => arp, logger: quietLogger(), startStatus: startStatusServer,
  }), {
    message: `the status server cannot listen on 127.0.0.1:${blockedPort}: the port is already in use; set status.listen to a free ADDRESS:PORT (or false)`,
  });
  assert.equal(existsSync(socket), false);
  assert.equal(dataplane.closed, true);
  assert.equal(arp.closed, true);
});

test('status.listen false: no server is started', async () => {
  const file = join(dir, 'c.yaml');
  writeFileSync(file, 'status: {listen: false}\n');
  let asked = false;
  const daemon = await startDaemon({ interface: 'lan0', config: file, socket: join(dir, 'c.sock'), logLevel: 'silent' }, {
    openDataplane: () => new FakeDataplane(), startArp: () => new FakeArp(), logger: quietLogger(),
    startStatus: async (o) => { asked = true; return startStatusServer(o); },
  });
  await daemon.stop();
  assert.equal(asked, false);
});
