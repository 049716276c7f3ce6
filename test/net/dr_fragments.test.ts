// Fragmented datagrams, with one worker and with two (PACKET_FANOUT): a 64 KiB datagram to the
// director's own address leaves pivsd running, and every fragment of a datagram to the VIP
// reaches the real server that took its first fragment, which alone can reassemble and answer.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { useLab, udpAsk } from '../support/testing';
import type { DropCounts } from '../../src/dataplane/types';

async function drops(adm: (args: string[]) => Promise<string>): Promise<DropCounts> {
  return (JSON.parse(await adm(['-L', '-n', '--json'])) as { drops: DropCounts }).drops;
}

for (const workers of [1, 2]) {
  describe(`fragments through the VIP with ${workers} worker(s)`, { timeout: 180_000 }, () => {
    const lab = useLab({ pivsd: { workers } });

    it('a 65507-byte datagram to the director itself changes nothing; pivsd keeps forwarding', async () => {
      const { t, pivsd } = lab();
      await pivsd.admOk(['-A', '-u', `${t.vip}:53`, '-s', 'rr']);
      for (const r of t.reals) await pivsd.admOk(['-a', '-u', `${t.vip}:53`, '-r', `${r.address}:53`, '-g', '-w', '1']);
      await pivsd.waitReady();
      // Nothing listens there: the director's kernel answers port unreachable, no reply comes.
      assert.deepEqual(await udpAsk(t, 9, 1, 65507, t.director.address), ['timeout']);
      assert.ok(pivsd.alive(), 'pivsd survived the datagram');
      assert.deepEqual((await udpAsk(t, 53, 2)).length, 2);
    });

    it('every fragment of a datagram to the VIP reaches one real server, flow after flow', async () => {
      const { t, pivsd } = lab();
      const answered: string[] = [];
      for (let i = 0; i < 6; i++) {
        // 3000 bytes: three fragments on a 1500-byte LAN. Fragments split between real servers
        // would be reassembled by neither, and the datagram would go unanswered.
        const replies = await udpAsk(t, 53, 2, 3000);
        assert.equal(new Set(replies).size, 1, `flow ${i}: ${replies.join(',')}`);
        assert.notEqual(replies[0], 'timeout', `flow ${i} went unanswered`);
        answered.push(replies[0]);
      }
      assert.equal(new Set(answered).size, 3, `rr spreads the flows: ${answered.join(',')}`);
      const d = await drops((a) => pivsd.admOk(a));
      assert.equal(d.fragmentUnknown, 0);
      assert.equal(d.malformed, 0);
    });
  });
}
