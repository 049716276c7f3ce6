// Sync with `auth`: a sync message whose HMAC was made with the wrong key, sent to the backup from
// the client's namespace, must change nothing in the backup's connection table. The same message
// signed with the right key is then installed, which shows the first one was refused for its HMAC
// and not for anything else about it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sleep, waitFor } from '../../src/lab/exec';
import { AUTH_KEY, useHaLab } from '../../src/lab/ha';
import { ipvsSyncMessage, signedSyncMessage } from '../../src/lab/sync_forge';

const SYNC_PORT = 8848;
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
