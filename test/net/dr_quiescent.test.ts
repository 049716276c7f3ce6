// Quiescing a real server (weight 0, as ldirectord and health checks do): no new connections go to
// it, while a connection it already serves keeps flowing to the end.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { waitFor } from '../../src/lab/exec';
import { streamSha256 } from '../../src/lab/stream';
import { countsText, exitOf, fetchNames, useLab } from '../support/testing';

// 64 chunks of 16 KiB, one every 100 ms: about 6 s, long enough to quiesce and fetch meanwhile.
const BYTES = 1024 * 1024;
const SLOW = `/stream?bytes=${BYTES}&chunk=16384&interval=100`;

describe('quiescent real server (weight 0)', { timeout: 180_000 }, () => {
  const lab = useLab();

  it('takes no new connections while an open one completes intact', async () => {
    const { t, pivsd } = lab();
    await pivsd.admOk(['-A', '-t', `${t.vip}:80`, '-s', 'rr']);
    for (const r of t.reals) await pivsd.admOk(['-a', '-t', `${t.vip}:80`, '-r', `${r.address}:80`, '-g', '-w', '1']);
    await pivsd.waitReady();

    const headers = join(t.runDir, 'slow.headers');
    const body = join(t.runDir, 'slow.body');
    const slow = t.spawnIn(t.client, 'curl', ['-sS', '--max-time', '60', '-D', headers, '-o', body, `http://${t.vip}${SLOW}`],
      { logFile: join(t.runDir, 'slow.log') });
    // The held connection's real server, once its first bytes have arrived.
    const held = await waitFor('the slow transfer to start', async () => {
      if (!existsSync(body) || statSync(body).size === 0) return undefined;
      return /^x-real-server: (\S+)/im.exec(readFileSync(headers, 'utf8'))?.[1];
    }, 100, 100);
    const heldReal = t.host(held);

    await pivsd.admOk(['-e', '-t', `${t.vip}:80`, '-r', `${heldReal.address}:80`, '-g', '-w', '0']);
    const counts = await fetchNames(t, `http://${t.vip}/`, 30);
    const others = t.reals.filter((r) => r !== heldReal).map((r) => `${r.role}=15`).join(' ');
    assert.equal(countsText(counts), others);
    assert.equal(statSync(body).size < BYTES, true, 'the slow transfer ended before the weight change was tested');

    assert.equal(await exitOf(slow, 30_000), 0, readFileSync(join(t.runDir, 'slow.log'), 'utf8'));
    const got = readFileSync(body);
    assert.equal(got.length, BYTES);
    assert.equal(createHash('sha256').update(got).digest('hex'), streamSha256(BYTES));
  });
});
