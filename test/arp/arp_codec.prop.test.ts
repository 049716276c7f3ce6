// Properties of the RFC 826 ARP codec: round trip, hostile packets, re-encoding stability.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ARP_PACKET_LENGTH, decodeArp, encodeArp, type ArpMessage, type ArpPacket } from '../../src/arp/arp_codec';
import { MalformedPacketError } from '../../src/arp/errors';
import { arpMessage } from './arbitraries';
import { anyBytes, decodeOrOwnError, hostile, runs } from './hostile';

const isMalformed = (e: unknown) => e instanceof MalformedPacketError;
// Ethernet pads ARP to 46 bytes, so decode sees trailing bytes as often as not.
const packet = fc.tuple(arpMessage, anyBytes(18)).map(([m, pad]) => Buffer.concat([encodeArp(m), pad]));
const messageOf = ({ op, sha, spa, tha, tpa }: ArpPacket): ArpMessage => ({ op, sha, spa, tha, tpa });

test('decode(encode(m)) is m with Ethernet/IPv4 hardware and protocol, and re-encodes byte for byte', () => {
  fc.assert(fc.property(arpMessage, (m) => {
    const bytes = encodeArp(m);
    const d = decodeArp(bytes);
    assert.deepEqual(d, { hrd: 1, pro: 0x0800, hln: 6, pln: 4, ...m });
    assert.deepEqual(encodeArp(messageOf(d)), bytes);
  }), runs);
});

test('decode returns a packet or throws MalformedPacketError, nothing else', () => {
  fc.assert(fc.property(hostile(packet, [{ offset: 4, width: 1 }, { offset: 5, width: 1 }, { offset: 6, width: 2 }]), (bytes) => {
    decodeOrOwnError(() => decodeArp(bytes), isMalformed);
  }), runs);
});

test('whatever decodes re-encodes to its first 28 bytes and decodes the same again', () => {
  fc.assert(fc.property(fc.oneof(hostile(packet), packet), (bytes) => {
    const first = decodeOrOwnError(() => decodeArp(bytes), isMalformed);
    if (!first.ok) return;
    const again = encodeArp(messageOf(first.value));
    assert.deepEqual(again, bytes.subarray(0, ARP_PACKET_LENGTH));
    assert.deepEqual(decodeArp(again), first.value);
  }), runs);
});
