// sdNotify(): one sd_notify message to systemd's $NOTIFY_SOCKET, sent by the addon from this
// very process (native/sd_notify.cc), so that the unit can keep NotifyAccess=main.
import { loadNative } from './native';

/** sizeof(sockaddr_un.sun_path): a path needs its NUL in it, an abstract name (@name) does not. */
export const SUN_PATH_BYTES = 108;

/**
 * Sends `lines` ("KEY=value") as one datagram to `socket`: an absolute path, or @name for the
 * abstract namespace. Throws a TypeError on a malformed argument and an Error with one sentence
 * when the datagram cannot be sent; never waits.
 */
export function sdNotify(socket: string, lines: string[]): void {
  if (typeof socket !== 'string' || !(socket.startsWith('/') || socket.startsWith('@'))) {
    throw new TypeError(`NOTIFY_SOCKET "${String(socket)}" is neither an absolute path nor an abstract name (@name).`);
  }
  const bytes = Buffer.byteLength(socket);
  const room = socket.startsWith('@') ? SUN_PATH_BYTES : SUN_PATH_BYTES - 1;
  if (bytes > room || socket.includes('\0')) {
    throw new TypeError(`NOTIFY_SOCKET "${socket}" is not a unix socket address (at most ${room} bytes, no NUL).`);
  }
  if (!Array.isArray(lines) || lines.length === 0 || !lines.every((l) => typeof l === 'string' && /^[A-Z][A-Z0-9_]*=[^\n\0]*$/.test(l))) {
    throw new TypeError('an sd_notify message is one or more "KEY=value" lines, each without a newline.');
  }
  // No trailing newline, as systemd-notify and sd_notify(3) send it.
  loadNative().sdNotify(socket, lines.join('\n'));
}
