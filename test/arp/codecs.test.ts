import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ARP_OP_REPLY, ARP_OP_REQUEST, arpReplyFrame, arpRequestFrame, decodeArp, gratuitousArpFrame } from '../../src/arp/arp_codec';
import { internetChecksum } from '../../src/arp/checksum';
import { MalformedPacketError } from '../../src/arp/errors';
import { decodeEthernet, encodeEthernet, macFromBytes, macToBytes } from '../../src/arp/ethernet';
import { ICMP_ECHO, decodeIcmpEcho, decodeIpv4, echoReplyPacket, encodeIcmpEcho } from '../../src/arp/icmp_codec';
import {
  ICMPV6_ECHO_REQUEST, ND_NEIGHBOR_ADVERT, ND_NEIGHBOR_SOLICIT, decodeIcmpv6, decodeIpv6, icmpv6Checksum,
  icmpv6Packet, multicastMac, solicitedNodeAddress, unsolicitedAdvertisementFrame,
} from '../../src/arp/nd_codec';
import {
  ARP_REPLY_FOR_VIP, ARP_REQUEST_FOR_VIP, CLIENT_IP, CLIENT_IP6, CLIENT_MAC, DIRECTOR_MAC, ECHO6_REPLY_FROM_VIP,
  ECHO6_REQUEST_TO_VIP, ECHO_REPLY_FROM_VIP, ECHO_REQUEST_TO_VIP, NA_FOR_VIP6, NS_FOR_VIP6, VIP, VIP6, bytes, referenceChecksum, zeros,
} from './fixtures';

const throwsMalformed = (fn: () => unknown) => assert.throws(fn, MalformedPacketError);

test('the fixtures carry checksums that the reference checksum accepts', () => {
  for (const frame of [ECHO_REQUEST_TO_VIP, ECHO_REPLY_FROM_VIP]) {
    assert.equal(referenceChecksum(frame.subarray(14, 34)), 0, 'IPv4 header');
    assert.equal(referenceChecksum(frame.subarray(34)), 0, 'ICMP message');
  }
  for (const frame of [ECHO6_REQUEST_TO_VIP, ECHO6_REPLY_FROM_VIP, NS_FOR_VIP6, NA_FOR_VIP6]) {
    const ip = frame.subarray(14);
    const length = ip.readUInt16BE(4);
    const pseudo = Buffer.concat([ip.subarray(8, 40), bytes(length.toString(16).padStart(8, '0'), '00 00 00 3a')]);
    assert.equal(referenceChecksum(Buffer.concat([pseudo, ip.subarray(40, 40 + length)])), 0, 'ICMPv6 message');
  }
});

test('internetChecksum agrees with the reference on odd and even lengths', () => {
  for (const data of [bytes('45 00 00 36 12 34 40 00 3f 01 00 00 c6 12 00 0a c6 12 00 64'), bytes('ff ff 01'), bytes('')]) {
    assert.equal(internetChecksum(data), referenceChecksum(data));
  }
});

test('MAC text and bytes convert both ways and bad text is refused', () => {
  assert.deepEqual(macToBytes('52:54:00:AB:cd:ef'), bytes('52 54 00 ab cd ef'));
  assert.equal(macFromBytes(bytes('52 54 00 ab cd ef')), CLIENT_MAC);
  assert.throws(() => macToBytes('52:54:00:ab:cd'), /is not a MAC address/);
});

test('Ethernet header round-trips, pads to 60 bytes and keeps an 802.1Q tag', () => {
  const plain = encodeEthernet({ destination: CLIENT_MAC, source: DIRECTOR_MAC, etherType: 0x0806 }, bytes('01 02'));
  assert.deepEqual(plain, bytes('52 54 00 ab cd ef', '52 54 00 12 34 56', '08 06', '01 02', zeros(44)));
  const tagged = encodeEthernet({ destination: CLIENT_MAC, source: DIRECTOR_MAC, vlanTci: 0x0064, etherType: 0x0800 }, Buffer.alloc(50));
  assert.deepEqual(tagged.subarray(12, 18), bytes('81 00', '00 64', '08 00'));
  const back = decodeEthernet(tagged);
  assert.equal(back.vlanTci, 0x64);
  assert.equal(back.etherType, 0x0800);
  assert.equal(back.payload.length, 50);
  throwsMalformed(() => decodeEthernet(bytes(zeros(13))));
  throwsMalformed(() => decodeEthernet(bytes(zeros(12), '81 00', '00')));
});

test('ARP request decodes field by field as RFC 826 names them', () => {
  const arp = decodeArp(decodeEthernet(ARP_REQUEST_FOR_VIP).payload);
  assert.deepEqual(arp, {
    hrd: 1, pro: 0x0800, hln: 6, pln: 4, op: ARP_OP_REQUEST,
    sha: CLIENT_MAC, spa: CLIENT_IP, tha: '00:00:00:00:00:00', tpa: VIP,
  });
});

test('ARP reply to a request is byte for byte the RFC 826 layout', () => {
  const request = decodeArp(decodeEthernet(ARP_REQUEST_FOR_VIP).payload);
  assert.deepEqual(arpReplyFrame(request, DIRECTOR_MAC, VIP), ARP_REPLY_FOR_VIP);
  assert.equal(decodeArp(decodeEthernet(ARP_REPLY_FOR_VIP).payload).op, ARP_OP_REPLY);
});

test('ARP request and gratuitous ARP encode and round-trip', () => {
  assert.deepEqual(arpRequestFrame(CLIENT_MAC, CLIENT_IP, VIP), ARP_REQUEST_FOR_VIP);
  const garp = gratuitousArpFrame(DIRECTOR_MAC, VIP);
  assert.deepEqual(garp, bytes(
    'ff ff ff ff ff ff', '52 54 00 12 34 56', '08 06', '00 01 08 00 06 04 00 01',
    '52 54 00 12 34 56', 'c6 12 00 64', '00 00 00 00 00 00', 'c6 12 00 64', zeros(18),
  ));
  const back = decodeArp(decodeEthernet(garp).payload);
  assert.equal(back.spa, back.tpa);
});

test('malformed ARP is rejected', () => {
  const payload = decodeEthernet(ARP_REQUEST_FOR_VIP).payload;
  throwsMalformed(() => decodeArp(payload.subarray(0, 27)));
  for (const [offset, value] of [[1, 6], [3, 0xdd], [4, 8], [5, 16], [7, 3]] as const) {
    const bad = Buffer.from(payload);
    bad[offset] = value;
    throwsMalformed(() => decodeArp(bad));
  }
});

test('IPv4 header and ICMP echo decode as RFC 791 / 792 name them', () => {
  const ip = decodeIpv4(decodeEthernet(ECHO_REQUEST_TO_VIP).payload);
  assert.equal(ip.ihl, 5);
  assert.equal(ip.totalLength, 54);
  assert.equal(ip.identification, 0x1234);
  assert.equal(ip.flags, 0b010);
  assert.equal(ip.timeToLive, 63);
  assert.equal(ip.protocol, 1);
  assert.equal(ip.headerChecksum, 0x9d00);
  assert.equal(ip.sourceAddress, CLIENT_IP);
  assert.equal(ip.destinationAddress, VIP);
  const echo = decodeIcmpEcho(ip.payload);
  assert.deepEqual(echo, { type: ICMP_ECHO, code: 0, identifier: 0x4242, sequenceNumber: 7, data: Buffer.from('pivs-ping-0123456789abcdef') });
});

test('echo reply built from the request is byte for byte the expected datagram', () => {
  const ip = decodeIpv4(decodeEthernet(ECHO_REQUEST_TO_VIP).payload);
  const echo = decodeIcmpEcho(ip.payload)!;
  assert.deepEqual(echoReplyPacket(ip, echo), ECHO_REPLY_FROM_VIP.subarray(14));
  assert.deepEqual(encodeIcmpEcho(echo), ECHO_REQUEST_TO_VIP.subarray(34));
});

test('IPv4 decoding ignores Ethernet padding after totalLength', () => {
  const padded = Buffer.concat([decodeEthernet(ECHO_REQUEST_TO_VIP).payload, Buffer.alloc(6)]);
  assert.equal(decodeIpv4(padded).payload.length, 34);
});

test('malformed IPv4 and ICMP are rejected', () => {
  const ipBytes = decodeEthernet(ECHO_REQUEST_TO_VIP).payload;
  throwsMalformed(() => decodeIpv4(ipBytes.subarray(0, 19)));
  const mutate = (offset: number, value: number) => { const b = Buffer.from(ipBytes); b[offset] = value; return b; };
  throwsMalformed(() => decodeIpv4(mutate(0, 0x65))); // version 6
  throwsMalformed(() => decodeIpv4(mutate(0, 0x44))); // IHL 4
  throwsMalformed(() => decodeIpv4(mutate(3, 0xff))); // total length past the end
  throwsMalformed(() => decodeIpv4(mutate(8, 0x40))); // TTL changed: header checksum now wrong
  const icmp = ipBytes.subarray(20);
  throwsMalformed(() => decodeIcmpEcho(icmp.subarray(0, 7)));
  const badIcmp = Buffer.from(icmp);
  badIcmp[10] ^= 1;
  throwsMalformed(() => decodeIcmpEcho(badIcmp));
});

test('IPv6 echo request decodes and the echo reply encodes byte for byte', () => {
  const ip = decodeIpv6(decodeEthernet(ECHO6_REQUEST_TO_VIP).payload);
  assert.equal(ip.payloadLength, 34);
  assert.equal(ip.nextHeader, 58);
  assert.equal(ip.hopLimit, 64);
  assert.equal(ip.sourceAddress, CLIENT_IP6);
  assert.equal(ip.destinationAddress, VIP6);
  const message = decodeIcmpv6(ip);
  assert.ok(message && message.type === ICMPV6_ECHO_REQUEST);
  assert.equal(message.identifier, 0x4242);
  assert.equal(message.sequenceNumber, 7);
  const reply = icmpv6Packet(VIP6, CLIENT_IP6, { ...message, type: 129 });
  assert.deepEqual(reply, ECHO6_REPLY_FROM_VIP.subarray(14));
});

test('neighbor solicitation decodes with its source link-layer address option', () => {
  const ip = decodeIpv6(decodeEthernet(NS_FOR_VIP6).payload);
  assert.deepEqual(decodeIcmpv6(ip), { type: ND_NEIGHBOR_SOLICIT, code: 0, targetAddress: VIP6, sourceLinkLayerAddress: CLIENT_MAC });
  assert.deepEqual(icmpv6Packet(CLIENT_IP6, 'ff02::1:ff00:100', { type: ND_NEIGHBOR_SOLICIT, code: 0, targetAddress: VIP6, sourceLinkLayerAddress: CLIENT_MAC }), NS_FOR_VIP6.subarray(14));
});

test('neighbor advertisement encodes byte for byte and round-trips', () => {
  const na = {
    type: ND_NEIGHBOR_ADVERT, code: 0, routerFlag: false, solicitedFlag: true, overrideFlag: true,
    targetAddress: VIP6, targetLinkLayerAddress: DIRECTOR_MAC,
  } as const;
  const packet = icmpv6Packet(VIP6, CLIENT_IP6, na);
  assert.deepEqual(packet, NA_FOR_VIP6.subarray(14));
  assert.deepEqual(decodeIcmpv6(decodeIpv6(packet)), na);
});

test('solicited-node address and its multicast MAC follow RFC 4291 / RFC 2464', () => {
  assert.equal(solicitedNodeAddress('2001:db8::12:3456:789a'), 'ff02::1:ff56:789a');
  assert.equal(multicastMac('ff02::1:ff56:789a'), '33:33:ff:56:78:9a');
});

test('icmpv6Checksum of the NS fixture with its checksum zeroed is the fixture checksum', () => {
  const message = Buffer.from(NS_FOR_VIP6.subarray(54));
  message.writeUInt16BE(0, 2);
  assert.equal(icmpv6Checksum(CLIENT_IP6, 'ff02::1:ff00:100', message), 0xfb2d);
});

test('malformed IPv6 and neighbor discovery are rejected', () => {
  const ipBytes = decodeEthernet(NS_FOR_VIP6).payload;
  throwsMalformed(() => decodeIpv6(ipBytes.subarray(0, 39)));
  throwsMalformed(() => decodeIpv6(ipBytes.subarray(0, 60))); // payload length past the end
  const mutate = (offset: number, value: number) => { const b = Buffer.from(ipBytes); b[offset] = value; return b; };
  throwsMalformed(() => decodeIpv6(mutate(0, 0x40)));
  throwsMalformed(() => decodeIcmpv6(decodeIpv6(mutate(7, 64)))); // hop limit not 255
  throwsMalformed(() => decodeIcmpv6(decodeIpv6(mutate(70, 0x01)))); // checksum now wrong
  // Option length 0 with a correct checksum: still malformed (RFC 4861 says drop).
  const zeroLength = icmpv6Packet(CLIENT_IP6, 'ff02::1:ff00:100', { type: ND_NEIGHBOR_SOLICIT, code: 0, targetAddress: VIP6, sourceLinkLayerAddress: CLIENT_MAC });
  zeroLength[40 + 25] = 0;
  zeroLength.writeUInt16BE(0, 42);
  zeroLength.writeUInt16BE(icmpv6Checksum(CLIENT_IP6, 'ff02::1:ff00:100', zeroLength.subarray(40)), 42);
  throwsMalformed(() => decodeIcmpv6(decodeIpv6(zeroLength)));
  // Solicitation from :: must not carry a source link-layer address.
  const fromUnspecified = icmpv6Packet('::', 'ff02::1:ff00:100', { type: ND_NEIGHBOR_SOLICIT, code: 0, targetAddress: VIP6, sourceLinkLayerAddress: CLIENT_MAC });
  throwsMalformed(() => decodeIcmpv6(decodeIpv6(fromUnspecified)));
});

test('an unsolicited advertisement for a v6 VIP goes to all-nodes with only override set', () => {
  assert.deepEqual(unsolicitedAdvertisementFrame(DIRECTOR_MAC, VIP6), bytes(
    '33 33 00 00 00 01', '52 54 00 12 34 56', '86 dd',
    '60 00 00 00', '00 20', '3a', 'ff',
    '20 01 0d b8 00 00 00 00 00 00 00 00 00 00 01 00', 'ff 02 00 00 00 00 00 00 00 00 00 00 00 00 00 01',
    '88', '00', '72 71', '20 00 00 00', // type 136, code 0, checksum (scapy), R=0 S=0 O=1
    '20 01 0d b8 00 00 00 00 00 00 00 00 00 00 01 00',
    '02', '01', '52 54 00 12 34 56',
  ));
});
