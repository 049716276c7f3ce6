// Who may use the control socket: root, pivsd's own user, and members of its group (SOCKET_GROUP),
// judged on the credentials the kernel recorded at connect time, not on the socket file's mode
// alone (which anyone with root, or a careless chmod, can change behind pivsd's back).
import type { PeerCredentials } from '../dataplane/peer_credentials';

export interface SocketOwner {
  uid: number;
  /** The group whose members may connect; null when it does not exist (then only root and pivsd's user). */
  group: number | null;
}

/** null if `peer` may use the socket, else the sentence it is told. */
export function refusal(peer: PeerCredentials, owner: SocketOwner, groupName: string): string | null {
  if (peer.uid === 0 || peer.uid === owner.uid) return null;
  if (owner.group !== null && (peer.gid === owner.group || peer.groups.includes(owner.group))) return null;
  return `only root and members of group ${groupName} may use pivsd's control socket (uid ${peer.uid} is neither); nothing was done`;
}
