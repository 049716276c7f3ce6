// Nothing that arrives stops pivsd (issue 12). One director with every UDP receive path it has
// (plain sync over multicast trusting one peer, the heartbeat, the agent listener, the SNMP agent)
// plus VRRP and the status server is sent, from the client's namespace for 20 s, malformed,
// truncated, oversized (65507-byte) and random datagrams to each port as fast as one Python
// process can, and raw frames no UDP socket makes: resync requests from source port 0 (which
// used to throw in a discarded promise and stop pivsd), port 0 to every other port, records and
// resync requests with the peer's forged address, VRRP with broken TTL, checksum and length.
// Meanwhile HTTP through the VIP answers every time; after, pivsd runs, nothing escaped its
// handler, and its table, election and peers are as before, with the drops counted.
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { stringify } from 'yaml';
import { runAny, waitFor } from '../../src/lab/exec';
import { ROOT } from '../../src/lab/pivsd';
import { ipvsSyncMessage } from '../support/sync_forge';
import { countsText, fetchNames, useLab } from '../support/testing';
import { DIRECTOR2_ADDRESS, IFACE, type Topology } from '../../src/lab/topology';
import type { StatusDocument } from '../../src/status/model';

const SENDER = join(ROOT, 'test', 'net', 'hostile_udp_sender.py');
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const FLOOD_SECONDS = 20;
/** The peer plain sync trusts: an address of the lab's LAN that no host holds, so only forgeries come from it. */
const PEER = DIRECTOR2_ADDRESS;
const VRID = 51;
const COMMUNITY = 'lab-ro';
const SNMP_PORT = 1161;
const STATUS_PORT = 8080;
/** A client port no test connection uses: the forged record's flow. */
const FORGED_PORT = 5999;

function config(t: Topology): string {
  const file = join(t.runDir, 'pivsd-hostile.yaml');
  const reals = t.reals.map((r) => ({ address: r.address }));
  writeFileSync(file, stringify({
    director: { interface: IFACE, name: 'director-a' },
    virtualServices: [
      { protocol: 'tcp', address: t.vip, port: 80, scheduler: 'rr', realServers: reals },
      { protocol: 'udp', address: t.vip, port: 53, scheduler: 'rr', realServers: reals },
    ],
    vrrp: {
      instances: [{
        name: 'VI_1', interface: IFACE, virtualRouterId: VRID, priority: 150, advertInt: 0.1, version: 3,
        virtualAddresses: [t.vip],
      }],
    },
    sync: { transport: 'multicast', peers: [PEER], resyncTimeoutMs: 500 },
    heartbeat: {
      key: 'hostile-lab-heartbeat-key',
      links: [{ name: 'lan', interface: IFACE, localAddress: t.director.address }],
      peers: [{ name: 'director-b', addresses: [PEER] }],
    },
    agent: { key: 'hostile-lab-agent-key' },
    snmp: { listen: `${t.director.address}:${SNMP_PORT}`, community: COMMUNITY },
    status: { listen: `0.0.0.0:${STATUS_PORT}` },
  }));
  return file;
}

async function status(t: Topology): Promise<StatusDocument> {
  return JSON.parse(await t.exec(t.director, 'curl', ['-sS', '--max-time', '5', `http://127.0.0.1:${STATUS_PORT}/status`])) as StatusDocument;
}

/** What must not change: the table as `pivsadm -L -n` prints it (connection counts left out), the election, the peers. */
async function state(t: Topology, adm: (args: string[]) => Promise<string>): Promise<object> {
  const table = (await adm(['-L', '-n'])).split('\n')
    .map((l) => (l.trim().startsWith('->') && /\d+\s+\d+\s*$/.test(l) ? l.replace(/\s+\d+\s+\d+\s*$/, '') : l.trimEnd()));
  const s = await status(t);
  return {
    table,
    vrrp: s.vrrp.map((v) => ({ name: v.name, state: v.state, master: v.master, effectivePriority: v.effectivePriority })),
    peers: s.peers.map((p) => ({ name: p.name, alive: p.alive, fault: p.fault })),
    installed: s.sync?.installed,
  };
}

describe('hostile datagrams to every port pivsd listens on', { timeout: 240_000 }, () => {
  const lab = useLab({ beforePivsd: (t) => ({ configFile: config(t) }) });

  it('for 20 s: HTTP through the VIP keeps answering, pivsd keeps running and its state, and counts the drops', async (ctx) => {
    const { t, pivsd } = lab();
    await pivsd.waitReady();
    await waitFor('the director to be VRRP master', async () => ((await status(t)).vrrp[0]?.state === 'master' ? true : undefined), 100, 100);
    const warmup = await fetchNames(t, `http://${t.vip}/`, 6);
    assert.equal(warmup.get('(failed)'), undefined, countsText(warmup));
    const adm = (args: string[]): Promise<string> => pivsd.admOk(args);
    const before = await state(t, adm);
    const refusedBefore = (await status(t)).sync?.refused ?? 0;

    const forged = ipvsSyncMessage(0, {
      clientAddress: t.client.address, clientPort: FORGED_PORT, virtualAddress: t.vip, virtualPort: 80,
      realAddress: t.reals[0].address, realPort: 80, timeout: 2_147_483,
    });
    const d = t.director.address;
    const plan = {
      seconds: FLOOD_SECONDS, iface: IFACE, dstMac: t.director.mac, directorIp: d, srcIp: t.client.address, peerIp: PEER,
      vip: t.vip, vrid: VRID, vrrpGroupMac: '01:00:5e:00:00:12', community: COMMUNITY,
      udp: [[d, 8848, 'sync'], [d, 8849, 'heartbeat'], [d, 8850, 'agent'], [d, SNMP_PORT, 'snmp']],
      status: [d, STATUS_PORT], syncForged: forged.toString('hex'),
    };
    const startedAt = Date.now();
    const flood = runAny('ip', ['netns', 'exec', t.client.ns, PYTHON, SENDER, JSON.stringify(plan)], { timeoutMs: (FLOOD_SECONDS + 40) * 1000 });
    let floodDone = false;
    void flood.then(() => { floodDone = true; });

    // While it lasts: new connections through the VIP, batch after batch, every one answered.
    const served = new Map<string, number>();
    let batches = 0;
    while (!floodDone) {
      for (const [name, n] of await fetchNames(t, `http://${t.vip}/`, 20)) served.set(name, (served.get(name) ?? 0) + n);
      batches++;
      assert.ok(pivsd.alive(), `pivsd exited during the flood:\n${pivsd.log().slice(-3000)}`);
    }
    const sender = await flood;
    const floodMs = Date.now() - startedAt;
    assert.equal(sender.code, 0, `the sender failed: ${sender.stderr}`);
    const sent = JSON.parse(sender.stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, number>;
    const total = Object.values(sent).reduce((a, b) => a + b, 0);
    const log = pivsd.log();
    const snmpContained = [...log.matchAll(/"times":(\d+)[^\n]*snmp: handling a request failed/g)].at(-1)?.[1] ?? '0';
    ctx.diagnostic(`sent in ${floodMs} ms: ${JSON.stringify(sent)} (${total}); HTTP during it: ${countsText(served)} in ${batches} batches`);
    ctx.diagnostic(`log: ${log.split('\n').length} lines; SNMP requests net-snmp threw on (contained), last logged count: ${snmpContained}`);

    assert.ok(pivsd.alive(), `pivsd exited:\n${log.slice(-3000)}`);
    assert.ok(batches >= 2, 'HTTP was fetched throughout the flood');
    assert.equal(served.get('(failed)'), undefined, `connections through the VIP failed during the flood: ${countsText(served)}`);
    for (const kind of ['port0-resync', 'port0', 'forged-peer-record', 'forged-peer-resync', 'forged-peer-truncated', 'oversized', 'truncated', 'malformed', 'random', 'vrrp-checksum', 'status-tcp']) {
      assert.ok((sent[kind] ?? 0) > 0, `the sender sent no ${kind} (${JSON.stringify(sent)})`);
    }
    // Every receive path contained its own errors: the last-resort handler had nothing to do, and
    // pivs' own handlers never threw (net-snmp does throw on some malformed requests: contained).
    assert.doesNotMatch(log, /escaped its handler|nothing handled it/, log.slice(-3000));
    assert.doesNotMatch(log, /(sync|heartbeat|agent): handling a (datagram|report) failed|VRRP (frame|advert) failed/, log.slice(-3000));

    const after = await waitFor('the same state as before the flood', async () => {
      const now = await state(t, adm);
      return JSON.stringify(now) === JSON.stringify(before) ? now : undefined;
    }, 50, 200).catch(async () => state(t, adm));
    assert.deepEqual(after, before);
    const conns = await adm(['-L', '-c', '-n']);
    assert.doesNotMatch(conns, new RegExp(` ${t.client.address.replaceAll('.', '\\.')}:${FORGED_PORT} `), `the forged peer's 25-day record was installed:\n${conns}`);
    // A request from port 0 is refused before any answer starts (dgram throws sending to port 0).
    assert.doesNotMatch(log, /"peer":"[\d.]+:0"/, 'pivsd started answering a resync request from port 0');
    // It reached the admission rules (the forged address passes plain sync's only check) and was refused there.
    assert.match(log, /refused records whose timeout is above this director's own/);
    const refused = ((await status(t)).sync?.refused ?? 0) - refusedBefore;
    assert.ok(refused > 1000, `sync refused only ${refused} datagrams`);
    assert.equal([...log.matchAll(/sync is unauthenticated/g)].length, 1, 'the unauthenticated warning is said once');
    const fetchedAfter = await fetchNames(t, `http://${t.vip}/`, 6);
    assert.equal(fetchedAfter.get('(failed)'), undefined, countsText(fetchedAfter));
  });
});
