// HTTP through the VIP by direct routing: what a client sees of rr and wrr over three real servers.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countsText, fetchNames, useLab } from '../support/testing';

describe('HTTP through the VIP (direct routing)', { timeout: 180_000 }, () => {
  const lab = useLab();

  it('spreads 300 new connections exactly 100/100/100 with rr', async () => {
    const { t, pivsd } = lab();
    await pivsd.admOk(['-A', '-t', `${t.vip}:80`, '-s', 'rr']);
    for (const r of t.reals) await pivsd.admOk(['-a', '-t', `${t.vip}:80`, '-r', `${r.address}:80`, '-g', '-w', '1']);
    await pivsd.waitReady();
    const counts = await fetchNames(t, `http://${t.vip}/`, 300);
    assert.equal(countsText(counts), 'rs1=100 rs2=100 rs3=100');
  });

  it('spreads 300 new connections 150/100/50 with wrr and weights 3:2:1', async () => {
    const { t, pivsd } = lab();
    await pivsd.admOk(['-E', '-t', `${t.vip}:80`, '-s', 'wrr']);
    const weights = [3, 2, 1];
    for (const [i, r] of t.reals.entries()) {
      await pivsd.admOk(['-e', '-t', `${t.vip}:80`, '-r', `${r.address}:80`, '-g', '-w', String(weights[i])]);
    }
    const counts = await fetchNames(t, `http://${t.vip}/`, 300);
    assert.equal(countsText(counts), 'rs1=150 rs2=100 rs3=50');
  });

  it('counts every one of those 600 connections in pivsadm -L -n --stats', async () => {
    const { pivsd } = lab();
    const out = await pivsd.admOk(['-L', '-n', '--stats']);
    const conns = out.split('\n').filter((l) => l.startsWith('  -> 198.18.')).map((l) => l.trim().split(/\s+/)[2]);
    // The Conns column; packet counts depend on TCP's acknowledgement timing.
    assert.deepEqual(conns, ['250', '200', '150']);
  });
});
