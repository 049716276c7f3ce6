// What one pivsadm invocation asks for, once argv is understood.
import type { VirtualServiceKey } from '../config/model';
import type { Command } from '../control/protocol';

/** ipvsadm's FMT_* flags, plus pivs's --json. */
export interface ListFormat {
  numeric: boolean;
  stats: boolean;
  rate: boolean;
  thresholds: boolean;
  persistentConn: boolean;
  exact: boolean;
  nosort: boolean;
  tunInfo: boolean;
  json: boolean;
}

export type Action =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'command'; command: Command }
  | { kind: 'listServices'; service?: VirtualServiceKey; format: ListFormat }
  | { kind: 'listConnections'; format: ListFormat }
  | { kind: 'listTimeouts'; format: ListFormat }
  | { kind: 'save'; numeric: boolean }
  | { kind: 'restore' }
  /** pivsadm --links: link redundancy (docs/links.md). */
  | { kind: 'listLinks'; json: boolean };

export interface Invocation {
  action: Action;
  /** --socket PATH: the control socket of pivsd, else $PIVS_SOCKET, else the default. */
  socket?: string;
}
