// Sync with `auth`: a sync message whose HMAC was made with the wrong key, sent to the backup from
// the client's namespace, must change nothing in the backup's connection table. The same message
// signed with the right key is then installed, which shows the first one was refused for its HMAC
// and not for anything else about it.
//
// Plain sync (no `auth`) trusts its peers' addresses only: a datagram from a LAN host that is no
// peer, rebinding a live flow to another real server, changes neither director's table and the
// flow arrives whole; its resync request gets no answer. The same datagrams with the peer's
// forged source address are obeyed, which shows the first ones were refused for their address.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { encodeControl } from '../../src/sync/control_message';
import { runAny, sleep, waitFor } from '../../src/lab/exec';
import { AUTH_KEY, clientPorts, useHaLab, type HaLab, type Side } from '../support/ha';
import { statusDocument } from '../../src/lab/pivsd';
import { StreamRun, damageText, lostConnections } from '../support/streams';
import { ipvsSyncMessage, signedSyncMessage } from '../support/sync_forge';
import { udpFrame } from '../dataplane/frames';

const SYNC_PORT = 8848;
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const FORGED_PORT = 40_001;

/** A `pivsadm -L -c -n` listing without its expire column, which counts down between two reads. */
function entries(listing: string): string[] {
  return listing.split('\n').map((l) => l.trim().split(/\s+/)).filter((f) => f.length >= 6 && (f[0] === 'TCP' || f[0] === 'UDP'))
    .map((f) => [f[0], ...f.slice(2)].join(' '));
}

describe('failover: forged sync message', { timeout: 120_000 }, () => {
  const get = useHaLab();

  it('a message with a wrong HMAC changes nothing in the backup\'s pivsadm -L -c', async () => {
    const l = get();
    const t = l.t;
    const b = l.pivsd('b');
    const message = ipvsSyncMessage(0, {
      clientAddress: t.client.address, clientPort: FORGED_PORT, virtualAddress: t.vip, virtualPort: 80,
      realAddress: t.reals[0].address, realPort: 80, timeout: 900,
    });
    const send = async (datagram: Buffer): Promise<void> => {
      await t.exec(t.client, process.execPath, ['-e',
        'const s=require("dgram").createSocket("udp4");s.send(Buffer.from(process.argv[1],"hex"),Number(process.argv[3]),process.argv[2],(e)=>{s.close();if(e)throw e;})',
        datagram.toString('hex'), l.host('b').address, String(SYNC_PORT)]);
    };

    const listed = await b.admOk(['-L', '-c', '-n']);
    await send(signedSyncMessage(message, 'not-the-shared-key-at-all', 'forger', 1000n));
    // Long enough for a datagram on a local bridge to be handled many times over.
    await sleep(1000);
    const afterForged = await b.admOk(['-L', '-c', '-n']);
    assert.ok(!afterForged.includes(`${t.client.address}:${FORGED_PORT}`), `the forged connection was installed:\n${afterForged}`);
    assert.deepEqual(entries(afterForged), entries(listed));

    await send(signedSyncMessage(message, AUTH_KEY, 'forger', 1001n));
    const installed = await waitFor('the correctly signed message to be installed', async () => {
      const out = await b.admOk(['-L', '-c', '-n']);
      return out.includes(`${t.client.address}:${FORGED_PORT}`) ? out : undefined;
    }, 30, 100).catch((e: Error) => `${e.message}\n${l.logs()}`);
    assert.match(installed, new RegExp(`TCP .*ESTABLISHED +${t.client.address}:${FORGED_PORT} +${t.vip}:80 +${t.reals[0].address}:80`));
  });
});

/** Sends one UDP datagram from the client's namespace with any source address and port (an AF_PACKET frame). */
async function sendForged(l: HaLab, to: Side, from: { address: string; port: number }, payload: Buffer): Promise<void> {
  const t = l.t;
  const frame = udpFrame({
    srcMac: t.client.mac, dstMac: l.host(to).mac, src: from.address, dst: l.host(to).address,
    sport: from.port, dport: SYNC_PORT, payload,
  });
  const r = await runAny('ip', ['netns', 'exec', t.client.ns, PYTHON, '-c',
    'import socket,sys;s=socket.socket(socket.AF_PACKET,socket.SOCK_RAW);s.bind(("eth0",0));s.send(bytes.fromhex(sys.argv[1]))',
    frame.toString('hex')]);
  if (r.code !== 0) throw new Error(`could not send the forged frame: ${r.stderr}`);
}

/** Sends `payload` from an ordinary socket in the client's namespace and returns how many datagrams came back within `listenMs`. */
async function sendFromClient(l: HaLab, to: Side, payload: Buffer, listenMs = 0): Promise<number> {
  const out = await l.t.exec(l.t.client, process.execPath, ['-e',
    'const s=require("dgram").createSocket("udp4");let n=0;s.on("message",()=>n++);'
    + 's.send(Buffer.from(process.argv[1],"hex"),Number(process.argv[3]),process.argv[2],(e)=>{if(e)throw e;'
    + 'setTimeout(()=>{console.log(n);s.close();},Number(process.argv[4]));})',
    payload.toString('hex'), l.host(to).address, String(SYNC_PORT), String(listenMs)]);
  return Number(out.trim());
}

async function syncCounters(l: HaLab, side: Side): Promise<{ refused: number; resyncs: number; installed: number }> {
  const s = (await statusDocument(l.t, l.host(side))).sync;
  assert.ok(s !== null, 'sync counters in /status');
  return s;
}

/** The real server of the listed TCP connection from client:port to VIP:80, or undefined. */
function realOf(listing: string, client: string, port: number): string | undefined {
  const f = listing.split('\n').map((line) => line.trim().split(/\s+/)).find((x) => x[0] === 'TCP' && x[3] === `${client}:${port}`);
  return f?.[5];
}

describe('failover: plain sync trusts only its peers', { timeout: 180_000 }, () => {
  // Over multicast, as Linux IPVS syncs: where, before peers were required, anyone was obeyed.
  const get = useHaLab({ signedSync: false, syncTransport: 'multicast' });

  it('a non-peer\'s datagram rebinding a live flow changes no table and the flow arrives whole; the peer\'s address is obeyed', async () => {
    const l = get();
    const t = l.t;
    const [a, b] = [l.pivsd('a'), l.pivsd('b')];
    for (const p of [a, b]) assert.equal([...p.log().matchAll(/sync is unauthenticated/g)].length, 1, 'said once at start');
    const streams = StreamRun.start(t, { connections: 1, durationMs: 5000 });
    try {
      await streams.waitEstablished();
      const port = await waitFor('B to learn the live flow', async () => [...clientPorts(await b.admOk(['-L', '-c', '-n']), t.client.address, t.vip)][0], 50, 100);
      const real = realOf(await a.admOk(['-L', '-c', '-n']), t.client.address, port);
      assert.ok(real !== undefined);
      assert.equal(realOf(await b.admOk(['-L', '-c', '-n']), t.client.address, port), real);
      const other = t.reals.map((r) => `${r.address}:80`).find((r) => r !== real) as string;
      const rebind = ipvsSyncMessage(0, {
        clientAddress: t.client.address, clientPort: port, virtualAddress: t.vip, virtualPort: 80,
        realAddress: other.split(':')[0], realPort: 80, timeout: 900,
      });
      const before = { a: await syncCounters(l, 'a'), b: await syncCounters(l, 'b') };
      await sendFromClient(l, 'a', rebind);
      await sendFromClient(l, 'b', rebind);
      for (const side of ['a', 'b'] as const) {
        const outcome = await waitFor(`${side.toUpperCase()} to handle the non-peer's datagram`, async (): Promise<string | undefined> => {
          if ((await syncCounters(l, side)).refused > before[side].refused) return 'refused';
          const now = realOf(await l.pivsd(side).admOk(['-L', '-c', '-n']), t.client.address, port);
          return now === real ? undefined : `rebound to ${now ?? 'nothing'}`;
        }, 50, 100);
        assert.equal(outcome, 'refused', `${side.toUpperCase()} obeyed a host that is no peer`);
        assert.equal(realOf(await l.pivsd(side).admOk(['-L', '-c', '-n']), t.client.address, port), real, `${side.toUpperCase()} rebound the flow`);
      }
      const report = await streams.finished(30_000);
      assert.equal(lostConnections(report), 0, `${damageText(report)}\n${l.logs()}`);

      // Control: a new flow in the same format with A's address forged is installed on B.
      const fresh = ipvsSyncMessage(0, {
        clientAddress: '198.18.0.77', clientPort: 5557, virtualAddress: t.vip, virtualPort: 80,
        realAddress: t.reals[0].address, realPort: 80, timeout: 900,
      });
      await sendForged(l, 'b', { address: l.host('a').address, port: SYNC_PORT }, fresh);
      await waitFor('B to install what came from A\'s address', async () => (realOf(await b.admOk(['-L', '-c', '-n']), '198.18.0.77', 5557) !== undefined ? true : undefined), 50, 100);
    } finally {
      streams.stop();
    }
  });

  it('a non-peer\'s resync request gets no answer; the same request from the peer\'s address does', async () => {
    const l = get();
    const request = encodeControl({ type: 'resync-request', syncId: 0, requestId: 0x1234 });
    const before = await syncCounters(l, 'b');
    // Listens for a second: the counters below are the proof, this only shows what the sender saw.
    const answered = await sendFromClient(l, 'b', request, 1000);
    const outcome = await waitFor('B to handle the request', async (): Promise<string | undefined> => {
      const c = await syncCounters(l, 'b');
      return c.resyncs > before.resyncs ? 'answered' : c.refused > before.refused ? 'refused' : undefined;
    }, 50, 100);
    assert.equal(outcome, 'refused', 'B sent its connection table to a host that is no peer');
    assert.equal(answered, 0, 'the client got datagrams back');
    assert.equal((await syncCounters(l, 'b')).resyncs, before.resyncs, 'B answered a non-peer');
    await sendForged(l, 'b', { address: l.host('a').address, port: SYNC_PORT }, request);
    await waitFor('B to answer the request from A\'s address', async () => ((await syncCounters(l, 'b')).resyncs === before.resyncs + 1 ? true : undefined), 50, 100);
  });
});
