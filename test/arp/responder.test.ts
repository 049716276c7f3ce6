import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ARP_OP_REPLY, arpRequestFrame, encodeArp, gratuitousArpFrame } from '../../src/arp/arp_codec';
import { encodeEthernet } from '../../src/arp/ethernet';
import { ND_NEIGHBOR_SOLICIT, icmpv6Packet } from '../../src/arp/nd_codec';
import {
  ARP_REPLY_FOR_VIP, ARP_REQUEST_FOR_VIP, CLIENT_IP, CLIENT_MAC, DIRECTOR_MAC, ECHO6_REPLY_FROM_VIP, ECHO6_REQUEST_TO_VIP,
  ECHO_REPLY_FROM_VIP, ECHO_REQUEST_TO_VIP, NA_FOR_VIP6, NS_FOR_VIP6, VIP, VIP6, bytes, referenceChecksum,
} from './fixtures';
import { harness } from './harness';

function withVips(virtualAddresses = [VIP, VIP6]) {
  const h = harness();
  h.service.setAddresses({ virtualAddresses, realAddresses: [] });
  return h;
}

test('an ARP request for a VIP gets exactly the expected reply', () => {
  const { dataplane, service } = withVips();
  dataplane.receive(ARP_REQUEST_FOR_VIP);
  assert.deepEqual(dataplane.take(), [ARP_REPLY_FOR_VIP]);
  assert.equal(service.counters().answered, 1);
});

test('an ARP request for an address that is not a VIP gets nothing', () => {
  const { dataplane } = withVips();
  dataplane.receive(arpRequestFrame(CLIENT_MAC, CLIENT_IP, '198.18.0.101'));
  assert.deepEqual(dataplane.take(), []);
});

test('ARP replies and a peer director\'s gratuitous ARP for the VIP are not answered', () => {
  const { dataplane } = withVips();
  const replyToVip = encodeEthernet(
    { destination: DIRECTOR_MAC, source: CLIENT_MAC, etherType: 0x0806 },
    encodeArp({ op: ARP_OP_REPLY, sha: CLIENT_MAC, spa: CLIENT_IP, tha: DIRECTOR_MAC, tpa: VIP }),
  );
  dataplane.receive(replyToVip, gratuitousArpFrame('52:54:00:99:99:99', VIP));
  assert.deepEqual(dataplane.take(), []);
});

test('our own frames handed back up are not answered', () => {
  const { dataplane } = withVips();
  dataplane.receive(arpRequestFrame(DIRECTOR_MAC, '198.18.0.2', VIP));
  assert.deepEqual(dataplane.take(), []);
});

test('an ICMP echo request to a VIP gets the echo reply bytes', () => {
  const { dataplane } = withVips();
  dataplane.receive(ECHO_REQUEST_TO_VIP);
  assert.deepEqual(dataplane.take(), [ECHO_REPLY_FROM_VIP]);
});

test('an ICMPv6 echo request to a v6 VIP gets the echo reply bytes', () => {
  const { dataplane } = withVips();
  dataplane.receive(ECHO6_REQUEST_TO_VIP);
  assert.deepEqual(dataplane.take(), [ECHO6_REPLY_FROM_VIP]);
});

test('a neighbor solicitation for a v6 VIP gets a solicited, override advertisement', () => {
  const { dataplane } = withVips();
  dataplane.receive(NS_FOR_VIP6);
  assert.deepEqual(dataplane.take(), [NA_FOR_VIP6]);
});

test('duplicate address detection for a v6 VIP is answered to all-nodes, not solicited', () => {
  const { dataplane } = withVips();
  const dad = encodeEthernet(
    { destination: '33:33:ff:00:01:00', source: CLIENT_MAC, etherType: 0x86dd },
    icmpv6Packet('::', 'ff02::1:ff00:100', { type: ND_NEIGHBOR_SOLICIT, code: 0, targetAddress: VIP6 }),
  );
  dataplane.receive(dad);
  const [na] = dataplane.take();
  assert.ok(na, 'an advertisement was sent');
  assert.deepEqual(na.subarray(0, 6), bytes('33 33 00 00 00 01'));
  assert.deepEqual(na.subarray(38, 54), bytes('ff 02', '00'.repeat(13), '01'));
  assert.equal(na[58], 0x20, 'override only');
  const pseudo = Buffer.concat([na.subarray(22, 54), bytes('00 00 00 20 00 00 00 3a')]);
  assert.equal(referenceChecksum(Buffer.concat([pseudo, na.subarray(54, 86)])), 0);
});

test('echo and neighbor solicitation for non-virtual addresses are ignored', () => {
  const { dataplane } = withVips([VIP]);
  dataplane.receive(ECHO6_REQUEST_TO_VIP, NS_FOR_VIP6);
  assert.deepEqual(dataplane.take(), []);
});

test('a VLAN-tagged request is answered with the same tag', () => {
  const { dataplane } = withVips();
  dataplane.receive(arpRequestFrame(CLIENT_MAC, CLIENT_IP, VIP, 'ff:ff:ff:ff:ff:ff', 0x0064));
  const [reply] = dataplane.take();
  assert.deepEqual(reply.subarray(12, 18), bytes('81 00 00 64 08 06'));
  const untagged = Buffer.concat([reply.subarray(0, 12), reply.subarray(16)]);
  assert.deepEqual(untagged.subarray(0, 42), ARP_REPLY_FOR_VIP.subarray(0, 42));
});

test('setAddresses removing a VIP stops answering for it', () => {
  const { dataplane, service } = withVips();
  service.setAddresses({ virtualAddresses: [VIP6], realAddresses: [] });
  dataplane.receive(ARP_REQUEST_FOR_VIP, ECHO_REQUEST_TO_VIP);
  assert.deepEqual(dataplane.take(), []);
  dataplane.receive(NS_FOR_VIP6);
  assert.deepEqual(dataplane.take(), [NA_FOR_VIP6]);
});

test('a VIP given in another spelling is still answered', () => {
  const { dataplane } = withVips(['2001:DB8:0::0100']);
  dataplane.receive(NS_FOR_VIP6);
  assert.deepEqual(dataplane.take(), [NA_FOR_VIP6]);
});

test('a bad address is refused with one sentence and changes nothing', () => {
  const { dataplane, service } = withVips();
  assert.throws(
    () => service.setAddresses({ virtualAddresses: ['198.18.0.300'], realAddresses: [] }),
    { message: '"198.18.0.300" is not an IPv4 or IPv6 address.' },
  );
  dataplane.receive(ARP_REQUEST_FOR_VIP);
  assert.deepEqual(dataplane.take(), [ARP_REPLY_FOR_VIP]);
});

test('malformed frames are counted and logged at debug, and the rest of the batch is still answered', () => {
  const { dataplane, service, logs } = withVips();
  const badChecksum = Buffer.from(ECHO_REQUEST_TO_VIP);
  badChecksum[40] ^= 0xff;
  const truncatedArp = ARP_REQUEST_FOR_VIP.subarray(0, 30);
  dataplane.receive(bytes('01 02 03'), truncatedArp, badChecksum, ARP_REQUEST_FOR_VIP);
  assert.deepEqual(dataplane.take(), [ARP_REPLY_FOR_VIP]);
  assert.deepEqual(service.counters(), { received: 4, answered: 1, malformed: 3 });
  const debug = logs.filter((l) => l.level === 20 && l.msg === 'ignored a malformed control frame');
  assert.equal(debug.length, 3);
  assert.match(String(debug[2].reason), /ICMP checksum is wrong/);
});

test('after close nothing is answered', () => {
  const { dataplane, service } = withVips();
  service.close();
  dataplane.receive(ARP_REQUEST_FOR_VIP);
  assert.deepEqual(dataplane.take(), []);
});
