// The control socket asks the kernel who connected (SO_PEERCRED): with its file opened to
// everyone behind pivsd's back (chmod 0666), a process of another user still gets one sentence
// and nothing done, while root keeps working; members of the socket's group are let in by gid or
// by supplementary group.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseConfig } from '../../src/config';
import { Director } from '../../src/control/director';
import { handleRequest } from '../../src/control/dispatch';
import { refusal } from '../../src/control/peer_check';
import { startControlServer, type ControlServer } from '../../src/control/server';
import { FakeDataplane } from '../fakes/dataplane';
import { FakeArp, quietLogger, request } from './helpers';

const NOBODY = 65534;

describe('control socket peer credentials', () => {
  let dir: string;
  let path: string;
  let director: Director;
  let server: ControlServer;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pivs-peer-'));
    chmodSync(dir, 0o755);
    mkdirSync(join(dir, 'run'), { mode: 0o755 });
    path = join(dir, 'run', 'pivsd.sock');
    director = new Director({ config: parseConfig('director: {interface: eth0}\nvirtualServices: []\n'), dataplane: new FakeDataplane(), arp: new FakeArp(), logger: quietLogger() });
    server = await startControlServer({ path, logger: quietLogger(), handle: (r) => handleRequest(director, r) });
  });
  after(async () => {
    director?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses another user even when the socket file lets everyone in; root still works', async () => {
    chmodSync(path, 0o666);
    const client = [
      "const s = require('net').connect(process.argv[1]);",
      "s.on('data', (d) => process.stdout.write(d)); s.on('error', () => {});",
      "s.write(JSON.stringify({ id: 1, method: 'addService', params: { service: { protocol: 'tcp', address: '198.18.0.10', port: 80, scheduler: 'wlc' } } }) + '\\n');",
    ].join('\n');
    // Not spawnSync: the server answers from this very event loop.
    const r = await promisify(execFile)('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', process.execPath, '-e', client, path],
      { encoding: 'utf8', timeout: 10_000 });
    assert.deepEqual(JSON.parse(r.stdout.split('\n')[0]), {
      id: 0,
      error: { code: 'Forbidden', message: `only root and members of group pivs may use pivsd's control socket (uid ${NOBODY} is neither); nothing was done` },
    });
    assert.deepEqual(director.config.virtualServices, []);
    const ok = await request(path, { id: 2, method: 'list' });
    assert.ok('result' in ok);
  });

  it('lets in root, pivsd\'s user and the group by gid or supplementary group', () => {
    const owner = { uid: 1001, group: 990 };
    const peer = (uid: number, gid: number, groups: number[] = []) => ({ pid: 1, uid, gid, groups });
    assert.equal(refusal(peer(0, 0), owner, 'pivs'), null);
    assert.equal(refusal(peer(1001, 1001), owner, 'pivs'), null);
    assert.equal(refusal(peer(1002, 990), owner, 'pivs'), null);
    assert.equal(refusal(peer(1002, 1002, [27, 990]), owner, 'pivs'), null);
    assert.match(refusal(peer(1002, 1002, [27]), owner, 'pivs') ?? '', /^only root and members of group pivs/);
    assert.match(refusal(peer(1002, 990), { uid: 1001, group: null }, 'pivs') ?? '', /uid 1002 is neither/);
  });
});
