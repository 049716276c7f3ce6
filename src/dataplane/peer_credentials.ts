// peerCredentials(): who connected to a unix stream socket, as the kernel recorded it at connect
// time (native/peer_cred.cc); the control server asks it of every client (control/peer_check.ts).
import { loadNative, type PeerCredentials } from './native';

export type { PeerCredentials } from './native';

/** The credentials of the process at the other end of the connected unix socket `fd`; throws an Error with one sentence. */
export function peerCredentials(fd: number): PeerCredentials {
  if (!Number.isInteger(fd) || fd < 0) throw new TypeError(`${fd} is not a file descriptor.`);
  return loadNative().peerCredentials(fd);
}
