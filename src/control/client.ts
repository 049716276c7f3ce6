// The client side of the control socket: connect, send one request, wait for its response (and,
// for the connections query, take its pages as they come).
import { createConnection } from 'node:net';
import type { ConnectionEntry } from '../dataplane/types';
import type { Batch, Command, ErrorBody, Query, ResultOf } from './protocol';
import { resolveSocketPath } from './socket-path';

export type RequestBody = Command | Query | Batch;

/** What a request's response carries: data for queries, nothing useful for commands. */
export type ResultFor<R extends RequestBody> = R['method'] extends keyof ResultOf ? ResultOf[R['method']] : unknown;

/** The daemon answered with an error (it applied nothing). */
export class ControlError extends Error {
  constructor(readonly method: string, readonly body: ErrorBody) {
    super(body.message);
    this.name = 'ControlError';
  }
}

/** No daemon at the socket path (missing socket, refused, not permitted). */
export class UnreachableError extends Error {
  constructor(readonly socketPath: string, readonly reason: NodeJS.ErrnoException) {
    super(`pivsd is not reachable at ${socketPath} (${reason.code ?? reason.message})`);
    this.name = 'UnreachableError';
  }
}

/** Connected, but no usable answer: timeout, closed early, or a reply that is not protocol JSON. */
export class ProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolError';
  }
}

function isErrorBody(e: unknown): e is ErrorBody {
  const b = e as Partial<ErrorBody>;
  return typeof e === 'object' && e !== null && typeof b.code === 'string' && typeof b.message === 'string' && b.message !== '';
}

/** --socket, else $PIVS_SOCKET, else the default: resolved exactly as pivsd resolves it. */
export const socketPath = resolveSocketPath;

export interface RequestOptions {
  /** How long pivsd may stay silent: until the response, or between two pages of a listing. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 15_000;
let nextId = 1;

export function request<R extends RequestBody>(
  path: string, body: R, options: RequestOptions = {},
): Promise<ResultFor<R>> {
  return exchange(path, body, options, null);
}

/**
 * The connections query, its entries handed to onPage a page at a time as pivsd sends them (the
 * last page included), so that a listing of any size is printed as it comes. Resolves at the end.
 */
export async function requestPages(
  path: string, body: { method: 'connections' }, onPage: (entries: ConnectionEntry[]) => void,
  options: RequestOptions = {},
): Promise<void> {
  const last: unknown = await exchange(path, body, options, onPage);
  if (!Array.isArray(last)) throw new ProtocolError(`pivsd at ${path} ended the listing with a result that is not a list`);
  onPage(last as ConnectionEntry[]);
}

function exchange<R extends RequestBody>(
  path: string, body: R, options: RequestOptions, onPage: ((entries: ConnectionEntry[]) => void) | null,
): Promise<ResultFor<R>> {
  const id = nextId++;
  // Without onPage, the pages of a listing join its result.
  const earlier: ConnectionEntry[] = [];
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    let connected = false;
    let settled = false;
    let buffer = '';
    const socket = createConnection(path);
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      fn();
    };
    const timer = setTimeout(() => finish(() => reject(new ProtocolError(
      `pivsd at ${path} did not answer within ${timeoutMs / 1000} s`))), timeoutMs);
    socket.setEncoding('utf8');
    socket.on('connect', () => {
      connected = true;
      socket.write(`${JSON.stringify({ ...body, id })}\n`);
    });
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (line.trim() === '') continue;
        let parsed: unknown;
        try {
          parsed = JSON.parse(line);
        } catch {
          finish(() => reject(new ProtocolError(`pivsd at ${path} sent a line that is not JSON`)));
          return;
        }
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
          finish(() => reject(new ProtocolError(`pivsd at ${path} sent a line that is not a response object`)));
          return;
        }
        const msg = parsed as { id?: unknown; result?: unknown; error?: unknown; page?: unknown };
        // id 0: the daemon could not read our request's id, so the answer is still ours.
        if (msg.id !== id && !(msg.id === 0 && msg.error)) continue;
        if (msg.page !== undefined && msg.error === undefined) {
          if (!Array.isArray(msg.page)) {
            finish(() => reject(new ProtocolError(`pivsd at ${path} sent a page that is not a list`)));
            return;
          }
          // The silence allowed is between two lines, not for the whole listing.
          timer.refresh();
          (onPage ?? ((e: ConnectionEntry[]) => earlier.push(...e)))(msg.page as ConnectionEntry[]);
          continue;
        }
        if (msg.error !== undefined && msg.error !== null && msg.error !== false) {
          const error = msg.error;
          finish(() => reject(isErrorBody(error)
            ? new ControlError(body.method, error)
            : new ProtocolError(`pivsd at ${path} sent an error that is not {code, message}`)));
        } else {
          const result = earlier.length > 0 && Array.isArray(msg.result) ? [...earlier, ...msg.result] : msg.result;
          finish(() => resolve(result as ResultFor<R>));
        }
        return;
      }
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      finish(() => reject(connected
        ? new ProtocolError(`connection to pivsd at ${path} failed: ${err.message}`)
        : new UnreachableError(path, err)));
    });
    socket.on('close', () => {
      finish(() => reject(new ProtocolError(`pivsd at ${path} closed the connection without answering`)));
    });
  });
}
