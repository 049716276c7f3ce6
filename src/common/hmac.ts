// HMAC-SHA256 for every signed datagram (sync trailer, heartbeat, agent report), compared in
// constant time.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const HMAC_LENGTH = 32;

export function hmacSha256(key: Buffer | string, data: Buffer): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

export function hmacMatches(key: Buffer | string, data: Buffer, mac: Buffer): boolean {
  return mac.length === HMAC_LENGTH && timingSafeEqual(hmacSha256(key, data), mac);
}
