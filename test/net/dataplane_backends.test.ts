// director.dataplane (docs/frames.md, "Backends"): on AF_XDP the XDP program hands pivs only what
// it must take, so the director's own traffic never reaches the fast path (AF_PACKET sees and
// ignores a copy of it); a kill -9 leaves no program on the NIC; auto falls back to AF_PACKET with
// one line saying why, and af_xdp refuses to start where it cannot run.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runAny, waitFor } from '../../src/lab/exec';
import { PIVSD_JS, startPivsd, statusDocument, type Pivsd } from '../../src/lab/pivsd';
import { countsText, fetchNames, useLab } from '../support/testing';
import { DIRECTOR_ADDRESS, IFACE, type Topology } from '../../src/lab/topology';

const DATAGRAMS = 300;

/** `count` UDP datagrams from the client to the director's own address (its kernel's, not a VIP). */
async function toDirector(t: Topology, count: number): Promise<void> {
  await t.exec(t.client, 'python3', ['-c', [
    'import socket',
    's = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)',
    `for i in range(${count}): s.sendto(b"x" * 64, ("${DIRECTOR_ADDRESS}", 9))`,
  ].join('\n')]);
}

async function xdpProgram(t: Topology): Promise<string> {
  const out = await t.exec(t.director, 'ip', ['-d', 'link', 'show', IFACE]);
  return /prog\/xdp id \d+ name (\S+)/.exec(out)?.[1] ?? 'none';
}

async function serve(t: Topology, pivsd: Pivsd): Promise<void> {
  await pivsd.admOk(['-A', '-t', `${t.vip}:80`, '-s', 'rr']);
  for (const r of t.reals) await pivsd.admOk(['-a', '-t', `${t.vip}:80`, '-r', `${r.address}:80`, '-g', '-w', '1']);
  await pivsd.waitReady();
}

/** How many frames pivsd's fast path ignored while the client sent DATAGRAMS to the director itself. */
async function ignoredOfDirectorTraffic(t: Topology): Promise<number> {
  const before = (await statusDocument(t, t.director)).dataplane?.ignored ?? 0;
  await toDirector(t, DATAGRAMS);
  // The datagrams are handled by then (the client's sends are synchronous; one more round trip).
  assert.equal(countsText(await fetchNames(t, `http://${t.vip}/`, 3)), 'rs1=1 rs2=1 rs3=1');
  return ((await statusDocument(t, t.director)).dataplane?.ignored ?? 0) - before;
}

describe('dataplane backends', { timeout: 180_000 }, () => {
  const lab = useLab({ pivsd: { dataplane: 'af_xdp' } });

  it('AF_XDP forwards, never sees the director\'s own traffic, and a kill -9 leaves no program behind', async () => {
    const { t, pivsd } = lab();
    assert.match(pivsd.log(), /"dataplane":"af_xdp","xdpMode":"(native|generic) (zero-)?copy"/);
    const status = await statusDocument(t, t.director);
    assert.equal(status.dataplane?.backend, 'af_xdp');
    assert.equal(await xdpProgram(t), 'pivs_xdp');
    await serve(t, pivsd);
    assert.equal(countsText(await fetchNames(t, `http://${t.vip}/`, 30)), 'rs1=10 rs2=10 rs3=10');
    assert.equal(await ignoredOfDirectorTraffic(t), 0, 'the XDP program passed the director\'s own datagrams to its kernel');

    pivsd.child.kill('SIGKILL');
    await waitFor('pivsd to die', async () => (pivsd.alive() ? undefined : true));
    // The BPF link goes with the process; the kernel detaches in the background.
    await waitFor('the XDP program to leave the interface', async () => ((await xdpProgram(t)) === 'none' ? true : undefined), 50, 100);

    const next = await startPivsd(t, { tag: 'pivsd-packet', dataplane: 'af_packet' });
    try {
      assert.equal(await xdpProgram(t), 'none');
      await serve(t, next);
      assert.ok(await ignoredOfDirectorTraffic(t) >= DATAGRAMS, 'AF_PACKET sees (and ignores) a copy of every frame');
    } finally {
      await next.stop();
    }
  });

  it('auto falls back to AF_PACKET with one line saying why; af_xdp refuses to start', async () => {
    const { t } = lab();
    // The lab's veth has one receive queue: two workers cannot each have an AF_XDP socket.
    const auto = await startPivsd(t, { tag: 'pivsd-auto', dataplane: 'auto', workers: 2 });
    try {
      const lines = auto.log().split('\n').filter((l) => l.includes('AF_XDP is not available'));
      assert.equal(lines.length, 1, auto.log());
      assert.match(lines[0], /eth0 has 1 receive queue\(s\), fewer than workers: 2 \(ethtool -L eth0 combined 2\)/);
      assert.equal((await statusDocument(t, t.director)).dataplane?.backend, 'af_packet');
      await serve(t, auto);
      assert.equal(countsText(await fetchNames(t, `http://${t.vip}/`, 30)), 'rs1=10 rs2=10 rs3=10');
    } finally {
      await auto.stop();
    }
    const refused = await runAny('ip', ['netns', 'exec', t.director.ns, process.execPath, PIVSD_JS, '-i', IFACE,
      '--socket', `${t.runDir}/refused.sock`, '--dataplane', 'af_xdp', '--workers', '2'], { timeoutMs: 20_000 });
    assert.notEqual(refused.code, 0);
    assert.match(refused.stdout + refused.stderr, /AF_XDP on eth0: eth0 has 1 receive queue\(s\), fewer than workers: 2/);
    assert.equal(await xdpProgram(t), 'none', 'a refused start leaves nothing attached');
  });
});
