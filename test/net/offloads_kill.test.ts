// pivsd turns segmentation and receive offloads off on the interface it forwards on. A pivsd
// killed with -9 cannot turn them back on; the next pivsd must restore what the interface had
// before the first one, not the "off" it finds, when it stops.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { waitFor } from '../../src/lab/exec';
import { startPivsd } from '../../src/lab/pivsd';
import { useLab } from '../support/testing';
import { IFACE, type Host } from '../../src/lab/topology';

const SHOWN = ['tcp-segmentation-offload', 'generic-segmentation-offload', 'generic-receive-offload'];

/** ethtool -k's on/off for the offloads pivsd changes, as "name: on" lines. */
function offloads(host: Host): string {
  const out = execFileSync('ip', ['netns', 'exec', host.ns, 'ethtool', '-k', IFACE], { encoding: 'utf8' });
  return out.split('\n').filter((l) => SHOWN.some((n) => l.startsWith(`${n}:`))).map((l) => l.replace(/ \[.*\]$/, '')).join('\n');
}

describe('NIC offloads after a kill -9', { timeout: 120_000 }, () => {
  let original = '';
  const lab = useLab({ beforePivsd: (t) => { original = offloads(t.director); } });

  it('the next pivsd restores the settings the interface had before the first one', async () => {
    const { t, pivsd } = lab();
    assert.match(original, /generic-segmentation-offload: on/, 'the lab starts with GSO on');
    assert.match(offloads(t.director), /generic-segmentation-offload: off/, 'pivsd turned GSO off');
    pivsd.child.kill('SIGKILL');
    await waitFor('pivsd to die', async () => (pivsd.alive() ? undefined : true));
    assert.match(offloads(t.director), /generic-segmentation-offload: off/, 'a killed pivsd left it off');

    const next = await startPivsd(t, { tag: 'pivsd-2' });
    assert.match(offloads(t.director), /generic-segmentation-offload: off/);
    await next.stop();
    assert.equal(offloads(t.director), original);
  });
});
