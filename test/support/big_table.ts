// A lab director whose connection table holds a million entries, for the tests and benches of what
// pivsd does in the background at that size (expiry, pivsadm -L -c, takeover): director A of an HA
// lab, alone and so VRRP master, its table filled through its sync port by sync_fill.ts.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { waitFor } from '../../src/lab/exec';
import { ROOT, startPivsd, type Pivsd } from '../../src/lab/pivsd';
import { type HaLab, directorConfig } from './ha';

export const SYNC_FILL_JS = join(ROOT, 'dist', 'test', 'support', 'sync_fill.js');
const SYNC_PORT = 8848;
/** Messages (255 records) a second: below what pivsd installs, so that little is lost. */
const FILL_RATE = 500;
/** Connections sent at a time before pivsd is asked how many it holds. */
const FILL_CHUNK = 100_000;

/** Established connections the lab's real servers hold in the table, summed over the services. */
export async function activeConnections(p: Pivsd): Promise<number> {
  const l = await p.list();
  return l.virtualServices.reduce((a, s) => a + s.realServers.reduce((b, r) => b + r.activeConns, 0), 0);
}

/**
 * Starts director A (VRRP master once alone) with room for `count` entries from peers, and fills
 * its table with `count` established connections to VIP:80. env: extra environment for pivsd.
 */
export async function startBigTable(lab: HaLab, count: number, env: NodeJS.ProcessEnv = {}, tag = 'big'): Promise<Pivsd> {
  const t = lab.t;
  const a = lab.host('a');
  const config = directorConfig(t, a, lab.host('b'), lab.settings.priorityA, lab.settings) as {
    director: Record<string, unknown>; sync: Record<string, unknown>;
  };
  // Twice the entries: at the default size (1,048,576) a few keys of a million find no free slot
  // within the table's longest probe.
  config.director.connTableSize = 2 ** Math.ceil(Math.log2(2 * count));
  // Peers may fill the whole table here: they are the only source of its entries.
  config.sync.maxInstalledShare = 1;
  const file = join(t.runDir, `${tag}.yaml`);
  writeFileSync(file, stringify(config));
  const p = await startPivsd(t, { host: a, configFile: file, tag, env });
  await p.waitReady();
  await lab.waitMaster('a');
  // A chunk at a time, sent again (records already installed are only refreshed) until pivsd
  // holds all of it: a datagram its socket buffer could not take is lost.
  let sequence = 1;
  for (let first = 0; first < count; first += FILL_CHUNK) {
    const end = Math.min(count, first + FILL_CHUNK);
    await waitFor(`connections ${first} to ${end - 1} installed from sync`, async () => {
      const out = await t.exec(t.client, process.execPath, [SYNC_FILL_JS,
        '--to', `${a.address}:${SYNC_PORT}`, '--vip', t.vip, '--reals', t.reals.map((r) => r.address).join(','),
        '--first', String(first), '--count', String(end - first), '--key', lab.settings.authKey,
        '--sequence', String(sequence), '--rate', String(FILL_RATE)], 120_000);
      sequence = Number((JSON.parse(out) as { lastSequence: string }).lastSequence) + 1;
      // Datagrams still queued are installed within a few turns of pivsd's event loop.
      return waitFor('the sync socket to drain', async () => {
        const n = await activeConnections(p);
        return n >= end ? n : undefined;
      }, 20, 100).catch(() => undefined);
    }, 10, 0);
  }
  return p;
}

