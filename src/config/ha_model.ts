// The `sync:` and `heartbeat:` sections of the model (docs/config.md, docs/ha.md).

export interface SyncAuth {
  /** Shared secret (its UTF-8 bytes are the HMAC-SHA256 key), the same on every director. */
  key: string;
  /** 0..255, carried in every datagram so keys can be rolled. */
  keyId: number;
}

export interface SyncSettings {
  /** Interface sync messages leave and arrive on (default director.interface). */
  interface: string;
  /** Own IPv4 address on it; null = its first IPv4 address when pivsd starts. */
  localAddress: string | null;
  /** IPVS syncid, 0..255: messages with another are refused. */
  syncId: number;
  port: number;
  /** multicast to `group`, or unicast to every peer. */
  transport: 'multicast' | 'unicast';
  group: string;
  /**
   * Peers' IPv4 addresses: unicast destinations, whose resync answers to wait for and, without
   * `auth`, the only senders accepted (required then).
   */
  peers: string[];
  /** Largest sync message in bytes; null = interface MTU - 28, as IPVS. */
  maxMessageSize: number | null;
  flushDelayMs: number;
  threshold: number;
  period: number;
  /** How long a starting director waits for its peers' tables before it may become master anyway. */
  resyncTimeoutMs: number;
  /** Peers' records are installed only while the connection table is below this share of its size (0 < share <= 1). */
  maxInstalledShare: number;
  /** null = plain IPVS wire format. */
  auth: SyncAuth | null;
}

export interface HeartbeatLink {
  name: string;
  interface: string | null;
  localAddress: string;
}

export interface HeartbeatPeer {
  name: string;
  /** One per link, in the order of `links`. */
  addresses: string[];
}

export interface HeartbeatSettings {
  links: HeartbeatLink[];
  peers: HeartbeatPeer[];
  key: string;
  port: number;
  intervalMs: number;
  deadIntervals: number;
}

export const DEFAULT_SYNC_PORT = 8848;
export const DEFAULT_SYNC_GROUP = '224.0.0.81';
export const DEFAULT_MAX_INSTALLED_SHARE = 0.5;
export const DEFAULT_HEARTBEAT_PORT = 8849;
