// A long TCP transfer through the VIP: every client packet of it goes to the one real server that
// took the connection, and the 20 MB arrive complete and in order.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { streamSha256 } from '../../src/lab/stream';
import { useLab } from '../support/testing';

const BYTES = 20 * 1024 * 1024;

describe('long TCP transfer', { timeout: 180_000 }, () => {
  const lab = useLab();

  it('delivers 20 MB intact from a single real server', async () => {
    const { t, pivsd } = lab();
    await pivsd.admOk(['-A', '-t', `${t.vip}:80`, '-s', 'rr']);
    for (const r of t.reals) await pivsd.admOk(['-a', '-t', `${t.vip}:80`, '-r', `${r.address}:80`, '-g', '-w', '1']);
    await pivsd.waitReady();

    const headers = join(t.runDir, 'long.headers');
    const body = join(t.runDir, 'long.body');
    await t.exec(t.client, 'curl', ['-sS', '--max-time', '60', '-D', headers, '-o', body, `http://${t.vip}/stream?bytes=${BYTES}`], 70_000);
    const got = readFileSync(body);
    assert.equal(got.length, BYTES);
    assert.equal(createHash('sha256').update(got).digest('hex'), streamSha256(BYTES));

    const served = /^x-real-server: (\S+)/im.exec(readFileSync(headers, 'utf8'))?.[1];
    const real = t.host(served ?? '(no X-Real-Server header)');
    // One connection in all, on the real server that answered; the others saw none.
    const stats = await pivsd.admOk(['-L', '-n', '--stats']);
    const conns = new Map(stats.split('\n').filter((l) => l.startsWith('  -> 198.18.'))
      .map((l) => l.trim().split(/\s+/)).map((f) => [f[1].split(':')[0], Number(f[2])]));
    assert.deepEqual(Object.fromEntries(conns), Object.fromEntries(t.reals.map((r) => [r.address, r === real ? 1 : 0])));
  });
});
