// A lab director whose connection table holds a million entries, for the tests and benches of what
// pivsd does in the background at that size (expiry, pivsadm -L -c, takeover): director A of an HA
// lab, alone and so VRRP master, its table filled through its sync port by sync_fill.ts.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { waitFor } from './exec';
import { type HaLab, directorConfig } from './ha';
import { ROOT, startPivsd, type Pivsd } from './pivsd';

export const SYNC_FILL_JS = join(ROOT, 'dist', 'src', 'lab', 'sync_fill.js');
const SYNC_PORT = 8848;
/** Messages a second: bursts that the director's socket buffer takes whole. */
const FILL_RATE = 1000;

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
  config.director.connTableSize = Math.max(1_048_576, count);
  // Peers may fill the whole table here: they are the only source of its entries.
  config.sync.maxInstalledShare = 1;
  const file = join(t.runDir, `${tag}.yaml`);
  writeFileSync(file, stringify(config));
  const p = await startPivsd(t, { host: a, configFile: file, tag, env });
  await p.waitReady();
  await lab.waitMaster('a');
  // A datagram the socket buffer could not take is sent again with the next round: records
  // already installed are only refreshed.
  let sequence = 1;
  await waitFor(`${count} connections installed from sync`, async () => {
    const out = await t.exec(t.client, process.execPath, [SYNC_FILL_JS,
      '--to', `${a.address}:${SYNC_PORT}`, '--vip', t.vip, '--reals', t.reals.map((r) => r.address).join(','),
      '--count', String(count), '--key', lab.settings.authKey, '--sequence', String(sequence), '--rate', String(FILL_RATE)],
    600_000);
    sequence = Number((JSON.parse(out) as { lastSequence: string }).lastSequence) + 1;
    // Datagrams still queued are installed within a few turns of pivsd's event loop.
    return waitFor('the sync socket to drain', async () => {
      const n = await activeConnections(p);
      return n >= count ? n : undefined;
    }, 20, 100).catch(() => undefined);
  }, 5, 0);
  return p;
}

