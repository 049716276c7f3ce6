// Two pivsd directors on one LAN sync their connections: a connection the client makes through
// director 1 shows up in director 2's `pivsadm -L -c`. Plain mode over multicast 224.0.0.81, then
// signed mode over unicast, where a datagram signed with the wrong key (sent from the client's
// namespace) changes nothing and the same connection signed with the right key is installed.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { appendTrailer } from '../../src/sync/auth_trailer';
import { waitFor } from '../../src/lab/exec';
import { startPivsd, startRealServers, type Pivsd } from '../../src/lab/pivsd';
import { IFACE, Topology, type Host } from '../../src/lab/topology';

const KEY = 'sync test shared key';

function config(t: Topology, self: Host, name: string, sync: object): string {
  const file = join(t.runDir, `${name}.yaml`);
  writeFileSync(file, stringify({
    director: { interface: IFACE, name },
    virtualServices: [{
      protocol: 'tcp', address: t.vip, port: 80, scheduler: 'rr',
      realServers: t.reals.map((r) => ({ address: r.address })),
    }],
    sync,
  }));
  return file;
}

interface Pair { t: Topology; d1: Pivsd; d2: Pivsd }

async function startPair(sync: (peer: Host) => object): Promise<Pair> {
  const t = await Topology.create({ kind: 't', realServers: 2, directors: 2 });
  try {
    const d2Host = t.director2 as Host;
    await startRealServers(t);
    const d1 = await startPivsd(t, { host: t.director, tag: 'd1', configFile: config(t, t.director, 'lvs-a', sync(d2Host)) });
    const d2 = await startPivsd(t, { host: d2Host, tag: 'd2', configFile: config(t, d2Host, 'lvs-b', sync(t.director)) });
    await d1.waitReady();
    await d2.waitReady();
    // Both directors answer ARP for the VIP (no VRRP here): the client is pinned to director 1.
    await t.exec(t.client, 'ip', ['neigh', 'replace', t.vip, 'lladdr', t.director.mac, 'dev', IFACE, 'nud', 'permanent']);
    return { t, d1, d2 };
  } catch (e) {
    await t.teardown();
    throw e;
  }
}

/** Fetches the VIP once from the given client port; returns the real server's name. */
async function fetchFrom(t: Topology, port: number): Promise<string> {
  const out = await t.exec(t.client, 'curl', ['-sS', '--max-time', '5', '--local-port', String(port), `http://${t.vip}/`]);
  return out.trim();
}

/** Waits (bounded) until director 2 lists a connection from the client's `port`; returns its line. */
async function waitListed(d: Pivsd, client: string, port: number): Promise<string> {
  return waitFor(`a connection from ${client}:${port} in pivsadm -L -c`, async () => {
    const out = await d.admOk(['-L', '-c', '-n']);
    return out.split('\n').find((l) => l.includes(` ${client}:${port} `));
  }, 50, 100);
}

/** One IPVS sync v1 message holding one established TCP connection over direct routing. */
function ipvsMessage(c: { client: string; clientPort: number; vip: string; real: string }): Buffer {
  const ip = (s: string): number => s.split('.').reduce((a, o) => ((a << 8) | Number(o)) >>> 0, 0);
  const b = Buffer.alloc(8 + 36);
  b[1] = 0; // syncid
  b[4] = 1; // nr_conns
  b[5] = 1; // version
  b.writeUInt16BE(b.length, 2);
  b[8] = 0; // IPv4
  b[9] = 6; // TCP
  b.writeUInt16BE(36, 10);
  b.writeUInt32BE(0x0003, 12); // IP_VS_CONN_F_DROUTE
  b.writeUInt16BE(1, 16); // ESTABLISHED
  b.writeUInt16BE(c.clientPort, 18);
  b.writeUInt16BE(80, 20);
  b.writeUInt16BE(80, 22);
  b.writeUInt32BE(900, 28);
  b.writeUInt32BE(ip(c.client), 32);
  b.writeUInt32BE(ip(c.vip), 36);
  b.writeUInt32BE(ip(c.real), 40);
  return b;
}

describe('connection sync, plain IPVS format over multicast', { timeout: 120_000 }, () => {
  let pair: Pair | undefined;
  // Plain sync takes datagrams from listed peers only, multicast included.
  before(async () => { pair = await startPair((peer) => ({ transport: 'multicast', peers: [peer.address] })); });
  after(async () => { await pair?.t.teardown(); });

  it('a connection made through director 1 appears in director 2\'s pivsadm -L -c', async () => {
    const { t, d1, d2 } = pair as Pair;
    const served = await fetchFrom(t, 40111);
    assert.match(served, /^rs[12]$/);
    const line1 = await waitListed(d1, t.client.address, 40111);
    const line2 = await waitListed(d2, t.client.address, 40111);
    // Same client, VIP and real server on both directors (the state may have moved on since).
    const fields = (l: string): string[] => l.trim().split(/\s+/).filter((_, i) => i === 0 || i >= 3);
    assert.deepEqual(fields(line2), fields(line1));
    assert.equal(fields(line2)[3], `${t.host(served).address}:80`);
  });
});

describe('connection sync, signed, over unicast', { timeout: 120_000 }, () => {
  let pair: Pair | undefined;
  before(async () => { pair = await startPair((peer) => ({ peers: [peer.address], auth: { key: KEY } })); });
  after(async () => { await pair?.t.teardown(); });

  it('a connection made through director 1 appears in director 2\'s pivsadm -L -c', async () => {
    const { t, d2 } = pair as Pair;
    await fetchFrom(t, 40222);
    const line = await waitListed(d2, t.client.address, 40222);
    assert.match(line, /^TCP /);
  });

  it('a datagram signed with the wrong key changes nothing; the right key is obeyed', async () => {
    const { t, d2 } = pair as Pair;
    const conn = (clientPort: number): Buffer => ipvsMessage({ client: '198.18.0.77', clientPort, vip: t.vip, real: t.reals[0].address });
    const forged = appendTrailer(conn(5555), { keyId: 0, sender: 'intruder', sequence: 1n << 60n }, Buffer.from('not the key at all', 'utf8'));
    const genuine = appendTrailer(conn(5556), { keyId: 0, sender: 'intruder', sequence: 1n << 60n }, Buffer.from(KEY, 'utf8'));
    const before = await d2.admOk(['-L', '-c', '-n']);
    // Sent in this order from one socket in the client's namespace: the forged one arrives first.
    const script = `const s=require('dgram').createSocket('udp4');const d=[${JSON.stringify(forged.toString('hex'))},${JSON.stringify(genuine.toString('hex'))}];`
      + `s.send(Buffer.from(d[0],'hex'),8848,${JSON.stringify(t.director2?.address)},()=>s.send(Buffer.from(d[1],'hex'),8848,${JSON.stringify(t.director2?.address)},()=>s.close()));`;
    await t.exec(t.client, process.execPath, ['-e', script]);
    await waitListed(d2, '198.18.0.77', 5556);
    const afterListing = await d2.admOk(['-L', '-c', '-n']);
    assert.equal(afterListing.includes('198.18.0.77:5555'), false, afterListing);
    assert.equal(before.includes('198.18.0.77'), false);
  });
});
