// Optional credentials on every request, as HAProxy's stats page has: HTTP basic or a bearer
// token. Compared in constant time so that response times tell nothing about the secret.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { StatusAuth } from '../config/model';

const REALM = 'pivs';

/** Hashing first gives both sides one length, which timingSafeEqual needs. */
function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

export function authorised(auth: StatusAuth | undefined, headers: IncomingHttpHeaders): boolean {
  if (auth === undefined) return true;
  const header = headers.authorization ?? '';
  const m = /^(\S+)\s+(\S+)\s*$/.exec(header);
  if (m === null) return false;
  const scheme = m[1].toLowerCase();
  if (scheme === 'basic' && auth.basic !== undefined) {
    const expected = `${auth.basic.user}:${auth.basic.password}`;
    return sameSecret(Buffer.from(m[2], 'base64').toString('utf8'), expected);
  }
  if (scheme === 'bearer' && auth.bearer !== undefined) return sameSecret(m[2], auth.bearer);
  return false;
}

/** The WWW-Authenticate challenges for a 401, one per accepted scheme. */
export function challenges(auth: StatusAuth): string[] {
  const out: string[] = [];
  if (auth.basic !== undefined) out.push(`Basic realm="${REALM}", charset="UTF-8"`);
  if (auth.bearer !== undefined) out.push(`Bearer realm="${REALM}"`);
  return out;
}
