// What ARP does when the active link changes: gratuitous ARP for what it answers for, with the
// MAC it answers with, and real servers asked about again from the new link's address.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import { decodeArp, ARP_OP_REQUEST } from '../../src/arp/arp_codec';
import { decodeEthernet } from '../../src/arp/ethernet';
import { startArp, GARP_BURST } from '../../src/arp/service';
import { FakeClock } from '../arp/fake_clock';
import { FakeDataplane } from '../arp/fake_dataplane';
import { DIRECTOR_MAC, OWN_IP, REAL_IP, VIP } from '../arp/fixtures';

function arps(frames: Buffer[]): Array<{ op: number; src: string; sha: string; spa: string; tpa: string }> {
  return frames.map((f) => decodeEthernet(f)).filter((e) => e.etherType === 0x0806)
    .map((e) => ({ ...decodeArp(e.payload), src: e.source })).map((a) => ({ op: a.op, src: a.src, sha: a.sha, spa: a.spa, tpa: a.tpa }));
}

describe('ARP follows the active link', () => {
  it('announces the virtual addresses and re-resolves real servers from the new link', () => {
    const dataplane = new FakeDataplane(DIRECTOR_MAC);
    const clock = new FakeClock();
    const own = [{ address: OWN_IP, family: 'IPv4' as const, netmask: '255.255.255.0', mac: DIRECTOR_MAC, internal: false as const, cidr: `${OWN_IP}/24` }];
    const addrs: Record<string, typeof own> = { eth0: own, eth1: [] };
    const arp = startArp({ dataplane, interface: 'eth0', logger: pino({ level: 'silent' }), clock, networkInterfaces: () => addrs });
    arp.setAddresses({ virtualAddresses: [VIP], realAddresses: [REAL_IP] });
    arp.setVirtualMacs(new Map([[VIP, '00:00:5e:00:01:33']]));
    dataplane.take();
    // The addresses have moved to eth1 by the time resolution asks again.
    addrs.eth1 = own;
    addrs.eth0 = [];
    arp.setInterface('eth1');
    const sent = arps(dataplane.take());
    const garps = sent.filter((a) => a.spa === VIP);
    assert.equal(garps.length, GARP_BURST);
    assert.deepEqual(garps[0], { op: ARP_OP_REQUEST, src: '00:00:5e:00:01:33', sha: '00:00:5e:00:01:33', spa: VIP, tpa: VIP });
    const asks = sent.filter((a) => a.tpa === REAL_IP);
    assert.equal(asks.length, 1);
    assert.equal(asks[0].spa, OWN_IP);
    arp.close();
  });
});
