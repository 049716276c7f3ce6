// The Unix-socket transport of protocol.ts: newline-delimited JSON, one response per request, in
// order, on the connection the request came on. A request waits for the answer before it to be
// written whole (a paged one takes many turns of the event loop: pages.ts).
import { chmodSync, chownSync, lstatSync, mkdirSync, readFileSync, unlinkSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { peerCredentials, type PeerCredentials } from '../dataplane/peer_credentials';
import { writePaged } from './pages';
import { refusal, type SocketOwner } from './peer_check';
import type { PagedResponse, Response } from './protocol';

/**
 * Longer lines are refused at once: a -R batch of 20000 commands is about 4 MiB. With
 * MAX_CONNECTIONS this bounds what clients can make pivsd buffer (docs/cli.md).
 */
export const MAX_LINE_BYTES = 8 * 1024 * 1024;
/** Connections beyond this many at once are closed as soon as they are accepted. */
export const MAX_CONNECTIONS = 64;
/** While more than this many answer bytes wait for a client to read them, its requests are not read. */
export const MAX_UNREAD_BYTES = 1024 * 1024;
/** The group whose members may use the socket besides root (docs/cli.md). */
export const SOCKET_GROUP = 'pivs';

export interface ControlServerOptions {
  /** Who connected (default: the addon's SO_PEERCRED); null when it cannot be told. */
  credentialsOf?: (socket: Socket) => PeerCredentials | null;
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
  checkDirectory(dirname(path));
  await removeStaleSocket(path);
  const sockets = new Set<Socket>();
  const owner: SocketOwner = { uid: process.getuid?.() ?? 0, group: groupId(SOCKET_GROUP) };
  const credentialsOf = options.credentialsOf ?? kernelCredentials;
  const server = createServer((socket) => {
    if (sockets.size >= MAX_CONNECTIONS) {
      logger.warn({ limit: MAX_CONNECTIONS }, 'control socket connection refused: too many at once');
      socket.destroy();
      return;
    }
    const peer = credentialsOf(socket);
    const refused = peer === null ? 'pivsd could not tell who connected to its control socket; nothing was done' : refusal(peer, owner, SOCKET_GROUP);
    if (refused !== null) {
      logger.warn({ uid: peer?.uid, pid: peer?.pid }, `control socket connection refused: ${refused}`);
      // What the client sent is read and discarded: closing on unread bytes would reset the
      // connection, and the client could lose the sentence.
      socket.on('data', () => undefined);
      socket.on('error', () => undefined);
      reply(socket, { id: 0, error: { code: 'Forbidden', message: refused } });
      socket.end();
      setTimeout(() => socket.destroy(), 1000).unref();
      return;
    }
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
  const group = groupId(SOCKET_GROUP);
  if (group !== null && lstatSync(path).gid !== group) {
    try {
      chownSync(path, -1, group);
    } catch (e) {
      logger.warn({ err: e, group: SOCKET_GROUP }, `the control socket could not be given to group ${SOCKET_GROUP}; only its owner can use it`);
    }
  }
  server.on('error', (e) => logger.error({ err: e }, 'control socket error'));
  logger.info({ socket: path }, 'control socket listening');
  return { path, close: () => closeServer(server, sockets, path) };
}

/** SO_PEERCRED of the accepted connection, through its file descriptor (Node keeps it on the handle). */
function kernelCredentials(socket: Socket): PeerCredentials | null {
  const fd = (socket as unknown as { _handle?: { fd?: unknown } })._handle?.fd;
  if (typeof fd !== 'number' || fd < 0) return null;
  try {
    return peerCredentials(fd);
  } catch {
    return null;
  }
}

function serve(socket: Socket, { handle, logger }: ControlServerOptions): void {
  // The bytes of the unfinished line, as received: only each new chunk is searched for its end.
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let refused = false;
  // Requests are handled in turn: each when the answers before it have been written.
  let turn: Promise<void> = Promise.resolve();
  const enqueue = (step: () => Response | PagedResponse, then?: () => void): void => {
    turn = turn.then(async () => {
      await readerCaughtUp(socket);
      const a = step();
      if ('pages' in a) await writePaged(socket, a);
      else reply(socket, a);
      then?.();
    }).catch((e: unknown) => logger.error({ err: e }, 'control answer failed'));
  };
  // A client that does not read its answers is not read either, until it has taken them; the
  // requests already read wait for it too (readerCaughtUp).
  const throttle = (): void => {
    if (socket.writableLength > MAX_UNREAD_BYTES && !socket.isPaused()) {
      socket.pause();
      socket.once('drain', () => { if (!refused) socket.resume(); });
    }
  };
  socket.on('error', (e) => logger.debug({ err: e }, 'control client error'));
  socket.on('data', (chunk: Buffer) => {
    if (refused) return;
    let start = 0;
    let nl: number;
    while ((nl = chunk.indexOf(0x0a, start)) >= 0 && pendingBytes + nl - start <= MAX_LINE_BYTES) {
      pending.push(chunk.subarray(start, nl));
      const line = Buffer.concat(pending).toString('utf8').trim();
      pending = [];
      pendingBytes = 0;
      start = nl + 1;
      if (line !== '') enqueue(() => answer(line, handle, logger), throttle);
    }
    if (start < chunk.length) {
      pending.push(chunk.subarray(start));
      pendingBytes += chunk.length - start;
    }
    // Over the limit, with or without its end in this chunk (a line is at most MAX_LINE_BYTES).
    if (pendingBytes > MAX_LINE_BYTES) {
      refused = true;
      pending = [];
      socket.pause();
      enqueue(() => ({ id: 0, error: { code: 'Invalid', message: `the request line is longer than ${MAX_LINE_BYTES} bytes; nothing was done and the connection is closed` } }),
        // Closed whole once the answer is out: the rest of the line is never read.
        () => socket.end(() => socket.destroy()));
    }
    throttle();
  });
}

/** Resolves when the client has taken its answers down to MAX_UNREAD_BYTES (or is gone). */
function readerCaughtUp(socket: Socket): Promise<void> {
  if (socket.writableLength <= MAX_UNREAD_BYTES || socket.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      socket.off('drain', done);
      socket.off('close', done);
      resolve();
    };
    socket.on('drain', done);
    socket.on('close', done);
  });
}

/** The socket's directory decides who can reach it: it must not be writable by anyone else. */
function checkDirectory(dir: string): void {
  const st = lstatSync(dir);
  const uid = process.getuid?.() ?? 0;
  if (!st.isDirectory() || (st.mode & 0o022) !== 0 || (st.uid !== uid && st.uid !== 0)) {
    throw new ControlServerError(`the control socket's directory ${dir} must be a directory owned by root or by pivsd's user and writable by no one else (it is mode ${(st.mode & 0o7777).toString(8).padStart(4, '0')}, owner ${st.uid}); fix it (chmod 0750) or choose another --socket`);
  }
}

function groupId(name: string): number | null {
  try {
    for (const line of readFileSync('/etc/group', 'utf8').split('\n')) {
      const [group, , gid] = line.split(':');
      if (group === name && gid !== undefined && /^\d+$/.test(gid)) return Number(gid);
    }
  } catch {
    // No /etc/group: the socket keeps pivsd's own group.
  }
  return null;
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
