// The deterministic byte stream the lab's HTTP server sends for /stream?bytes=N, so a client can
// check a long transfer arrived whole and in order without the server shipping a checksum.
import { createHash } from 'node:crypto';

const CHUNK = 64 * 1024;

/** xorshift32 state after the stream's seed; every stream starts from the same state. */
const SEED = 0x9e3779b9;

/** Yields the stream's bytes in chunks of at most `chunk` bytes, `total` bytes in all. */
export function* streamChunks(total: number, chunk = CHUNK): Generator<Buffer> {
  let x = SEED;
  let left = total;
  while (left > 0) {
    const n = Math.min(chunk, left);
    const words = Math.ceil(n / 4);
    const buf = Buffer.allocUnsafe(words * 4);
    for (let i = 0; i < words; i++) {
      x ^= x << 13; x >>>= 0;
      x ^= x >>> 17;
      x ^= x << 5; x >>>= 0;
      buf.writeUInt32LE(x, i * 4);
    }
    // A chunk size that is not a multiple of 4 would shift the sequence; keep chunks word-aligned.
    if (n % 4 !== 0 && left > n) throw new Error('stream chunk size must be a multiple of 4.');
    left -= n;
    yield n === buf.length ? buf : buf.subarray(0, n);
  }
}

/** SHA-256 (hex) of the first `total` bytes of the stream. */
export function streamSha256(total: number): string {
  const h = createHash('sha256');
  for (const c of streamChunks(total)) h.update(c);
  return h.digest('hex');
}
