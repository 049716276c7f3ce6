// Shared pieces of the control tests: a fake ARP service, a quiet logger, a raw socket client.
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import pino from 'pino';
import { parseConfig } from '../../src/config';
import { Director } from '../../src/control/director';
import { handleRequest } from '../../src/control/dispatch';
import type { Response } from '../../src/control/protocol';
import { startControlServer, type ControlServer } from '../../src/control/server';
import { FakeDataplane } from '../fakes/dataplane';

export class FakeArp {
  readonly calls: { virtualAddresses: string[]; realAddresses: string[] }[] = [];
  closed = false;
  setAddresses(a: { virtualAddresses: string[]; realAddresses: string[] }): void {
    this.calls.push(structuredClone(a));
  }
  close(): void {
    this.closed = true;
  }
}

export const quietLogger = () => pino({ level: 'silent' });

/** Sends raw lines on one connection and resolves with the response lines once `count` arrived. */
export function exchange(path: string, lines: string[], count = lines.length): Promise<Response[]> {
  return exchangePieces(path, [lines.map((l) => `${l}\n`).join('')], count);
}

/** As exchange(), the bytes written in these pieces, one event-loop turn apart. */
export function exchangePieces(path: string, pieces: ReadonlyArray<string | Buffer>, count: number): Promise<Response[]> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(path);
    let buffered = '';
    const responses: Response[] = [];
    socket.setEncoding('utf8');
    socket.on('error', reject);
    socket.on('connect', async () => {
      for (const piece of pieces) {
        socket.write(piece);
        await new Promise((r) => setImmediate(r));
      }
    });
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        responses.push(JSON.parse(buffered.slice(0, nl)) as Response);
        buffered = buffered.slice(nl + 1);
      }
      if (responses.length >= count) {
        socket.end();
        resolve(responses);
      }
    });
    socket.on('close', () => {
      if (responses.length < count) reject(new Error(`connection closed after ${responses.length} of ${count} responses`));
    });
  });
}

export async function request(path: string, body: object): Promise<Response> {
  const [r] = await exchange(path, [JSON.stringify(body)]);
  return r;
}

export interface DirectorSocket {
  server: ControlServer;
  dataplane: FakeDataplane;
  director: Director;
}

/**
 * Registers before()/after() hooks that serve a Director with no virtual services over a control
 * socket in a temporary directory (on a FakeDataplane), and remove it all; use the getter inside tests.
 */
export function useDirectorSocket(prefix: string): () => DirectorSocket {
  let dir = '';
  let made: DirectorSocket | undefined;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), prefix));
    const dataplane = new FakeDataplane();
    const director = new Director({
      config: parseConfig('director: {interface: eth0}\nvirtualServices: []\n'), dataplane, arp: new FakeArp(), logger: quietLogger(),
    });
    const server = await startControlServer({ path: join(dir, 'pivsd.sock'), logger: quietLogger(), handle: (r) => handleRequest(director, r) });
    made = { server, dataplane, director };
  });
  after(async () => {
    made?.director.close();
    await made?.server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    if (made === undefined) throw new Error('The control socket was not started (see the before hook\'s error).');
    return made;
  };
}
