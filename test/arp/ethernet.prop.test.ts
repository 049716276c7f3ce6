// Properties of the Ethernet II / 802.1Q codec: round trip, hostile frames, re-encoding stability.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MalformedPacketError } from '../../src/arp/errors';
import { MIN_FRAME_LENGTH, decodeEthernet, encodeEthernet, type EthernetFrame, type EthernetHeader } from '../../src/arp/ethernet';
import { ethernetHeader } from './arbitraries';
import { anyBytes, decodeOrOwnError, hostile, runs } from './hostile';

const isMalformed = (e: unknown) => e instanceof MalformedPacketError;
const frame = fc.tuple(ethernetHeader(), anyBytes(1500)).map(([h, p]) => encodeEthernet(h, p));
const headerOf = ({ payload: _p, ...h }: EthernetFrame): EthernetHeader => h;

test('decode(encode(h, p)) gives h back and p followed by padding to 60 bytes', () => {
  fc.assert(fc.property(ethernetHeader(), anyBytes(1500), (h, p) => {
    const bytes = encodeEthernet(h, p);
    const d = decodeEthernet(bytes);
    assert.deepEqual(headerOf(d), h);
    const headerLength = h.vlanTci === undefined ? 14 : 18;
    assert.equal(d.payload.length, Math.max(p.length, MIN_FRAME_LENGTH - headerLength));
    assert.deepEqual(d.payload.subarray(0, p.length), p);
    assert.ok(d.payload.subarray(p.length).every((x) => x === 0));
    assert.deepEqual(encodeEthernet(headerOf(d), d.payload), bytes);
  }), runs);
});

test('decode returns a frame or throws MalformedPacketError, nothing else', () => {
  fc.assert(fc.property(hostile(frame, [{ offset: 12, width: 2 }, { offset: 16, width: 2 }]), (bytes) => {
    decodeOrOwnError(() => decodeEthernet(bytes), isMalformed);
  }), runs);
});

test('whatever decodes re-encodes to the same frame (padded to 60 bytes if it was shorter)', () => {
  fc.assert(fc.property(fc.oneof(hostile(frame), frame), (bytes) => {
    const first = decodeOrOwnError(() => decodeEthernet(bytes), isMalformed);
    if (!first.ok) return;
    const again = encodeEthernet(headerOf(first.value), first.value.payload);
    assert.deepEqual(again.subarray(0, bytes.length), bytes);
    const second = decodeEthernet(again);
    assert.deepEqual(headerOf(second), headerOf(first.value));
    assert.deepEqual(encodeEthernet(headerOf(second), second.payload), again);
  }), runs);
});
