// The control-socket protocol between pivsadm (and later status/, snmp/) and pivsd.
// Transport: a Unix stream socket; one JSON object per line each way; one request per connection
// is allowed but not required (requests carry an id, responses echo it). The connections query
// is answered in pages (PageLine) before its response, so that no listing holds pivsd up.
import type {
  Persistence, RealServer, Scheduler, SchedFlag, Timeouts, VirtualService, VirtualServiceKey,
} from '../config/model';
import type { AgentState } from '../agent/state';
import type { ConnectionEntry, Counters, DropCounts } from '../dataplane/types';
import type { HealthState } from '../health/state';

export const DEFAULT_SOCKET = '/run/pivs/pivsd.sock';
export const SOCKET_ENV = 'PIVS_SOCKET';

/** Fields of a virtual service that -A sets and -E changes (everything but its real servers). */
export interface ServiceSettings extends VirtualServiceKey {
  scheduler: Scheduler;
  schedFlags: SchedFlag[];
  persistence?: Persistence;
  sloppy: boolean;
}

export type Command =
  | { method: 'addService'; params: { service: ServiceSettings } }
  | { method: 'editService'; params: { service: ServiceSettings } }
  | { method: 'deleteService'; params: { key: VirtualServiceKey } }
  | { method: 'clear' }
  | { method: 'addReal'; params: { key: VirtualServiceKey; real: RealServer } }
  | { method: 'editReal'; params: { key: VirtualServiceKey; real: RealServer } }
  | { method: 'deleteReal'; params: { key: VirtualServiceKey; address: string; port: number } }
  | { method: 'zero'; params: { key?: VirtualServiceKey } }
  /** ipvsadm --set: a 0 leaves that timeout unchanged. */
  | { method: 'setTimeouts'; params: Timeouts };

export type Query =
  | { method: 'list' }
  | { method: 'connections' }
  | { method: 'timeouts' }
  /** Link redundancy (docs/links.md): LinksResult, null when director.links is not configured. */
  | { method: 'links' };

/** ipvsadm -R: every command applies, or none does. */
export type Batch = { method: 'batch'; params: { commands: Command[] } };

export type Request = (Command | Query | Batch) & { id: number };

/** Per-second rates as IPVS's estimator reports them (2 s sampling, smoothed). */
export interface Rates {
  cps: number;
  inPps: number;
  outPps: number;
  inBps: number;
  outBps: number;
}

export interface RealServerState extends RealServer {
  stats: Counters;
  rates: Rates;
  activeConns: number;
  inactiveConns: number;
  persistentConns: number;
  overloaded: boolean;
  macResolved: boolean;
  /** The configured weight, present when the dataplane runs another one (`weight` is what it runs). */
  configuredWeight?: number;
  /** Taken out of the dataplane's table (a failed health check with quiescent: false). */
  removed?: boolean;
  /** The service's fallback server, in the table while no real server can take connections. */
  fallback?: boolean;
  /** Present when a health check watches this real server (docs/health.md). */
  health?: HealthState;
  /** Present when pivs-agent reports apply to this real server (scheduler has or dynamicWeights). */
  agent?: AgentState;
}

export interface VirtualServiceState extends Omit<VirtualService, 'realServers'> {
  stats: Counters;
  rates: Rates;
  realServers: RealServerState[];
}

export interface ListResult {
  /** e.g. "1.2.1", the IPVS version ipvsadm prints in its header. */
  ipvsVersion: string;
  pivsVersion: string;
  connTableSize: number;
  timeouts: Timeouts;
  virtualServices: VirtualServiceState[];
  /** The fast path's drop counters by reason (DROP_REASONS). */
  drops: DropCounts;
}

/** Error codes map one-to-one onto ipvsadm's messages (cli/ owns the wording). */
export type ErrorCode =
  | 'ServiceExists'      // "Service already exists"
  | 'NoService'          // "No such service"
  | 'RealExists'         // "Destination already exists"
  | 'NoReal'             // "No such destination"
  | 'Invalid'            // a bad argument; message says which
  | 'Forbidden'          // the client may not use the socket (peer_check.ts)
  | 'Internal';

export interface ErrorBody {
  code: ErrorCode;
  message: string;
}

export type Response =
  | { id: number; result: unknown }
  | { id: number; error: ErrorBody };

/**
 * The connections query's answer comes as any number of these lines, then the response, whose
 * result holds the last entries (a table that fits one page is the response alone). An error
 * response may end the answer after some pages: the listing is then incomplete.
 */
export interface PageLine {
  id: number;
  page: ConnectionEntry[];
}

/** pivsd's side of a paged answer: its pages, pulled one at a time as the client takes them. */
export interface PagedResponse {
  id: number;
  pages: Iterator<ConnectionEntry[]>;
}

/** The links query: the director's links in order of preference (link/ LinkService.status()). */
export interface LinksResult {
  links: Array<{ interface: string; up: boolean; active: boolean; changes: number }>;
  /** null: every link is down (VRRP is in FAULT). */
  active: string | null;
  failovers: number;
  holdDownMs: number;
  /** ISO 8601 time of the last switch or fault, null if none since pivsd started. */
  lastChange: string | null;
}

export interface ResultOf {
  links: LinksResult | null;
  list: ListResult;
  /** The last page (PageLine). */
  connections: ConnectionEntry[];
  timeouts: Timeouts;
}
