// The lab as a user drives it: start it, fetch through the VIP with `lab exec`, list with `lab adm`,
// stop it with SIGTERM, and find nothing of it left.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { StopWaiting, run, runAny, waitFor } from '../../src/lab/exec';
import { ROOT } from '../../src/lab/pivsd';
import { exitOf } from '../support/testing';

const LAB_JS = join(ROOT, 'dist', 'src', 'lab', 'main.js');

describe('the lab', { timeout: 180_000 }, () => {
  it('comes up, serves the VIP, and leaves nothing behind on SIGTERM', async () => {
    const lab = spawn(process.execPath, [LAB_JS], { stdio: ['ignore', 'pipe', 'pipe'] });
    after(() => { if (lab.exitCode === null) lab.kill('SIGTERM'); });
    let out = '';
    lab.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
    lab.stderr.setEncoding('utf8').on('data', (d: string) => { out += d; });

    await waitFor('the lab to print its instructions', async () => {
      if (lab.exitCode !== null) throw new StopWaiting(`the lab exited ${lab.exitCode}: ${out}`);
      return out.includes('Ctrl-C stops pivsd') ? true : undefined;
    }, 600, 100);
    const prefix = /pivs lab (pv\w+):/.exec(out)?.[1];
    assert.ok(prefix, out);
    // Names this lab, not another one a developer may be running at the same time.
    const env = { ...process.env, PIVS_LAB: prefix };

    const names: string[] = [];
    for (let i = 0; i < 3; i++) {
      names.push((await run(process.execPath, [LAB_JS, 'exec', 'client', 'curl', '-sS', '--max-time', '5', 'http://198.18.0.100/'], { env })).trim());
    }
    assert.deepEqual([...names].sort(), ['rs1', 'rs2', 'rs3']);
    const listing = await run(process.execPath, [LAB_JS, 'adm', '-L', '-n'], { env });
    assert.match(listing, /^TCP {2}198\.18\.0\.100:80 rr$/m);
    assert.match(listing, /^UDP {2}198\.18\.0\.100:53 rr$/m);

    lab.kill('SIGTERM');
    assert.equal(await exitOf(lab, 20_000), 0, out);
    const netns = (await runAny('ip', ['netns', 'list'])).stdout;
    assert.equal(netns.split('\n').filter((l) => l.startsWith(prefix)).join('\n'), '');
    const gone = await runAny(process.execPath, [LAB_JS, 'exec', 'client', 'true'], { env: { ...process.env, PIVS_LAB: prefix } });
    assert.equal(gone.stderr.trim(), `lab: no running lab is named ${prefix}.`);
  });
});
