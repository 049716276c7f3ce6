// The HTTP status server: read-only GET/HEAD of /, /status and /metrics, optional credentials.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { StatusAuth } from '../config/model';
import { parseListen } from '../config/status';
import { authorised, challenges } from './auth';
import { buildStatus } from './build';
import { dashboardHtml } from './dashboard';
import { StatusMetrics } from './metrics';
import type { StatusSources } from './model';

export interface StatusServerOptions {
  /** "ADDRESS:PORT" as config/status.ts normalises it; port 0 picks a free one. */
  listen: string;
  auth?: StatusAuth;
  sources: StatusSources;
  logger?: Logger;
}

export interface StatusServer {
  readonly host: string;
  readonly port: number;
  /** http://HOST:PORT (brackets for IPv6). */
  readonly url: string;
  close(): Promise<void>;
}

// The page only ever talks to the pivsd it came from: the browser enforces it too.
const DASHBOARD_CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
  + "connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export const REQUEST_TIMEOUT_MS = 10_000;
export const HEADERS_TIMEOUT_MS = 5_000;
export const KEEP_ALIVE_TIMEOUT_MS = 5_000;
/** Connections beyond this many at once are closed as they arrive (docs/status.md). */
export const MAX_CONNECTIONS = 64;

export async function startStatusServer(opts: StatusServerOptions): Promise<StatusServer> {
  const where = parseListen(opts.listen);
  if (where === null) throw new Error(`the status server address "${opts.listen}" is not ADDRESS:PORT`);
  // Read now, so that missing dashboard files stop the start rather than fail a later request.
  dashboardHtml();
  const metrics = new StatusMetrics();
  // Slow or idle clients must not hold sockets open forever on an appliance: the limits are set
  // at creation, before the first connection can arrive.
  const server = createServer({
    requestTimeout: REQUEST_TIMEOUT_MS, headersTimeout: HEADERS_TIMEOUT_MS, keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    // How often the two timeouts above are checked (Node's default, 30 s, would let them run late).
    connectionsCheckingInterval: 1_000,
  }, (req, res) => {
    handle(req, res, opts, metrics).catch((e: unknown) => {
      opts.logger?.error({ err: e, url: req.url }, 'status request failed');
      if (!res.headersSent) send(res, req, 500, 'text/plain; charset=utf-8', 'The status could not be built; see the pivsd log.\n');
      else res.destroy();
    });
  });
  server.maxConnections = MAX_CONNECTIONS;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => reject(new Error(listenFailure(opts.listen, e))));
    server.listen(where.port, where.host, () => resolve());
  });
  // Errors after listen (accept failing with EMFILE under a connection flood) would otherwise be fatal.
  server.on('error', (e) => opts.logger?.warn({ err: e }, 'status server error; still listening'));
  const address = server.address() as AddressInfo;
  const host = address.address;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
  opts.logger?.info({ url, auth: opts.auth === undefined ? 'none' : Object.keys(opts.auth).join('+') }, 'status server listening');
  let closing: Promise<void> | null = null;
  return {
    host,
    port: address.port,
    url,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

function listenFailure(listen: string, e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case 'EADDRINUSE':
      return `the status server cannot listen on ${listen}: the port is already in use; set status.listen to a free ADDRESS:PORT (or false)`;
    case 'EADDRNOTAVAIL':
      return `the status server cannot listen on ${listen}: no interface has that address; set status.listen to one of this host's addresses`;
    case 'EACCES':
      return `the status server cannot listen on ${listen}: permission denied (ports below 1024 need CAP_NET_BIND_SERVICE)`;
    default:
      return `the status server cannot listen on ${listen}: ${e.message}`;
  }
}

async function handle(req: IncomingMessage, res: ServerResponse, opts: StatusServerOptions, metrics: StatusMetrics): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    send(res, req, 405, 'text/plain; charset=utf-8', 'The status server is read-only: only GET and HEAD are allowed.\n');
    return;
  }
  if (!authorised(opts.auth, req.headers)) {
    res.setHeader('WWW-Authenticate', challenges(opts.auth ?? {}));
    send(res, req, 401, 'text/plain; charset=utf-8', 'Credentials are required to see the status of this director.\n');
    return;
  }
  const path = new URL(req.url ?? '/', 'http://pivs').pathname;
  // Without credentials anyone who reaches the port reads it: checks are shown by kind only.
  const build = { redactChecks: opts.auth === undefined };
  switch (path) {
    case '/':
    case '/index.html':
      res.setHeader('Content-Security-Policy', DASHBOARD_CSP);
      send(res, req, 200, 'text/html; charset=utf-8', dashboardHtml());
      return;
    case '/status':
      send(res, req, 200, 'application/json; charset=utf-8', `${JSON.stringify(buildStatus(opts.sources, build), null, 2)}\n`);
      return;
    case '/metrics': {
      const text = await metrics.text(buildStatus(opts.sources, build));
      send(res, req, 200, metrics.contentType, text);
      return;
    }
    default:
      send(res, req, 404, 'text/plain; charset=utf-8', 'Not found: the status server serves /, /status and /metrics.\n');
  }
}

function send(res: ServerResponse, req: IncomingMessage, status: number, type: string, body: string): void {
  const bytes = Buffer.from(body, 'utf8');
  res.statusCode = status;
  res.setHeader('Content-Type', type);
  res.setHeader('Content-Length', bytes.length);
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.end(req.method === 'HEAD' ? undefined : bytes);
}
