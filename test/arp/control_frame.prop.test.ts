// Properties of decodeControlFrame, the chain of Ethernet, ARP, IPv4/ICMP and IPv6/ICMPv6 decoders
// the dataplane's control frames go through: round trip, hostile frames, re-encoding stability.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { arpReplyFrame, arpRequestFrame, encodeArp, gratuitousArpFrame } from '../../src/arp/arp_codec';
import { decodeControlFrame, type ControlFrame } from '../../src/arp/control_frame';
import { MalformedPacketError } from '../../src/arp/errors';
import {
  ETHERTYPE_ARP, ETHERTYPE_IPV4, ETHERTYPE_IPV6, decodeEthernet, encodeEthernet, type EthernetFrame, type EthernetHeader,
} from '../../src/arp/ethernet';
import { IPPROTO_ICMP, encodeIcmpEcho, encodeIpv4 } from '../../src/arp/icmp_codec';
import { icmpv6Packet, unsolicitedAdvertisementFrame } from '../../src/arp/nd_codec';
import {
  arpMessage, ethernetHeader, icmpEcho, icmpv6PacketOf, icmpv6Sent, ipv4Fields, ipv4FieldsOf, unicast6, withChecksumAt,
  withIcmpv6Checksum, withIpv4Checksum,
} from './arbitraries';
import { anyBytes, decodeOrOwnError, hostile, ipv4, mac, mutated, runs } from './hostile';

const isMalformed = (e: unknown) => e instanceof MalformedPacketError;
const vlan = fc.option(fc.integer({ min: 0, max: 0xffff }), { nil: undefined });

/** A frame and what decodeControlFrame must make of it (with the Ethernet payload left out). */
interface Case { frame: Buffer; expected: Canonical }
type Canonical = { kind: string; header?: EthernetHeader; body?: unknown };

const arpCase: fc.Arbitrary<Case> = fc.oneof(
  fc.tuple(ethernetHeader(fc.constant(ETHERTYPE_ARP)), arpMessage).map(([h, m]) => ({
    frame: encodeEthernet(h, encodeArp(m)), expected: { kind: 'arp', header: h, body: { hrd: 1, pro: 0x0800, hln: 6, pln: 4, ...m } },
  })),
  fc.tuple(mac, ipv4, ipv4, vlan).map(([sha, spa, tpa, tci]) => ({
    frame: arpRequestFrame(sha, spa, tpa, undefined, tci),
    expected: {
      kind: 'arp', header: { destination: 'ff:ff:ff:ff:ff:ff', source: sha, ...(tci === undefined ? {} : { vlanTci: tci }), etherType: ETHERTYPE_ARP },
      body: { hrd: 1, pro: 0x0800, hln: 6, pln: 4, op: 1, sha, spa, tha: '00:00:00:00:00:00', tpa },
    },
  })),
  fc.tuple(arpMessage, mac, ipv4, vlan).map(([request, m, address, tci]) => ({
    frame: arpReplyFrame({ hrd: 1, pro: 0x0800, hln: 6, pln: 4, ...request }, m, address, tci),
    expected: {
      kind: 'arp', header: { destination: request.sha, source: m, ...(tci === undefined ? {} : { vlanTci: tci }), etherType: ETHERTYPE_ARP },
      body: { hrd: 1, pro: 0x0800, hln: 6, pln: 4, op: 2, sha: m, spa: address, tha: request.sha, tpa: request.spa },
    },
  })),
  fc.tuple(mac, ipv4, vlan).map(([m, address, tci]) => ({
    frame: gratuitousArpFrame(m, address, tci),
    expected: {
      kind: 'arp', header: { destination: 'ff:ff:ff:ff:ff:ff', source: m, ...(tci === undefined ? {} : { vlanTci: tci }), etherType: ETHERTYPE_ARP },
      body: { hrd: 1, pro: 0x0800, hln: 6, pln: 4, op: 1, sha: m, spa: address, tha: '00:00:00:00:00:00', tpa: address },
    },
  })),
);

const icmpCase: fc.Arbitrary<Case> = fc.tuple(ethernetHeader(fc.constant(ETHERTYPE_IPV4)), ipv4Fields, icmpEcho).map(([h, f, e]) => {
  const fields = { ...f, protocol: IPPROTO_ICMP, flags: f.flags & 0b110, fragmentOffset: 0 };
  return { frame: encodeEthernet(h, encodeIpv4(fields, encodeIcmpEcho(e))), expected: { kind: 'icmp', header: h, body: { fields, echo: e } } };
});

const icmpv6Case: fc.Arbitrary<Case> = fc.oneof(
  fc.tuple(ethernetHeader(fc.constant(ETHERTYPE_IPV6)), icmpv6Sent).map(([h, s]) => ({
    frame: encodeEthernet(h, icmpv6PacketOf(s)),
    expected: { kind: 'icmpv6', header: h, body: { src: s.src, dst: s.dst, trafficClass: s.trafficClass, message: s.message } },
  })),
  fc.tuple(mac, unicast6, vlan).map(([m, address, tci]) => ({
    frame: unsolicitedAdvertisementFrame(m, address, tci),
    expected: {
      kind: 'icmpv6', header: { destination: '33:33:00:00:00:01', source: m, ...(tci === undefined ? {} : { vlanTci: tci }), etherType: ETHERTYPE_IPV6 },
      body: {
        src: address, dst: 'ff02::1', trafficClass: 0,
        message: { type: 136, code: 0, routerFlag: false, solicitedFlag: false, overrideFlag: true, targetAddress: address, targetLinkLayerAddress: m },
      },
    },
  })),
);

const frameCase = fc.oneof(arpCase, icmpCase, icmpv6Case);
const frame = frameCase.map((c) => c.frame);

/** What a decoded frame means, without the padding and checksums that do not survive re-encoding. */
function canonical(d: ControlFrame): Canonical {
  switch (d.kind) {
    case 'arp': return { kind: 'arp', header: headerOf(d.ethernet), body: d.arp };
    case 'icmp': return { kind: 'icmp', header: headerOf(d.ethernet), body: { fields: ipv4FieldsOf(d.ip), echo: d.echo } };
    case 'icmpv6': return {
      kind: 'icmpv6', header: headerOf(d.ethernet),
      body: { src: d.ip.sourceAddress, dst: d.ip.destinationAddress, trafficClass: d.ip.trafficClass, message: d.message },
    };
    case 'other': return { kind: 'other', body: d.reason };
  }
}

const headerOf = ({ payload: _p, ...h }: EthernetFrame): EthernetHeader => h;

/** The frame our encoders build for a decoded one; 'other' frames keep their Ethernet payload. */
function reencode(bytes: Buffer, d: ControlFrame): Buffer {
  switch (d.kind) {
    case 'arp': return encodeEthernet(headerOf(d.ethernet), encodeArp(d.arp));
    case 'icmp': return encodeEthernet(headerOf(d.ethernet), encodeIpv4(ipv4FieldsOf(d.ip), encodeIcmpEcho(d.echo)));
    case 'icmpv6': return encodeEthernet(headerOf(d.ethernet), icmpv6Packet(d.ip.sourceAddress, d.ip.destinationAddress, d.message, d.ip.trafficClass));
    case 'other': {
      const ethernet = decodeEthernet(bytes);
      return encodeEthernet(headerOf(ethernet), ethernet.payload);
    }
  }
}

/** Hostile bytes behind a valid Ethernet header (so ARP, IPv4 and IPv6 decoders see them too). */
const behindHeader = fc.tuple(ethernetHeader(fc.constantFrom(ETHERTYPE_ARP, ETHERTYPE_IPV4, ETHERTYPE_IPV6)), anyBytes(1500))
  .map(([h, p]) => encodeEthernet(h, p));
/** Mutated frames with the checksums of whichever layer they carry put right again. */
const repaired = mutated(frame).map((b) => {
  if (b.length < 14) return b;
  const at = b.readUInt16BE(12) === 0x8100 ? 18 : 14;
  const type = b.length >= at ? b.readUInt16BE(at - 2) : 0;
  if (type === ETHERTYPE_IPV4) {
    const fixed = withIpv4Checksum(b, at);
    const ihl = (fixed[at] ?? 0) & 0x0f;
    const total = fixed.length >= at + 4 ? Math.min(fixed.readUInt16BE(at + 2), fixed.length - at) : 0;
    if (ihl < 5 || total <= ihl * 4) return fixed;
    const icmp = withChecksumAt(fixed.subarray(at + ihl * 4, at + total), 2);
    return Buffer.concat([fixed.subarray(0, at + ihl * 4), icmp, fixed.subarray(at + total)]);
  }
  return type === ETHERTYPE_IPV6 ? withIcmpv6Checksum(b, at) : b;
});
const hostileFrame = fc.oneof(hostile(frame, [{ offset: 12, width: 2 }, { offset: 16, width: 2 }]), behindHeader, repaired);

test('every frame our encoders build decodes to the header and message it was built from', () => {
  fc.assert(fc.property(frameCase, ({ frame: bytes, expected }) => {
    const d = decodeControlFrame(bytes);
    assert.deepEqual(canonical(d), expected);
    assert.deepEqual(reencode(bytes, d), bytes);
  }), runs);
});

test('decodeControlFrame returns a frame or throws MalformedPacketError, nothing else', () => {
  fc.assert(fc.property(hostileFrame, (bytes) => {
    decodeOrOwnError(() => decodeControlFrame(bytes), isMalformed);
  }), runs);
});

test('whatever decodes re-encodes to a frame that decodes the same, then byte for byte', () => {
  fc.assert(fc.property(fc.oneof(hostileFrame, frame), (bytes) => {
    const first = decodeOrOwnError(() => decodeControlFrame(bytes), isMalformed);
    if (!first.ok) return;
    const again = reencode(bytes, first.value);
    const second = decodeControlFrame(again);
    assert.deepEqual(canonical(second), canonical(first.value));
    assert.deepEqual(reencode(again, second), again);
  }), runs);
});
