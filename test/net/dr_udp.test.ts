// A UDP virtual service: each client flow sticks to one real server, flows are spread per rr, and
// the answer comes back from the VIP straight from the real server.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { useLab, udpAsk } from '../support/testing';

describe('UDP through the VIP (direct routing)', { timeout: 180_000 }, () => {
  const lab = useLab();

  it('answers every datagram, one real server per flow, flows spread by rr', async () => {
    const { t, pivsd } = lab();
    await pivsd.admOk(['-A', '-u', `${t.vip}:53`, '-s', 'rr']);
    for (const r of t.reals) await pivsd.admOk(['-a', '-u', `${t.vip}:53`, '-r', `${r.address}:53`, '-g', '-w', '1']);
    await pivsd.waitReady();
    const flows: string[] = [];
    for (let i = 0; i < 6; i++) {
      const replies = await udpAsk(t, 53, 3);
      assert.equal(replies.length, 3, `flow ${i}: ${replies.join(',')}`);
      assert.equal(new Set(replies).size, 1, `flow ${i} moved between real servers: ${replies.join(',')}`);
      flows.push(replies[0]);
    }
    assert.deepEqual([...flows].sort(), ['rs1', 'rs1', 'rs2', 'rs2', 'rs3', 'rs3']);
  });

  it('does not answer on a port with no virtual service', async () => {
    const { t } = lab();
    const replies = await udpAsk(t, 54, 1);
    assert.deepEqual(replies, ['timeout']);
  });
});
