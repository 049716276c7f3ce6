import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { dropCapsArgs, runScript } from '../../src/health/script_runner';
import { gone, HANG_TIMEOUT_MS, useScriptDir } from './script_dir';

const { path: inDir, script } = useScriptDir('pivs-runner-');

describe('runScript', () => {
  it('drops the bounding set only when pivsd holds CAP_SETPCAP', () => {
    assert.deepEqual(dropCapsArgs('CapEff:\t0000000000003000\n'), ['--inh-caps=-all', '--ambient-caps=-all']);
    assert.deepEqual(dropCapsArgs('CapEff:\t000001ffffffffff\n'), ['--inh-caps=-all', '--ambient-caps=-all', '--bounding-set=-all']);
  });

  it('runs the program with no capabilities at all', async () => {
    const out = inDir('caps');
    const caps = script('caps.sh', `grep -E '^Cap(Eff|Prm|Amb|Inh)' /proc/self/status > ${out}`);
    const e = await runScript([caps]).exited;
    assert.equal(e.code, 0);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    assert.equal(lines.length, 4);
    for (const l of lines) assert.match(l, /:\s*0+$/, l);
  });

  it('runs it in a process group of its own and kills the whole group on timeout', async () => {
    const pids = inDir('pids');
    // The grandchild sleeps forever in the background; the script itself waits for it.
    const forker = script('forker.sh', `sleep 1000 & echo "$$ $! $(ps -o pgid= -p $$)" > ${pids}.tmp; mv ${pids}.tmp ${pids}; wait`);
    const run = runScript([forker], { timeoutMs: HANG_TIMEOUT_MS });
    const e = await run.exited;
    assert.equal(e.timedOut, true);
    assert.equal(e.signal, 'SIGKILL');
    const [self, grandchild, pgid] = readFileSync(pids, 'utf8').trim().split(/\s+/).map(Number);
    assert.equal(pgid, run.pid, 'the script leads its own process group');
    assert.notEqual(pgid, process.pid);
    assert.equal(self, run.pid, 'setpriv execs the script in place');
    // SIGKILL is delivered to the whole group at once; the grandchild's death is reaped by init.
    assert.ok(await gone(grandchild), `the grandchild ${grandchild} is still running`);
  });

  it('passes the environment and reports a program that cannot be run', async () => {
    const out = inDir('env');
    const env = script('env.sh', `printf %s "$PIVS_X" > ${out}`);
    assert.equal((await runScript([env], { env: { PIVS_X: 'yes' } }).exited).code, 0);
    assert.equal(readFileSync(out, 'utf8'), 'yes');
    const missing = await runScript([inDir('missing')]).exited;
    assert.equal((missing.error as NodeJS.ErrnoException).code, 'ENOENT');
  });
});
