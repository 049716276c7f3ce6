// HMAC-SHA256 for the sync trailer and the heartbeat, compared in constant time.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const HMAC_LENGTH = 32;

export function hmacSha256(key: Buffer, data: Buffer): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

export function hmacMatches(key: Buffer, data: Buffer, mac: Buffer): boolean {
  return mac.length === HMAC_LENGTH && timingSafeEqual(hmacSha256(key, data), mac);
}

/** Director names travel in sync trailers and heartbeats: 1..32 bytes of [A-Za-z0-9._-]. */
export const NAME_PATTERN = /^[A-Za-z0-9._-]{1,32}$/;
