// VRRP notify commands and track scripts run through health/script_runner.ts: no capabilities,
// own process group, the whole group killed when their timeout ends them.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import pino from 'pino';
import { spawnRunner } from '../../src/vrrp/notify';
import { systemTrackIo } from '../../src/vrrp/track';
import { gone, HANG_TIMEOUT_MS, useScriptDir } from '../health/script_dir';

const { path: inDir, script } = useScriptDir('pivs-vrrp-scripts-');

async function grandchildGone(pidFile: string): Promise<boolean> {
  assert.ok(existsSync(pidFile), 'the script did not start its grandchild');
  return gone(Number(readFileSync(pidFile, 'utf8')));
}

test('a notify command that hangs is killed with its grandchildren', async () => {
  const pidFile = inDir('notify.pid');
  const hang = script('notify.sh', `sleep 1000 & echo $! > ${pidFile}.tmp; mv ${pidFile}.tmp ${pidFile}; wait`);
  await spawnRunner(pino({ level: 'silent' }))([hang, 'MASTER'], HANG_TIMEOUT_MS);
  assert.equal(await grandchildGone(pidFile), true);
});

test('a track script that hangs fails and is killed with its grandchildren; one without capabilities passes', async () => {
  const pidFile = inDir('track.pid');
  const hang = script('track.sh', `sleep 1000 & echo $! > ${pidFile}.tmp; mv ${pidFile}.tmp ${pidFile}; wait`);
  assert.equal(await systemTrackIo.check([hang], HANG_TIMEOUT_MS), false);
  assert.equal(await grandchildGone(pidFile), true);
  const noCaps = script('nocaps.sh', `grep -q '^CapEff:[[:space:]]*0*$' /proc/self/status`);
  assert.equal(await systemTrackIo.check([noCaps], 5000), true);
});
