// SyncService over real UDP sockets on 127.0.0.1 (one port per director), with fake dataplanes
// standing in for the fast path: messages flow to peers; forged, replayed and foreign-syncid
// datagrams are dropped and counted; bulk resync opens the VRRP gate; a silent peer times out.
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { clockReservation, type Reservation } from '../../src/common/sequence';
import { openSequenceStore } from '../../src/common/sequence_store';
import type { ConnectionEntry } from '../../src/dataplane/types';
import { appendTrailer, encodeControl, SyncService, type SyncServiceOptions } from '../../src/sync';
import type { SyncLimits } from '../../src/sync/admission';
import { F_DROUTE, F_TEMPLATE, S_ESTABLISHED, S_FIN_WAIT, syncMessage, syncRecord } from '../dataplane/sync_bytes';
import { FakeDataplane } from '../fakes/dataplane';
import { RecordingLogger } from '../fakes/logger';

const LOCAL = '127.0.0.1';
const KEY = Buffer.from('a shared sync key 0123', 'utf8');

/** Ports the kernel just handed out, so parallel test files cannot collide. */
async function freePorts(n: number): Promise<number[]> {
  const sockets = await Promise.all(Array.from({ length: n }, () => new Promise<dgram.Socket>((resolve) => {
    const s = dgram.createSocket('udp4');
    s.bind(0, LOCAL, () => resolve(s));
  })));
  const ports = sockets.map((s) => s.address().port);
  await Promise.all(sockets.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  return ports;
}

async function waitUntil(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.fail(`timed out waiting for ${what}`);
}

/** An IPVS v1 message with one 36-byte IPv4 record of an established TCP connection; `marker` is in its vport. */
function ipvsMessage(syncId: number, marker: number): Buffer {
  const b = Buffer.alloc(8 + 36);
  b[1] = syncId;
  b[4] = 1;
  b[5] = 1;
  b.writeUInt16BE(b.length, 2);
  b[9] = 6; // tcp
  b.writeUInt16BE(36, 10); // record version 0, size 36
  b.writeUInt16BE(1, 16); // ESTABLISHED
  b[20] = marker;
  return b;
}

const services: SyncService[] = [];
const sockets: dgram.Socket[] = [];
after(() => {
  for (const s of services) s.close();
  for (const s of sockets) s.close();
});

function options(dataplane: FakeDataplane, port: number, peers: number[], extra: Partial<SyncServiceOptions> = {}): SyncServiceOptions {
  return {
    dataplane, name: `d${port}`, localAddress: LOCAL, port, transport: 'unicast', group: '224.0.0.81',
    peers: peers.map((p) => ({ address: LOCAL, port: p })), syncId: 7, maxPayload: 1472, flushDelayMs: 20,
    threshold: 3, period: 50, resyncTimeoutMs: 3000, auth: null, ...extra,
  };
}

async function director(dataplane: FakeDataplane, port: number, peers: number[], extra: Partial<SyncServiceOptions> = {}): Promise<SyncService> {
  const s = new SyncService(options(dataplane, port, peers, extra));
  services.push(s);
  await s.start();
  return s;
}

async function udpSocket(port = 0): Promise<dgram.Socket> {
  const s = dgram.createSocket('udp4');
  sockets.push(s);
  await new Promise<void>((resolve) => s.bind(port, LOCAL, () => resolve()));
  return s;
}

function sendFrom(socket: dgram.Socket, datagram: Buffer, port: number): Promise<void> {
  return new Promise((resolve, reject) => socket.send(datagram, port, LOCAL, (e) => (e ? reject(e) : resolve())));
}

describe('sync in plain mode', () => {
  it('configures the fast path and carries its messages to every peer, which install them', async () => {
    const [pa, pb, pc] = await freePorts(3);
    const [da, db, dc] = [new FakeDataplane(), new FakeDataplane(), new FakeDataplane()];
    const b = await director(db, pb, [pa, pc]);
    const c = await director(dc, pc, [pa, pb]);
    const a = await director(da, pa, [pb, pc]);
    assert.deepEqual(da.syncOptions, { syncId: 7, maxMessageSize: 1472, flushDelayMs: 20, threshold: 3, period: 50 });
    const m = ipvsMessage(7, 0xab);
    da.emitSyncMessages([m]);
    await waitUntil('both peers to install the message', () => db.installed.length === 1 && dc.installed.length === 1);
    assert.deepEqual(db.installed[0], m);
    assert.deepEqual(dc.installed[0], m);
    assert.equal(a.counters().sent >= 2, true);
    assert.equal(b.counters().installed, 1);
    assert.equal(c.counters().installed, 1);
  });

  it('refuses a message of another syncid and ignores its own datagrams', async () => {
    const [pa, pb] = await freePorts(2);
    const [da, db] = [new FakeDataplane(), new FakeDataplane()];
    const b = await director(db, pb, [pa]);
    // a lists itself as a peer too: what it sends itself must not be installed.
    const a = await director(da, pa, [pb, pa], { resyncTimeoutMs: 200 });
    await Promise.all([a.resynced(), b.resynced()]);
    da.emitSyncMessages([ipvsMessage(9, 1), ipvsMessage(7, 2)]);
    await waitUntil('the syncid-7 message', () => db.installed.length === 1);
    await waitUntil('the syncid-9 message to be refused', () => b.counters().refused === 1);
    assert.equal(db.installed[0][20], 2);
    assert.equal(da.installed.length, 0);
    assert.equal(a.counters().installed, 0);
  });

  it('refuses datagrams from addresses that are not configured peers', async () => {
    const [pa, pb] = await freePorts(2);
    const db = new FakeDataplane();
    const b = await director(db, pb, [pa], { resyncTimeoutMs: 200 });
    const stranger = await udpSocket();
    await sendFrom(stranger, ipvsMessage(7, 1), pb);
    await waitUntil('the stranger\'s message to be refused', () => b.counters().refused === 1);
    assert.equal(db.installed.length, 0);
  });
});

describe('sync with auth', () => {
  const auth = { key: KEY, keyId: 1 };

  it('signs what it sends, leaves room for the trailer, and peers install it', async () => {
    const [pa, pb] = await freePorts(2);
    const [da, db] = [new FakeDataplane(), new FakeDataplane()];
    await director(db, pb, [pa], { auth });
    await director(da, pa, [pb], { auth, name: 'lvs-a' });
    // "lvs-a" makes the trailer 46 + 5 bytes.
    assert.equal(da.syncOptions?.maxMessageSize, 1472 - 51);
    const m = ipvsMessage(7, 3);
    da.emitSyncMessages([m]);
    await waitUntil('the signed message', () => db.installed.length === 1);
    assert.deepEqual(db.installed[0], m);
  });

  it('drops forged datagrams and replayed ones, and counts them', async () => {
    const [pa, pb] = await freePorts(2);
    const [da, db] = [new FakeDataplane(), new FakeDataplane()];
    // A capture point in the path: a is configured to also send to this socket.
    const tap = await udpSocket();
    const captured: Buffer[] = [];
    tap.on('message', (msg) => captured.push(msg));
    const b = await director(db, pb, [pa], { auth });
    const a = await director(da, pa, [pb, tap.address().port], { auth, resyncTimeoutMs: 200 });
    await Promise.all([a.resynced(), b.resynced()]);
    da.emitSyncMessages([ipvsMessage(7, 4)]);
    // The tap also got a's resync request; the sync message is the one that starts with IPVS's 0.
    const syncMessages = (): Buffer[] => captured.filter((m) => m[0] === 0);
    await waitUntil('the genuine message and its capture', () => db.installed.length === 1 && syncMessages().length === 1);

    const attacker = await udpSocket();
    // Replayed: the captured datagram, byte for byte.
    await sendFrom(attacker, syncMessages()[0], pb);
    // Forged: a well-formed trailer signed with the wrong key.
    const forged = appendTrailer(ipvsMessage(7, 5), { keyId: 1, sender: 'lvs-a', sequence: 1n << 62n }, Buffer.from('not the real key!!'));
    await sendFrom(attacker, forged, pb);
    // Unsigned: plain IPVS in auth mode.
    await sendFrom(attacker, ipvsMessage(7, 6), pb);
    await waitUntil('the three datagrams to be dropped', () => b.counters().forged === 2 && b.counters().replayed === 1);
    assert.equal(db.installed.length, 1);
    assert.equal(db.installed[0][20], 4);
    assert.equal(b.counters().installed, 1);
  });
  it('takes signed datagrams out of order, each once, and says replays at warn without a line per datagram', async () => {
    const [pb] = await freePorts(1);
    const db = new FakeDataplane();
    const log = new RecordingLogger();
    const b = await director(db, pb, [], { auth, resyncTimeoutMs: 200, logger: log });
    const signed = (marker: number, sequence: bigint): Buffer =>
      appendTrailer(ipvsMessage(7, marker), { keyId: 1, sender: 'lvs-x', sequence }, KEY);
    for (const [marker, sequence] of [[1, 1000n], [3, 1002n], [2, 1001n]] as const) inject(b, signed(marker, sequence), LOCAL, 9999);
    assert.deepEqual(db.installed.map((m) => m[20]), [1, 3, 2]);
    for (let i = 0; i < 20; i++) inject(b, signed(2, 1001n), LOCAL, 9999);
    inject(b, signed(4, 1n), LOCAL, 9999);
    assert.equal(b.counters().replayed, 21);
    assert.equal(db.installed.length, 3);
    const warned = log.lines.filter((l) => l.level === 'warn' && /replayed/.test(l.msg));
    assert.deepEqual(warned.map((l) => [l.obj.reason, l.obj.times]),
      [['duplicate', 1], ['duplicate', 2], ['duplicate', 4], ['duplicate', 8], ['duplicate', 16], ['tooOld', 1]]);
  });

  it('a sender restarted with its clock a day behind is taken, thanks to the mark it saved', async () => {
    const [p1, p2, p3, pb] = await freePorts(4);
    const db = new FakeDataplane();
    const b = await director(db, pb, [], { auth, resyncTimeoutMs: 200 });
    const path = join(mkdtempSync(join(tmpdir(), 'pivs-sync-')), 'sequence');
    after(() => rmSync(dirname(path), { recursive: true, force: true }));
    const wall = Date.now();
    const life = async (port: number, sequences: Reservation, marker: number): Promise<SyncService> => {
      const d = new FakeDataplane();
      const a = await director(d, port, [pb], { auth, name: 'lvs-a', resyncTimeoutMs: 200, sequences });
      d.emitSyncMessages([ipvsMessage(7, marker)]);
      return a;
    };
    const first = await life(p1, openSequenceStore({ path, wallNow: () => wall }), 1);
    await waitUntil('the first life\'s message', () => db.installed.length === 1);
    first.close();
    // From the clock alone, the restart is a day's worth of numbers below what b has seen: its
    // resync request and its message are both dropped.
    const forgetful = await life(p2, clockReservation(wall - 86_400_000), 2);
    await waitUntil('the forgetful life to be dropped', () => b.counters().replayed === 2);
    forgetful.close();
    await life(p3, openSequenceStore({ path, wallNow: () => wall - 86_400_000 }), 3);
    await waitUntil('the restarted sender\'s message', () => db.installed.length === 2);
    assert.deepEqual(db.installed.map((m) => m[20]), [1, 3]);
    assert.equal(b.counters().replayed, 2);
  });
});

describe('bulk resync', () => {
  it('a starting director asks, installs the peers\' tables, and only then may become master', async () => {
    const [pa, pb, pc] = await freePorts(3);
    const [da, db, dc] = [new FakeDataplane(), new FakeDataplane(), new FakeDataplane()];
    db.exported = [ipvsMessage(7, 0xb1), ipvsMessage(7, 0xb2)];
    dc.exported = [ipvsMessage(7, 0xc1)];
    // b and c start first: a is not up yet, so they stop waiting for it soon.
    const b = await director(db, pb, [pa, pc], { resyncTimeoutMs: 200 });
    const c = await director(dc, pc, [pa, pb], { resyncTimeoutMs: 200 });
    await Promise.all([b.resynced(), c.resynced()]);
    const a = await director(da, pa, [pb, pc], { resyncTimeoutMs: 60_000 });
    assert.equal(a.mayBecomeMaster(), false);
    await a.resynced();
    assert.equal(a.mayBecomeMaster(), true);
    assert.deepEqual(da.installed.map((m) => m[20]).sort(), [0xb1, 0xb2, 0xc1]);
    assert.equal(b.counters().resyncs >= 1, true);
    assert.equal(c.counters().resyncs >= 1, true);
    assert.equal(a.counters().installed, 3);
  });

  it('works the same when signed', async () => {
    const auth = { key: KEY, keyId: 0 };
    const [pa, pb] = await freePorts(2);
    const [da, db] = [new FakeDataplane(), new FakeDataplane()];
    db.exported = [ipvsMessage(7, 0xd1)];
    const b = await director(db, pb, [pa], { auth, resyncTimeoutMs: 200 });
    await b.resynced();
    const a = await director(da, pa, [pb], { auth, resyncTimeoutMs: 60_000 });
    await a.resynced();
    assert.equal(a.mayBecomeMaster(), true);
    assert.deepEqual(da.installed.map((m) => m[20]), [0xd1]);
  });

  it('gives up waiting for a silent peer after the timeout', async () => {
    const [pa, silent] = await freePorts(2);
    const da = new FakeDataplane();
    const a = await director(da, pa, [silent], { resyncTimeoutMs: 150 });
    assert.equal(a.mayBecomeMaster(), false);
    await a.resynced();
    assert.equal(a.mayBecomeMaster(), true);
    assert.equal(da.installed.length, 0);
  });
});

/** Hands `datagram` to the service's socket handler as if it came from `address:port` (port 0 cannot be sent from). */
function inject(s: SyncService, datagram: Buffer, address: string, port: number): void {
  const socket = (s as unknown as { socket: dgram.Socket }).socket;
  socket.emit('message', datagram, { address, port, family: 'IPv4', size: datagram.length });
}

const request = (syncId = 7): Buffer => encodeControl({ type: 'resync-request', syncId, requestId: 42 });

describe('plain sync trusts only its peers', () => {
  it('answers a peer\'s resync request, refuses a stranger\'s and one from port 0, and says once that it is unauthenticated', async () => {
    const [pa, pb] = await freePorts(2);
    const db = new FakeDataplane();
    db.exported = [ipvsMessage(7, 0xe1)];
    const log = new RecordingLogger();
    const b = await director(db, pb, [pa], { resyncTimeoutMs: 200, logger: log });
    await b.resynced();
    assert.equal(log.lines.filter((l) => l.level === 'warn' && /unauthenticated/.test(l.msg)).length, 1);

    const stranger = await udpSocket();
    const heard: Buffer[] = [];
    stranger.on('message', (m) => heard.push(m));
    const sentBefore = b.counters().sent;
    await sendFrom(stranger, request(), pb);
    await waitUntil('the stranger\'s request to be refused', () => b.counters().refused === 1);
    // Port 0 from a peer's address: the reply used to throw in a discarded promise and stop pivsd.
    inject(b, request(), LOCAL, 0);
    assert.equal(b.counters().refused, 2);
    assert.equal(b.counters().resyncs, 0);
    assert.equal(b.counters().sent, sentBefore);

    const peer = await udpSocket(pa);
    const answer: Buffer[] = [];
    peer.on('message', (m) => answer.push(m));
    await sendFrom(peer, request(), pb);
    await waitUntil('the table and the end marker at the peer', () => answer.length === 2);
    assert.deepEqual(answer[0], ipvsMessage(7, 0xe1));
    assert.equal(b.counters().resyncs, 1);
    assert.equal(heard.length, 0);
  });

  it('a burst of resync requests from one peer costs one walk of the table', async () => {
    const [pa, pb] = await freePorts(2);
    const db = new FakeDataplane();
    let exports = 0;
    db.exportSync = () => { exports++; return [ipvsMessage(7, 0xe2)]; };
    const b = await director(db, pb, [pa], { resyncTimeoutMs: 200 });
    for (let i = 0; i < 50; i++) inject(b, request(), LOCAL, pa);
    assert.equal(exports, 1);
    assert.equal(b.counters().resyncs, 1);
    assert.equal(b.counters().refused, 49);
  });

  it('with auth, a well-signed resync request from port 0 is refused, not answered', async () => {
    const auth = { key: KEY, keyId: 0 };
    const [pb] = await freePorts(1);
    const db = new FakeDataplane();
    const b = await director(db, pb, [], { auth, transport: 'multicast', resyncTimeoutMs: 200 });
    const signed = appendTrailer(request(), { keyId: 0, sender: 'lvs-a', sequence: 1n }, KEY);
    inject(b, signed, '127.0.0.9', 0);
    assert.equal(b.counters().refused, 1);
    assert.equal(b.counters().resyncs, 0);
  });

  it('a datagram that makes the dataplane throw costs that datagram only', async () => {
    const [pa, pb] = await freePorts(2);
    const db = new FakeDataplane();
    db.counters = () => { throw new Error('the addon is having a bad day'); };
    const log = new RecordingLogger();
    const b = await director(db, pb, [pa], { resyncTimeoutMs: 200, logger: log });
    assert.doesNotThrow(() => inject(b, ipvsMessage(7, 1), LOCAL, pa));
    assert.equal(b.counters().refused, 1);
    assert.ok(log.lines.some((l) => l.level === 'warn' && /handling a datagram failed/.test(l.msg)));
  });

  it('truncated, flipped and oversized copies of a peer\'s message are refused, none installed', async () => {
    const [pa, pb] = await freePorts(2);
    const db = new FakeDataplane();
    const b = await director(db, pb, [pa], { resyncTimeoutMs: 200 });
    const good = ipvsMessage(7, 9);
    const bad: Buffer[] = [];
    for (let n = 0; n < good.length; n++) bad.push(good.subarray(0, n));
    for (const at of [0, 2, 3, 4, 5, 8, 10, 11]) {
      const flipped = Buffer.from(good);
      flipped[at] ^= 0xff;
      bad.push(flipped);
    }
    bad.push(Buffer.concat([good, Buffer.alloc(65507 - good.length, 0xaa)]));
    for (const d of bad) inject(b, d, LOCAL, pa);
    assert.equal(b.counters().refused, bad.length);
    assert.equal(db.installed.length, 0);
  });
});

/** Limits as a running director would give: the default timeouts, one persistent service. */
const limits: SyncLimits = {
  timeouts: () => ({ tcp: 900, tcpfin: 120, udp: 300 }),
  persistenceTimeout: (protocol, address, port) => (protocol === 'tcp' && address === '198.18.0.100' && port === 443 ? 600 : null),
};

function rec(over: { protocol?: number; flags?: number; state?: number; vport?: number; timeout: number; cport?: number }): Buffer {
  return syncRecord({
    protocol: over.protocol ?? 6, flags: over.flags ?? F_DROUTE, state: over.state ?? S_ESTABLISHED,
    cport: over.cport ?? 40000, vport: over.vport ?? 80, dport: over.vport ?? 80, timeout: over.timeout,
    caddr: '198.18.0.1', vaddr: '198.18.0.100', daddr: '198.18.0.11',
  });
}

describe('what a peer\'s records may ask for', () => {
  it('records whose timeout exceeds ours for their state are left out; the rest are installed', async () => {
    const [pa, pb] = await freePorts(2);
    const db = new FakeDataplane();
    const log = new RecordingLogger();
    const b = await director(db, pb, [pa], { resyncTimeoutMs: 200, limits, logger: log });
    const ok = [rec({ timeout: 900, cport: 1 }), rec({ state: S_FIN_WAIT, timeout: 120, cport: 2 }), rec({ protocol: 17, state: 0, timeout: 0, cport: 3 }),
      rec({ flags: F_DROUTE | F_TEMPLATE, state: 0, vport: 443, timeout: 600, cport: 4 })];
    const over = [
      rec({ timeout: 2147483, cport: 11 }), // the 25-day rebind
      rec({ state: S_FIN_WAIT, timeout: 121, cport: 12 }),
      rec({ protocol: 17, state: 0, timeout: 301, cport: 13 }),
      rec({ state: 3, timeout: 61, cport: 14 }), // SYN_RECV: IPVS's 60 s
      rec({ flags: F_DROUTE | F_TEMPLATE, state: 0, vport: 443, timeout: 601, cport: 15 }),
      rec({ flags: F_DROUTE | F_TEMPLATE, state: 0, vport: 80, timeout: 60, cport: 16 }), // no persistence there
    ];
    inject(b, syncMessage(7, [over[0], ok[0], over[1], ok[1], over[2], over[3], ok[2], over[4], ok[3], over[5]]), LOCAL, pa);
    assert.deepEqual(db.installed, [syncMessage(7, ok)]);
    assert.deepEqual(b.recordCounters(), { overTimeout: over.length, overCap: 0 });
    inject(b, syncMessage(7, [over[0]]), LOCAL, pa);
    assert.equal(db.installed.length, 1, 'a message left with no record is not installed');
    assert.equal(b.counters().refused, 0, 'records are refused, not datagrams');
    // A misconfigured peer is reported once, not per message.
    assert.equal(log.lines.filter((l) => l.level === 'warn' && /timeout is above/.test(l.msg)).length, 1);
  });

  it('peers fill at most maxInstalledShare of the table; what is beyond is refused and counted', async () => {
    const [pa, pb] = await freePorts(2);
    const db = new FakeDataplane({ interface: null, workers: 1, connTableSize: 10, mhTableSize: 65537 });
    db.conns = Array.from({ length: 4 }, () => ({}) as ConnectionEntry);
    const b = await director(db, pb, [pa], { resyncTimeoutMs: 200, maxInstalledShare: 0.5 });
    const three = [1, 2, 3].map((cport) => rec({ timeout: 900, cport }));
    inject(b, syncMessage(7, three), LOCAL, pa);
    assert.deepEqual(db.installed, [syncMessage(7, three.slice(0, 1))]);
    db.conns.push({} as ConnectionEntry);
    inject(b, syncMessage(7, three), LOCAL, pa);
    assert.equal(db.installed.length, 1);
    assert.deepEqual(b.recordCounters(), { overTimeout: 0, overCap: 5 });
    db.conns = [];
    inject(b, syncMessage(7, three), LOCAL, pa);
    assert.deepEqual(db.installed[1], syncMessage(7, three));
  });
});
