// Properties of the IPv6 / ICMPv6 echo / RFC 4861 neighbor discovery codec: round trip, hostile
// packets, re-encoding stability, and that whatever decodes keeps the RFC 4861 7.1 validity rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MalformedPacketError } from '../../src/arp/errors';
import {
  DEFAULT_HOP_LIMIT, IPPROTO_ICMPV6, ND_HOP_LIMIT, ND_NEIGHBOR_ADVERT, ND_NEIGHBOR_SOLICIT, decodeIcmpv6, decodeIpv6,
  encodeIpv6, icmpv6Packet, type Icmpv6Message, type Ipv6Packet,
} from '../../src/arp/nd_codec';
import {
  icmpv6PacketOf, icmpv6Sent, ipv6Fields, ipv6FieldsOf, isMulticast6, validFor, withIcmpv6Checksum, type Icmpv6Sent,
} from './arbitraries';
import { anyBytes, decodeOrOwnError, hostile, mutated, runs } from './hostile';

const isMalformed = (e: unknown) => e instanceof MalformedPacketError;

// Pinned: solicited advertisements to 00ff::/16 and 0ff0::/12 (unicast, but printed "ff...") and
// solicitations from :: to ff02::1:ff and ff02::1:ff0 (no solicited-node addresses, printed "ff02::1:ff...").
const advert = { type: ND_NEIGHBOR_ADVERT, code: 0, routerFlag: false, solicitedFlag: true, overrideFlag: true, targetAddress: '2001:db8::1' } as const;
const PINNED: [Icmpv6Sent][] = [
  [{ src: '2001:db8::1', dst: 'ff::1', trafficClass: 0, message: advert }],
  [{ src: '2001:db8::1', dst: 'ff0::2', trafficClass: 0, message: advert }],
];
const PINNED_INVALID: Icmpv6Sent[] = [
  { src: '::', dst: 'ff02::1:ff', trafficClass: 0, message: { type: ND_NEIGHBOR_SOLICIT, code: 0, targetAddress: '2001:db8::ff' } },
  { src: '::', dst: 'ff02::1:ff0', trafficClass: 0, message: { type: ND_NEIGHBOR_SOLICIT, code: 0, targetAddress: '2001:db8::ff0' } },
];

const packet = icmpv6Sent.map(icmpv6PacketOf);
const ndFields = [
  { offset: 4, width: 2 as const }, { offset: 7, width: 1 as const }, { offset: 40, width: 1 as const }, { offset: 41, width: 1 as const },
  { offset: 48, width: 1 as const }, { offset: 64, width: 1 as const }, { offset: 65, width: 1 as const },
];
const hostilePacket = fc.oneof(hostile(packet, ndFields), mutated(packet, ndFields).map((b) => withIcmpv6Checksum(b)));

/** decodeIpv6 then decodeIcmpv6, as control_frame.ts chains them; undefined when not ICMPv6. */
function decodeBoth(bytes: Buffer): { ip: Ipv6Packet; message: Icmpv6Message | null } | undefined {
  const ip = decodeIpv6(bytes);
  return ip.nextHeader === IPPROTO_ICMPV6 ? { ip, message: decodeIcmpv6(ip) } : undefined;
}

const isNd = (m: Icmpv6Message) => m.type === ND_NEIGHBOR_SOLICIT || m.type === ND_NEIGHBOR_ADVERT;

test('IPv6: decode(encode(f, p)) gives f, the payload length and p; bytes re-encode the same', () => {
  fc.assert(fc.property(ipv6Fields, anyBytes(1460), (f, p) => {
    const bytes = encodeIpv6(f, p);
    const d = decodeIpv6(bytes);
    assert.deepEqual(ipv6FieldsOf(d), f);
    assert.deepEqual([d.version, d.payloadLength, d.payload], [6, p.length, p]);
    assert.deepEqual(encodeIpv6(ipv6FieldsOf(d), d.payload), bytes);
  }), runs);
});

test('ICMPv6: decode(encode(m)) is m for echoes, solicitations and advertisements, and re-encodes byte for byte', () => {
  fc.assert(fc.property(icmpv6Sent, (s) => {
    const bytes = icmpv6PacketOf(s);
    const d = decodeBoth(bytes);
    assert.ok(d);
    assert.deepEqual(d.message, s.message);
    assert.equal(d.ip.hopLimit, isNd(s.message) ? ND_HOP_LIMIT : DEFAULT_HOP_LIMIT);
    assert.deepEqual(icmpv6Packet(d.ip.sourceAddress, d.ip.destinationAddress, d.message!, d.ip.trafficClass), bytes);
  }), { ...runs, examples: PINNED });
});

test('decodeIpv6 and decodeIcmpv6 return a value (or null) or throw MalformedPacketError, nothing else', () => {
  fc.assert(fc.property(hostilePacket, (bytes) => {
    decodeOrOwnError(() => decodeBoth(bytes), isMalformed);
  }), runs);
  // decodeIcmpv6 trusts only that the packet object is well typed: any payload, any hop limit.
  const anyPacket = fc.tuple(ipv6Fields, fc.oneof(anyBytes(), mutated(packet.map((b) => b.subarray(40)))))
    .map(([fields, payload]): Ipv6Packet => ({ version: 6, ...fields, nextHeader: IPPROTO_ICMPV6, payloadLength: payload.length, payload }));
  fc.assert(fc.property(anyPacket, (p) => {
    decodeOrOwnError(() => decodeIcmpv6(p), isMalformed);
  }), runs);
});

test('whatever decodes keeps RFC 4861 7.1: hop limit 255, code 0, unicast target, and the address rules', () => {
  fc.assert(fc.property(fc.oneof(hostilePacket, packet), (bytes) => {
    const d = decodeOrOwnError(() => decodeBoth(bytes), isMalformed);
    if (!d.ok || d.value === undefined || d.value.message === null || !isNd(d.value.message)) return;
    const { ip, message } = d.value;
    assert.deepEqual([ip.hopLimit, message.code, isMulticast6((message as { targetAddress: string }).targetAddress)], [ND_HOP_LIMIT, 0, false]);
    assert.ok(validFor(ip.sourceAddress, ip.destinationAddress, message), `${ip.sourceAddress} -> ${ip.destinationAddress} breaks RFC 4861 7.1`);
  }), runs);
  for (const s of PINNED_INVALID) assert.throws(() => decodeBoth(icmpv6PacketOf(s)), MalformedPacketError, `${s.src} -> ${s.dst}`);
});

test('a decoded message re-encodes (unknown options dropped) to one that decodes the same, then byte for byte', () => {
  fc.assert(fc.property(fc.oneof(hostilePacket, packet), (bytes) => {
    const first = decodeOrOwnError(() => decodeBoth(bytes), isMalformed);
    if (!first.ok || first.value === undefined) return;
    const { ip, message } = first.value;
    assert.deepEqual(decodeIpv6(encodeIpv6(ipv6FieldsOf(ip), ip.payload)), ip);
    if (message === null) return;
    const again = icmpv6Packet(ip.sourceAddress, ip.destinationAddress, message, ip.trafficClass);
    const second = decodeBoth(again);
    assert.deepEqual(second?.message, message);
    assert.deepEqual(icmpv6Packet(ip.sourceAddress, ip.destinationAddress, second!.message!, ip.trafficClass), again);
  }), runs);
});
