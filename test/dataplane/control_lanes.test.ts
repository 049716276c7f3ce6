// What the fast path hands up to the control plane: VRRP in a lane of its own, delivered first,
// and ARP / neighbour discovery within per-second budgets, replies apart from requests.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Dataplane } from '../../src/dataplane';
import { DEFAULT_CONN_POLICY } from '../../src/config/model';
import { arpRequest, ethernet, icmpFrame, ipPacket } from './frames';
import { closedAfter, CLIENT, VIP, openSimulated, service } from './helpers';

const track = closedAfter();

function arpReply(from: string): Buffer {
  const f = arpRequest('02:00:00:00:00:77', from, '198.18.0.2');
  f.writeUInt16BE(2, 14 + 6);
  return f;
}

function vrrpAdvert(): Buffer {
  const { type, packet } = ipPacket({ src: '198.18.0.3', dst: '224.0.0.18' }, 112, Buffer.from('2133640100641d2d0000000000000000c6120a', 'hex'));
  return ethernet({ dstMac: '01:00:5e:00:00:12' }, type, packet);
}

/** Every frame handed up by the next delivery. */
function nextBatch(dp: Dataplane): Promise<Buffer[]> {
  return new Promise((resolve) => dp.onControlFrames(resolve));
}

describe('frames handed up to the control plane', () => {
  it('ARP requests beyond their budget are dropped and counted; replies and VRRP are not held back', async () => {
    const dp = openSimulated([service()]);
    track(dp);
    dp.setConnPolicy({ ...DEFAULT_CONN_POLICY, arpPerSecond: 5 });
    const batch = nextBatch(dp);
    for (let i = 0; i < 50; i++) dp.simulate(arpRequest('02:00:00:00:00:66', CLIENT, VIP), 10_000);
    for (let i = 0; i < 3; i++) dp.simulate(arpReply(`198.18.0.2${i}`), 10_000);
    dp.simulate(vrrpAdvert(), 10_000);
    const frames = await batch;
    assert.equal(frames.length, 5 + 3 + 1);
    assert.equal(frames[0][14 + 9], 112, 'the VRRP advert comes first, ahead of the ARP flood');
    assert.equal(frames.filter((f) => f.readUInt16BE(12) === 0x0806 && f.readUInt16BE(20) === 2).length, 3);
    assert.equal(dp.counters().drops.arpRateLimited, 45);
    assert.equal(dp.counters().drops.controlQueueFull, 0);
  });

  it('neighbour discovery has a budget, advertisements apart from solicitations', async () => {
    const dp = openSimulated([service()]);
    track(dp);
    dp.setConnPolicy({ ...DEFAULT_CONN_POLICY, ndPerSecond: 4 });
    const batch = nextBatch(dp);
    for (let i = 0; i < 20; i++) dp.simulate(icmpFrame({ src: '2001:db8::5', dst: 'ff02::1:ff00:10', icmpType: 135 }), 20_000);
    for (let i = 0; i < 2; i++) dp.simulate(icmpFrame({ src: '2001:db8::21', dst: '2001:db8::2', icmpType: 136 }), 20_000);
    const frames = await batch;
    assert.equal(frames.length, 4 + 2);
    assert.equal(dp.counters().drops.ndRateLimited, 16);
  });
});
