// Shared pieces of the control tests: a fake ARP service, a quiet logger, a raw socket client.
import { createConnection } from 'node:net';
import pino from 'pino';
import type { Response } from '../../src/control/protocol';

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
