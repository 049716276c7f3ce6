// The dataplane on a real interface: client, director and real server in their own network
// namespaces on one bridge. The client's kernel opens a TCP connection to the VIP through the
// director's MAC; the dataplane's ring workers rewrite the MACs and the real server (VIP on lo)
// answers the client directly. The greeting arriving proves the rewritten frames reached the
// real server's veth with valid checksums.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';

const P = `pd${process.pid % 100000}`;
const NS = { b: `${P}b`, d: `${P}d`, c: `${P}c`, r: `${P}r` };
const VIP = '198.18.200.10';
const PORT = 8080;
const children: ChildProcess[] = [];

function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', timeout: 10_000 });
}
function inNs(ns: string, ...cmd: string[]): string {
  return execFileSync('ip', ['netns', 'exec', ns, ...cmd], { encoding: 'utf8', timeout: 10_000 });
}
function macOf(ns: string, dev: string): string {
  return JSON.parse(ip('-n', ns, '-j', 'link', 'show', dev))[0].address;
}
function startIn(ns: string, args: string[]): ChildProcess {
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  children.push(child);
  return child;
}
function nextLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const rl = readline.createInterface({ input: child.stdout! });
    const timer = setTimeout(() => { rl.close(); reject(new Error('no answer from child within 10 s')); }, 10_000);
    rl.once('line', (line) => { clearTimeout(timer); rl.close(); resolve(line); });
    child.once('exit', (code) => { clearTimeout(timer); rl.close(); reject(new Error(`child exited with ${code}`)); });
  });
}

function teardown(): void {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  for (const ns of Object.values(NS)) {
    try { ip('netns', 'del', ns); } catch { /* not created */ }
  }
}

describe('dataplane on a veth interface (namespaces)', () => {
  before(() => {
    teardown();
    for (const ns of Object.values(NS)) ip('netns', 'add', ns);
    ip('-n', NS.b, 'link', 'add', 'br0', 'type', 'bridge');
    for (const [side, ns] of [['d', NS.d], ['c', NS.c], ['r', NS.r]] as const) {
      ip('-n', NS.b, 'link', 'add', `${side}0p`, 'type', 'veth', 'peer', 'name', `${side}0`, 'netns', ns);
      ip('-n', NS.b, 'link', 'set', `${side}0p`, 'master', 'br0', 'up');
      ip('-n', ns, 'link', 'set', `${side}0`, 'up');
      ip('-n', ns, 'link', 'set', 'lo', 'up');
    }
    ip('-n', NS.b, 'link', 'set', 'br0', 'up');
    ip('-n', NS.d, 'addr', 'add', '198.18.200.1/24', 'dev', 'd0');
    ip('-n', NS.c, 'addr', 'add', '198.18.200.2/24', 'dev', 'c0');
    ip('-n', NS.r, 'addr', 'add', '198.18.200.3/24', 'dev', 'r0');
    // Real server as DR wants it: VIP on lo, never answering ARP for it.
    ip('-n', NS.r, 'addr', 'add', `${VIP}/32`, 'dev', 'lo');
    inNs(NS.r, 'sysctl', '-q', '-w', 'net.ipv4.conf.all.arp_ignore=1', 'net.ipv4.conf.all.arp_announce=2');
    // pivsd's ARP responder is not part of this test: the client learns the VIP statically.
    ip('-n', NS.c, 'neigh', 'replace', VIP, 'lladdr', macOf(NS.d, 'd0'), 'dev', 'c0', 'nud', 'permanent');
  });
  after(teardown);

  it('forwards a client TCP connection to the real server by MAC rewrite', async () => {
    const server = startIn(NS.r, ['-e', `require('net').createServer((s) => s.end('hello from real\\n')).listen(${PORT}, '${VIP}', () => console.log('listening'))`]);
    assert.equal(await nextLine(server), 'listening');
    const director = startIn(NS.d, [path.join(__dirname, 'ring_director.js'), 'd0', VIP, String(PORT), '198.18.200.3', macOf(NS.r, 'r0')]);
    assert.equal(await nextLine(director), `ready ${macOf(NS.d, 'd0')}`);

    const client = startIn(NS.c, ['-e', `const s = require('net').connect(${PORT}, '${VIP}'); s.setTimeout(8000, () => process.exit(3)); s.on('data', (d) => process.stdout.write(d));`]);
    assert.equal(await nextLine(client), 'hello from real');

    director.stdin!.write('stats\n');
    const report = JSON.parse(await nextLine(director));
    assert.equal(report.stats[0].conns, 1);
    assert.equal(report.stats[0].realServers[0].conns, 1);
    assert.ok(report.counters.txPackets >= 2, `txPackets ${report.counters.txPackets}`);
    assert.equal(report.counters.dropped, 0);
    const [conn] = report.connections;
    assert.equal(conn.clientAddress, '198.18.200.2');
    assert.equal(conn.realAddress, '198.18.200.3');
    director.stdin!.write('quit\n');
    await new Promise((resolve) => director.once('exit', resolve));
    assert.equal(director.exitCode, 0);
  });
});
