// Limits that more than one module checks (the config file, a codec, the dataplane's own argument
// checks): each is written once, so that what the config accepts the others accept too.

/**
 * Connection table entries. Fewer than 16 is no table; the addon sets no maximum of its own, and
 * 2^26 entries (72 to 200 bytes each) is already more memory than any Raspberry Pi has.
 */
export const CONN_TABLE_SIZE = { min: 16, max: 2 ** 26 } as const;

/**
 * The Maglev lookup table: a prime, so that every skip visits every slot. The addon clamps larger
 * sizes to 1048573 (the largest prime below 2^20) and its simulator refuses tables under 3.
 */
export const MH_TABLE_SIZE = { min: 3, max: 1_048_573 } as const;

export function isPrime(n: number): boolean {
  if (!Number.isInteger(n) || n < 2) return false;
  for (let d = 2; d * d <= n; d++) if (n % d === 0) return false;
  return true;
}

/** Why `n` cannot be the connection table's size (one clause, after the value), or undefined. */
export function connTableSizeProblem(n: unknown): string | undefined {
  const { min, max } = CONN_TABLE_SIZE;
  if (typeof n === 'number' && Number.isInteger(n) && n >= min && n <= max) return undefined;
  return `${String(n)} is not a whole number from ${min} to ${max}`;
}

/** Why `n` cannot be the Maglev table's size (one clause, after the value), or undefined. */
export function mhTableSizeProblem(n: unknown): string | undefined {
  const { min, max } = MH_TABLE_SIZE;
  if (typeof n === 'number' && n >= min && n <= max && isPrime(n)) return undefined;
  return `${String(n)} is not a prime number from ${min} to ${max} (Maglev needs one, e.g. 65537)`;
}

/** A heartbeat's hears mask is one byte: one bit per link. */
export const MAX_HEARTBEAT_LINKS = 8;
