// Properties of the IPv4 header and ICMP echo codec: round trip, hostile packets, stability.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MalformedPacketError } from '../../src/arp/errors';
import {
  ICMP_ECHO, ICMP_ECHO_REPLY, IPPROTO_ICMP, decodeIcmpEcho, decodeIpv4, echoReplyPacket, encodeIcmpEcho, encodeIpv4,
} from '../../src/arp/icmp_codec';
import { icmpEcho, ipv4Fields, ipv4FieldsOf, withChecksumAt, withIpv4Checksum } from './arbitraries';
import { anyBytes, decodeOrOwnError, hostile, mutated, runs } from './hostile';

const isMalformed = (e: unknown) => e instanceof MalformedPacketError;

const ipPacket = fc.tuple(ipv4Fields, anyBytes(1480)).map(([f, p]) => encodeIpv4(f, p));
const ipFieldsAt = [{ offset: 0, width: 1 as const }, { offset: 2, width: 2 as const }, { offset: 6, width: 2 as const }];
const hostileIp = fc.oneof(hostile(ipPacket, ipFieldsAt), mutated(ipPacket, ipFieldsAt).map((b) => withIpv4Checksum(b)));
const echoMessage = icmpEcho.map(encodeIcmpEcho);
const hostileEcho = fc.oneof(hostile(echoMessage), mutated(echoMessage).map((b) => withChecksumAt(b, 2)));

test('IPv4: decode(encode(f, p)) gives f, a 20-byte header, the total length and p; bytes re-encode the same', () => {
  fc.assert(fc.property(ipv4Fields, anyBytes(1480), (f, p) => {
    const bytes = encodeIpv4(f, p);
    const d = decodeIpv4(bytes);
    assert.deepEqual(ipv4FieldsOf(d), f);
    assert.deepEqual([d.version, d.ihl, d.totalLength, d.options.length], [4, 5, 20 + p.length, 0]);
    assert.deepEqual(d.payload, p);
    assert.deepEqual(encodeIpv4(ipv4FieldsOf(d), d.payload), bytes);
  }), runs);
});

test('ICMP echo: decode(encode(e)) is e and re-encodes byte for byte', () => {
  fc.assert(fc.property(icmpEcho, (e) => {
    const bytes = encodeIcmpEcho(e);
    const d = decodeIcmpEcho(bytes);
    assert.deepEqual(d, e);
    assert.deepEqual(encodeIcmpEcho(d!), bytes);
  }), runs);
});

test('the echo reply to a decoded request swaps the addresses and keeps identifier, sequence and data', () => {
  fc.assert(fc.property(ipv4Fields, icmpEcho, (f, e) => {
    const request = decodeIpv4(encodeIpv4({ ...f, protocol: IPPROTO_ICMP }, encodeIcmpEcho({ ...e, type: ICMP_ECHO })));
    const reply = decodeIpv4(echoReplyPacket(request, decodeIcmpEcho(request.payload)!));
    assert.deepEqual([reply.sourceAddress, reply.destinationAddress, reply.protocol], [f.destinationAddress, f.sourceAddress, IPPROTO_ICMP]);
    assert.deepEqual(decodeIcmpEcho(reply.payload), { ...e, type: ICMP_ECHO_REPLY, code: 0 });
  }), runs);
});

test('IPv4 and ICMP decode return a value (or null) or throw MalformedPacketError, nothing else', () => {
  fc.assert(fc.property(hostileIp, (bytes) => {
    decodeOrOwnError(() => decodeIpv4(bytes), isMalformed);
  }), runs);
  fc.assert(fc.property(hostileEcho, (bytes) => {
    decodeOrOwnError(() => decodeIcmpEcho(bytes), isMalformed);
  }), runs);
});

test('a decoded IPv4 packet re-encodes (options dropped) to one that decodes to the same fields and payload', () => {
  fc.assert(fc.property(hostileIp, (bytes) => {
    const first = decodeOrOwnError(() => decodeIpv4(bytes), isMalformed);
    if (!first.ok) return;
    const again = encodeIpv4(ipv4FieldsOf(first.value), first.value.payload);
    const second = decodeIpv4(again);
    assert.deepEqual(ipv4FieldsOf(second), ipv4FieldsOf(first.value));
    assert.deepEqual(second.payload, first.value.payload);
    assert.deepEqual(encodeIpv4(ipv4FieldsOf(second), second.payload), again);
  }), runs);
});

test('a decoded echo re-encodes to one that decodes the same and then re-encodes byte for byte', () => {
  fc.assert(fc.property(hostileEcho, (bytes) => {
    const first = decodeOrOwnError(() => decodeIcmpEcho(bytes), isMalformed);
    if (!first.ok || first.value === null) return;
    // Not always `bytes` itself: a checksum of 0xffff and one of 0 both verify (RFC 1071).
    const again = encodeIcmpEcho(first.value);
    const second = decodeIcmpEcho(again);
    assert.deepEqual(second, first.value);
    assert.deepEqual(encodeIcmpEcho(second!), again);
  }), runs);
});
