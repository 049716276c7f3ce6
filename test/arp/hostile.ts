// fast-check pieces shared by the codec property tests (*.prop.test.ts): addresses as the codecs
// print them, bytes as they might come off a link, valid encodings broken the ways captures break,
// and the check that a decoder fails only in its own documented way.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { macFromBytes } from '../../src/arp/ethernet';
import { ipv4FromBytes, ipv6FromBytes } from '../../src/config/address';

/** Runs per property: enough to reach the deep branches, few enough for ~2 s a file on 2 cores. */
export const RUNS = 1000;
export const runs = { numRuns: RUNS };

const octets = (n: number) => fc.uint8Array({ minLength: n, maxLength: n }).map((a) => Buffer.from(a));

/** Lower-case aa:bb:cc:dd:ee:ff, the form macFromBytes() prints. */
export const mac = octets(6).map((b) => macFromBytes(b));
/** Dotted quad, the form ipv4FromBytes() prints. */
export const ipv4 = octets(4).map((b) => ipv4FromBytes(b));
/** A 16-bit group, biased to zero (so "::" and ::ffff:a.b.c.d turn up) and to byte boundaries. */
export const group = fc.oneof(fc.constantFrom(0, 1, 0xff, 0xff00, 0xffff), fc.integer({ min: 0, max: 0xffff }));

/** RFC 5952 text of eight groups, the form ipv6FromBytes() prints. */
export function ipv6Of(groups: readonly number[]): string {
  const b = Buffer.alloc(16);
  groups.forEach((g, i) => b.writeUInt16BE(g, 2 * i));
  return ipv6FromBytes(b);
}

export const ipv6 = fc.array(group, { minLength: 8, maxLength: 8 }).map(ipv6Of);

/** Up to `maxLength` arbitrary bytes (a full Ethernet frame and a bit by default). */
export const anyBytes = (maxLength = 1600) => fc.uint8Array({ maxLength }).map((a) => Buffer.from(a));

/** A field a mutation may set to an extreme: typically a length, count, offset or timestamp. */
export interface Field {
  offset: number;
  width: 1 | 2 | 4 | 8;
}

type Mutation = (b: Buffer) => Buffer;

function writeField(b: Buffer, { offset, width }: Field, value: bigint): Buffer {
  if (offset + width > b.length) return b;
  const out = Buffer.from(b);
  if (width === 8) out.writeBigUInt64BE(BigInt.asUintN(64, value), offset);
  else out.writeUIntBE(Number(BigInt.asUintN(8 * width, value)), offset, width);
  return out;
}

function mutation(fields: readonly Field[]): fc.Arbitrary<Mutation> {
  const extremes = (width: number) => {
    const max = 2n ** BigInt(8 * width) - 1n;
    return fc.constantFrom(0n, 1n, 2n, 7n, 8n, 0x7fn, 0x80n, max / 2n, max / 2n + 1n, max - 1n, max);
  };
  const arbitraries: fc.Arbitrary<Mutation>[] = [
    // Cut short anywhere, header included.
    fc.nat().map((n): Mutation => (b) => b.subarray(0, b.length === 0 ? 0 : n % b.length)),
    // One byte changed.
    fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })).map(([i, x]): Mutation => (b) => {
      if (b.length === 0) return b;
      const out = Buffer.from(b);
      out[i % b.length] ^= x;
      return out;
    }),
    // Trailing bytes (padding, a second message, garbage).
    anyBytes(64).filter((x) => x.length > 0).map((tail): Mutation => (b) => Buffer.concat([b, tail])),
    // Any 1, 2 or 4 bytes set to an extreme.
    fc.tuple(fc.nat(), fc.constantFrom<1 | 2 | 4>(1, 2, 4)).chain(([at, width]) => extremes(width).map((v): Mutation => (b) =>
      b.length === 0 ? b : writeField(b, { offset: at % b.length, width }, v))),
  ];
  if (fields.length > 0) {
    // The codec's own fields set to an extreme, or to about the buffer's length.
    arbitraries.push(fc.tuple(fc.constantFrom(...fields), fc.integer({ min: -2, max: 2 })).chain(([f, delta]) =>
      fc.oneof(extremes(f.width).map((v): Mutation => (b) => writeField(b, f, v)),
        fc.constant<Mutation>((b) => writeField(b, f, BigInt(Math.max(0, b.length + delta)))))));
  }
  return fc.oneof(...arbitraries);
}

/** `valid` broken by one to three mutations: truncations, byte changes, appended bytes, extreme fields. */
export function mutated(valid: fc.Arbitrary<Buffer>, fields: readonly Field[] = []): fc.Arbitrary<Buffer> {
  return fc.tuple(valid, fc.array(mutation(fields), { minLength: 1, maxLength: 3 }))
    .map(([b, steps]) => steps.reduce<Buffer>((x, step) => step(x), Buffer.from(b)));
}

/** Arbitrary bytes and mutations of `valid`, about half each. */
export function hostile(valid: fc.Arbitrary<Buffer>, fields: readonly Field[] = []): fc.Arbitrary<Buffer> {
  return fc.oneof(anyBytes(), mutated(valid, fields));
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: Error };

/**
 * Runs `decode`: its value, or the error it threw when `isOwn` accepts it. Anything else (a
 * RangeError from a Buffer read, a TypeError, ...) fails the property, naming what was thrown.
 */
export function decodeOrOwnError<T>(decode: () => T, isOwn: (e: unknown) => boolean): Outcome<T> {
  try {
    return { ok: true, value: decode() };
  } catch (e) {
    if (isOwn(e)) {
      assert.ok(e instanceof Error && e.message !== '', 'the codec\'s error says what is wrong');
      return { ok: false, error: e };
    }
    const what = e instanceof Error ? `${e.name}${'code' in e ? ` (${String(e.code)})` : ''}: ${e.message}` : String(e);
    assert.fail(`decode threw something other than its own error: ${what}`);
  }
}
