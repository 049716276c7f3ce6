// The `status:` section: where the HTTP status server listens and which credentials it asks for.
import { fail } from './errors';
import { parseAddress } from './address';
import { DEFAULT_STATUS, type StatusAuth, type StatusSettings } from './model';

export interface RawStatus {
  listen?: string | boolean;
  auth?: StatusAuth;
}

export interface ListenAddress {
  host: string;
  port: number;
}

/** "198.18.0.1:8080" or "[2001:db8::1]:8080" into its parts; null when it is neither. */
export function parseListen(text: string): ListenAddress | null {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
  if (m === null) return null;
  const host = m[1] ?? m[2];
  const parsed = parseAddress(host);
  const port = Number(m[3]);
  if (parsed === null || port > 65535 || (m[1] !== undefined) !== (parsed.family === 6)) return null;
  return { host: parsed.address, port };
}

export function validateStatus(raw: RawStatus): StatusSettings {
  let listen: string | false;
  if (raw.listen === undefined || raw.listen === true) listen = DEFAULT_STATUS.listen;
  else if (raw.listen === false) listen = false;
  else {
    const parsed = parseListen(raw.listen);
    if (parsed === null) {
      fail('status.listen', `"${raw.listen}" is not ADDRESS:PORT (e.g. 127.0.0.1:8080 or [::1]:8080) or false`);
    }
    listen = parsed.host.includes(':') ? `[${parsed.host}]:${parsed.port}` : `${parsed.host}:${parsed.port}`;
  }
  const settings: StatusSettings = { listen };
  if (raw.auth !== undefined) settings.auth = validateAuth(raw.auth);
  return settings;
}

function validateAuth(auth: StatusAuth): StatusAuth {
  const out: StatusAuth = {};
  if (auth.basic !== undefined) {
    // RFC 7617: the user-id cannot hold a colon, the first colon ends it.
    if (auth.basic.user === '' || auth.basic.user.includes(':')) {
      fail('status.auth.basic.user', 'must be a non-empty name without ":"');
    }
    if (auth.basic.password === '') fail('status.auth.basic.password', 'must not be empty');
    out.basic = { user: auth.basic.user, password: auth.basic.password };
  }
  if (auth.bearer !== undefined) {
    if (!/^[A-Za-z0-9\-._~+/]+=*$/.test(auth.bearer)) {
      fail('status.auth.bearer', 'must be a non-empty token of letters, digits and -._~+/ (RFC 6750)');
    }
    out.bearer = auth.bearer;
  }
  if (out.basic === undefined && out.bearer === undefined) {
    fail('status.auth', 'names no credentials; give basic: {user, password} or bearer: TOKEN, or leave auth out');
  }
  return out;
}
