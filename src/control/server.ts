// The Unix-socket transport of protocol.ts: newline-delimited JSON, one response per request, in
// order, on the connection the request came on. A request waits for the answer before it to be
// written whole (a paged one takes many turns of the event loop: pages.ts).
import { chmodSync, lstatSync, mkdirSync, unlinkSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { writePaged } from './pages';
import type { PagedResponse, Response } from './protocol';

/** Longer lines are refused: no legitimate request (even a large -R batch) comes near this. */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

export interface ControlServerOptions {
  path: string;
  handle: (request: unknown) => Response | PagedResponse;
  logger: Logger;
}

export class ControlServerError extends Error {
  override name = 'ControlServerError';
}

export interface ControlServer {
  readonly path: string;
  close(): Promise<void>;
}

export async function startControlServer(options: ControlServerOptions): Promise<ControlServer> {
  const { path, logger } = options;
  mkdirSync(dirname(path), { recursive: true, mode: 0o750 });
  await removeStaleSocket(path);
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    serve(socket, options);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(new ControlServerError(`cannot listen on ${path} (${e.code ?? e.message}); check --socket and permissions`)));
    server.listen(path, () => resolve());
  });
  chmodSync(path, 0o660);
  server.on('error', (e) => logger.error({ err: e }, 'control socket error'));
  logger.info({ socket: path }, 'control socket listening');
  return { path, close: () => closeServer(server, sockets, path) };
}

function serve(socket: Socket, { handle, logger }: ControlServerOptions): void {
  let pending = '';
  // Requests are handled in turn: each when the answers before it have been written.
  let turn: Promise<void> = Promise.resolve();
  const enqueue = (step: () => Response | PagedResponse, then?: () => void): void => {
    turn = turn.then(async () => {
      const a = step();
      if ('pages' in a) await writePaged(socket, a);
      else reply(socket, a);
      then?.();
    }).catch((e: unknown) => logger.error({ err: e }, 'control answer failed'));
  };
  socket.setEncoding('utf8');
  socket.on('error', (e) => logger.debug({ err: e }, 'control client error'));
  socket.on('data', (chunk: string) => {
    pending += chunk;
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl).trim();
      pending = pending.slice(nl + 1);
      if (line !== '') enqueue(() => answer(line, handle, logger));
    }
    if (Buffer.byteLength(pending) > MAX_LINE_BYTES) {
      enqueue(() => ({ id: 0, error: { code: 'Invalid', message: `a request line is longer than ${MAX_LINE_BYTES} bytes` } }),
        () => socket.end());
      pending = '';
    }
  });
}

function answer(line: string, handle: ControlServerOptions['handle'], logger: Logger): Response | PagedResponse {
  let request: unknown;
  try {
    request = JSON.parse(line);
  } catch {
    return { id: 0, error: { code: 'Invalid', message: 'the request is not valid JSON' } };
  }
  try {
    return handle(request);
  } catch (e) {
    logger.error({ err: e }, 'control request failed');
    const id = typeof (request as { id?: unknown } | null)?.id === 'number' ? (request as { id: number }).id : 0;
    return { id, error: { code: 'Internal', message: e instanceof Error ? e.message : String(e) } };
  }
}

function reply(socket: Socket, response: Response): void {
  if (!socket.writable) return;
  let line: string;
  try {
    line = JSON.stringify(response);
  } catch (e) {
    // A result that cannot be encoded is a bug to report to this client, not a reason to stop pivsd.
    line = JSON.stringify({ id: response.id, error: { code: 'Internal', message: `the response could not be encoded (${e instanceof Error ? e.message : String(e)})` } });
  }
  socket.write(`${line}\n`);
}

/** A socket file nobody listens on (pivsd killed) is replaced; a live one means pivsd already runs. */
async function removeStaleSocket(path: string): Promise<void> {
  let isSocket: boolean;
  try {
    isSocket = lstatSync(path).isSocket();
  } catch {
    return;
  }
  if (!isSocket) throw new ControlServerError(`${path} exists and is not a socket; remove it or choose another --socket`);
  const alive = await new Promise<boolean>((resolve) => {
    const probe = createConnection(path);
    probe.once('connect', () => { probe.destroy(); resolve(true); });
    probe.once('error', () => resolve(false));
  });
  if (alive) throw new ControlServerError(`another pivsd is already listening on ${path}; stop it or choose another --socket`);
  unlinkSync(path);
}

function closeServer(server: Server, sockets: Set<Socket>, path: string): Promise<void> {
  return new Promise((resolve) => {
    for (const s of sockets) s.destroy();
    server.close(() => {
      try {
        unlinkSync(path);
      } catch {
        // Already gone (node removes it on close on some versions).
      }
      resolve();
    });
  });
}
