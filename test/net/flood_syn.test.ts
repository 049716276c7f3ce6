// A spoofed-source SYN flood at the generator's full rate, many times the connection table, while
// a client keeps asking for pages (two workers: one alone forwards less than the generator sends
// on this machine, so the client's own packets would be lost in the full receive ring, not in the
// table this test is about): the client is still answered, the table never grows past its
// size, pivsd's memory stays flat, and the table drains once the flood stops.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { waitFor } from '../../src/lab/exec';
import { statusDocument } from '../../src/lab/pivsd';
import { fetchNames, useLab } from '../support/testing';
import { IFACE } from '../../src/lab/topology';
import { buildGen } from '../../bench/gen';

const TABLE = 65536;
const FLOOD_SECONDS = 15;
const CLIENTS = 6;
/** The generator's flows: 16 spoofed source addresses (198.19.0.1-16) by 64512 ports. */
const FLOOD_FLOWS = 16 * 64512;

function rssKiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m === null ? 0 : Number(m[1]);
}

describe('a spoofed SYN flood', { timeout: 240_000 }, () => {
  const lab = useLab({
    beforePivsd: (t) => {
      const file = join(t.runDir, 'flood.yaml');
      writeFileSync(file, [
        `director: {connTableSize: ${TABLE}, workers: 2}`,
        'virtualServices:',
        `  - {protocol: tcp, address: ${t.vip}, port: 80, scheduler: rr, realServers: [`,
        t.reals.map((r) => `      {address: ${r.address}}`).join(',\n'),
        '    ]}',
        '',
      ].join('\n'));
      return { configFile: file };
    },
  });

  it('leaves real clients answered, the table within its size, memory flat, and drains after', async (ctx) => {
    const { t, pivsd } = lab();
    await pivsd.waitReady();
    const gen = join(t.runDir, 'gen');
    await buildGen(gen);
    const url = `http://${t.vip}/`;

    // The flooder runs niced: on this lab's two cores it shares the CPU with the director, where a
    // real flood arrives over the wire and takes none of the director's time.
    const flood = t.exec(t.client, 'nice', ['-n', '10', gen,
      '-i', IFACE, '-s', t.client.mac, '-d', t.director.mac, '-S', '198.19.0.1', '-D', t.vip, '-p', '80',
      '-f', String(FLOOD_FLOWS), '-t', String(FLOOD_SECONDS), '-T',
    ], (FLOOD_SECONDS + 30) * 1000).then((out) => JSON.parse(out) as { sent: number; seconds: number });
    let flooding = true;
    void flood.finally(() => { flooding = false; }).catch(() => undefined);

    // Several clients at once, each asking again as soon as it has its answer: under the flood a
    // SYN may wait in a full receive ring and be retransmitted, so one client alone asks little.
    let asked = 0;
    let answered = 0;
    let maxConnections = 0;
    const rss: number[] = [];
    const client = async (): Promise<void> => {
      while (flooding) {
        const counts = await fetchNames(t, url, 2);
        asked += 2;
        answered += 2 - (counts.get('(failed)') ?? 0);
      }
    };
    const watcher = async (): Promise<void> => {
      while (flooding) {
        const doc = await statusDocument(t, t.director);
        maxConnections = Math.max(maxConnections, doc.dataplane?.connections ?? 0);
        rss.push(rssKiB(pivsd.pid));
        // Ten samples a second: polling /status back to back would make its own garbage the RSS figure.
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    await Promise.all([...Array.from({ length: CLIENTS }, client), watcher()]);
    const g = await flood;
    const d = (await statusDocument(t, t.director)).dataplane;
    assert.ok(d !== null);
    ctx.diagnostic(`SYN flood: ${g.sent} SYNs in ${g.seconds.toFixed(1)} s (${Math.round(g.sent / g.seconds)}/s, `
      + `${(g.sent / TABLE).toFixed(0)}x the table); client answered ${answered}/${asked}; `
      + `peak table ${maxConnections}/${TABLE}; evicted ${d.drops.evicted}, tableFull ${d.drops.tableFull}, rxRingFull ${d.drops.rxRingFull}; `
      + `RSS ${rss[0]}..${Math.max(...rss)} KiB in ${rss.length} samples`);

    assert.ok(g.sent >= 10 * TABLE, `the flood sent ${g.sent} SYNs, not many times the table`);
    assert.ok(asked >= 20, `only ${asked} requests fitted in the flood`);
    assert.ok(answered >= 0.95 * asked, `only ${answered} of ${asked} requests were answered`);
    assert.ok(maxConnections <= TABLE, `the table held ${maxConnections} entries`);
    assert.ok(d.drops.evicted > 0, 'the flood\'s half-open entries were evicted');
    // The table's pages are mapped at start; a full table costs what it costs once, not more.
    const growth = Math.max(...rss) - rss[0];
    assert.ok(growth < 16 * 1024, `RSS grew ${growth} KiB during the flood (${rss.join(', ')})`);

    // Half-open entries live pressureEmbryonicTimeout (5 s) under pressure, then the sweeper
    // takes them; the client's own closed connections stay their tcpfin time, as in IPVS.
    await waitFor('the table to drain', async () => {
      const doc = await statusDocument(t, t.director);
      return (doc.dataplane?.connections ?? TABLE) < asked + TABLE / 100 ? true : undefined;
    }, 120, 250);
    const after = await fetchNames(t, url, 10);
    assert.equal(after.get('(failed)') ?? 0, 0);
  });
});
