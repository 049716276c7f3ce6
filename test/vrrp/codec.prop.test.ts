// Properties of the VRRPv2/v3 codec, alone and inside its IPv4 and Ethernet headers: round trip,
// hostile input, re-encoding stability.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MalformedPacketError } from '../../src/arp/errors';
import { decodeEthernet } from '../../src/arp/ethernet';
import {
  AUTH_SIMPLE, VRRP_MULTICAST_ADDRESS, VRRP_TTL, advertFrame, decodeAdvertFrame, decodeVrrp, encodeVrrp,
  type VrrpAdvertisement, type VrrpPacket,
} from '../../src/vrrp/codec';
import { withIpv4Checksum } from '../arp/arbitraries';
import { decodeOrOwnError, hostile, ipv4, mac, mutated, runs } from '../arp/hostile';

const isMalformed = (e: unknown) => e instanceof MalformedPacketError;
const byte = fc.integer({ min: 0, max: 255 });

/** At most 8 bytes of UTF-8, NULs and characters beyond the BMP included. */
const password = fc.string({ unit: 'binary', maxLength: 8 }).filter((s) => Buffer.byteLength(s) <= 8);

const v2: fc.Arbitrary<VrrpAdvertisement> = fc.record({
  version: fc.constant(2 as const),
  vrid: fc.integer({ min: 1, max: 255 }),
  priority: byte,
  addresses: fc.array(ipv4, { maxLength: 255 }),
  adverInt: fc.integer({ min: 1, max: 255 }),
  authType: fc.oneof(fc.constantFrom(0, AUTH_SIMPLE), byte),
  authData: password,
}, { requiredKeys: ['version', 'vrid', 'priority', 'addresses', 'adverInt'], noNullPrototype: true });

const v3: fc.Arbitrary<VrrpAdvertisement> = fc.record({
  version: fc.constant(3 as const),
  vrid: fc.integer({ min: 1, max: 255 }),
  priority: byte,
  addresses: fc.array(ipv4, { maxLength: 255 }),
  adverInt: fc.integer({ min: 1, max: 0xfff }),
}, { noNullPrototype: true });

const advertisement = fc.oneof(v2, v3);

/** What the wire keeps of an advertisement: auth fields for version 2 only, the password as its bytes say. */
function canonical(ad: VrrpAdvertisement): VrrpAdvertisement {
  const { version, vrid, priority, addresses, adverInt } = ad;
  if (version === 3) return { version, vrid, priority, addresses, adverInt };
  const authType = ad.authType ?? 0;
  if (authType !== AUTH_SIMPLE) return { version, vrid, priority, addresses, adverInt, authType };
  const authData = Buffer.from(ad.authData ?? '', 'utf8').toString('utf8').replace(/\0+$/, '');
  return { version, vrid, priority, addresses, adverInt, authType, authData };
}

const withoutChecksum = ({ checksum: _c, checksumOk: _ok, ...ad }: VrrpAdvertisement & { checksum: number; checksumOk: boolean }) => ad;

interface Sent { ad: VrrpAdvertisement; src: string; dst: string; sourceMac: string; destinationMac?: string; identification: number }
const multicast = fc.tuple(fc.integer({ min: 224, max: 239 }), byte, byte, byte).map((b) => b.join('.'));
const sent: fc.Arbitrary<Sent> = fc.record({
  ad: advertisement,
  src: ipv4,
  dst: fc.oneof(fc.constant(VRRP_MULTICAST_ADDRESS), multicast),
  sourceMac: mac,
  identification: fc.integer({ min: 0, max: 0xffff }),
}, { noNullPrototype: true }).chain((s) => fc.oneof(
  fc.constant<Sent>(s),
  // A unicast peer: the caller names its MAC.
  fc.tuple(ipv4, mac).map(([dst, destinationMac]): Sent => ({ ...s, dst, destinationMac })),
));

const frameOf = (s: Sent) => advertFrame(s.ad, {
  sourceMac: s.sourceMac, sourceAddress: s.src, destinationAddress: s.dst, identification: s.identification,
  ...(s.destinationMac === undefined ? {} : { destinationMac: s.destinationMac }),
});

const message = fc.tuple(advertisement, ipv4, ipv4).map(([ad, src, dst]) => ({ bytes: encodeVrrp(ad, src, dst), src, dst }));
const messageFields = [{ offset: 0, width: 1 as const }, { offset: 3, width: 1 as const }, { offset: 4, width: 2 as const }];
const hostileMessage = fc.tuple(hostile(message.map((m) => m.bytes), messageFields), ipv4, ipv4).map(([bytes, src, dst]) => ({ bytes, src, dst }));

const frame = sent.map(frameOf);
const frameFields = [
  { offset: 12, width: 2 as const }, { offset: 14, width: 1 as const }, { offset: 16, width: 2 as const }, { offset: 20, width: 2 as const },
  { offset: 23, width: 1 as const }, { offset: 34, width: 1 as const }, { offset: 37, width: 1 as const }, { offset: 38, width: 2 as const },
];
const hostileFrame = fc.oneof(hostile(frame, frameFields), mutated(frame, frameFields).map((b) => withIpv4Checksum(b, 14)));

/** A decoded advertisement the encoder refuses to send: only an interval of 0, which checkAdvert() drops. */
function refusedToSend(ad: VrrpAdvertisement, src: string, dst: string): boolean {
  if (ad.adverInt !== 0) return false;
  assert.throws(() => encodeVrrp(ad, src, dst), (e) => e instanceof TypeError && /Adver Int 0 /.test(e.message));
  return true;
}

test('decodeVrrp(encodeVrrp(ad)) is ad as the wire keeps it, with a checksum that verifies; bytes re-encode the same', () => {
  fc.assert(fc.property(advertisement, ipv4, ipv4, (ad, src, dst) => {
    const bytes = encodeVrrp(ad, src, dst);
    const d = decodeVrrp(bytes, src, dst);
    assert.deepEqual(d, { ...canonical(ad), checksum: bytes.readUInt16BE(6), checksumOk: true });
    assert.deepEqual(encodeVrrp(withoutChecksum(d), src, dst), bytes);
  }), runs);
});

test('decodeAdvertFrame(advertFrame(ad)) gives ad, the IP addresses, TTL 255 and the source MAC', () => {
  fc.assert(fc.property(sent, (s) => {
    const bytes = frameOf(s);
    const p = decodeAdvertFrame(bytes);
    assert.ok(p);
    const { checksum: _c, ...rest } = p;
    assert.deepEqual(rest, { ...canonical(s.ad), checksumOk: true, sourceAddress: s.src, destinationAddress: s.dst, timeToLive: VRRP_TTL, sourceMac: s.sourceMac });
    assert.deepEqual(frameOf({ ...s, ad: withoutChecksum(p) }), bytes);
  }), runs);
});

test('decodeVrrp and decodeAdvertFrame return an advert (or null) or throw MalformedPacketError, nothing else', () => {
  fc.assert(fc.property(hostileMessage, ({ bytes, src, dst }) => {
    decodeOrOwnError(() => decodeVrrp(bytes, src, dst), isMalformed);
  }), runs);
  fc.assert(fc.property(hostileFrame, (bytes) => {
    decodeOrOwnError(() => decodeAdvertFrame(bytes), isMalformed);
  }), runs);
});

// Pinned: a password of bytes that are no UTF-8 (0x80 reads as U+FFFD, 3 bytes: 10 in all), and VRID 0.
const PINNED = [
  [{ bytes: Buffer.from('2101000101010000' + '00000000' + '0000000000800001', 'hex'), src: '0.0.0.0', dst: '0.0.0.0' }],
  [{ bytes: Buffer.from('2100000300010000' + '00'.repeat(20), 'hex'), src: '0.0.0.0', dst: '0.0.0.0' }],
] as [{ bytes: Buffer; src: string; dst: string }][];

test('a decoded message re-encodes to one that decodes the same (checksum now right), then byte for byte', () => {
  fc.assert(fc.property(fc.oneof(hostileMessage, message), ({ bytes, src, dst }) => {
    const first = decodeOrOwnError(() => decodeVrrp(bytes, src, dst), isMalformed);
    if (!first.ok) return;
    const ad = withoutChecksum(first.value);
    if (refusedToSend(ad, src, dst)) return;
    const again = encodeVrrp(ad, src, dst);
    const second = decodeVrrp(again, src, dst);
    assert.deepEqual(withoutChecksum(second), ad);
    assert.equal(second.checksumOk, true);
    assert.deepEqual(encodeVrrp(withoutChecksum(second), src, dst), again);
  }), { ...runs, examples: PINNED });
});

test('a decoded frame re-encodes to one that decodes to the same advert from the same sender', () => {
  fc.assert(fc.property(fc.oneof(hostileFrame, frame), (bytes) => {
    const first = decodeOrOwnError(() => decodeAdvertFrame(bytes), isMalformed);
    if (!first.ok || first.value === null) return;
    const p: VrrpPacket = first.value;
    const ad = withoutChecksum(p);
    if (refusedToSend(ad, p.sourceAddress, p.destinationAddress)) return;
    const again = advertFrame(ad, {
      sourceMac: p.sourceMac, sourceAddress: p.sourceAddress, destinationAddress: p.destinationAddress,
      destinationMac: decodeEthernet(bytes).destination,
    });
    const second = decodeAdvertFrame(again);
    assert.ok(second);
    assert.deepEqual({ ...second, checksum: 0 }, { ...p, checksum: 0, checksumOk: true, timeToLive: VRRP_TTL });
  }), runs);
});
