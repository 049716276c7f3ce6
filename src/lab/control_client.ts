// One request to pivsd's control socket (src/control/protocol.ts): a JSON line out, a JSON line back.
import { createConnection } from 'node:net';
import type { Request, Response } from '../control/protocol';

type RequestBody = Request extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never;

let nextId = 1;

export function controlRequest(socketPath: string, body: RequestBody, timeoutMs = 10_000): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const id = nextId++;
    const sock = createConnection(socketPath);
    let buf = '';
    const timer = setTimeout(() => { sock.destroy(); reject(new Error(`pivsd did not answer "${body.method}" within ${timeoutMs} ms.`)); }, timeoutMs);
    sock.setEncoding('utf8');
    sock.on('error', (e) => { clearTimeout(timer); reject(e); });
    sock.on('connect', () => sock.write(`${JSON.stringify({ ...body, id })}\n`));
    sock.on('data', (d: string) => {
      buf += d;
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      sock.end();
      const res = JSON.parse(buf.slice(0, nl)) as Response;
      if ('error' in res) reject(new Error(`${res.error.code}: ${res.error.message}`));
      else resolve(res.result);
    });
  });
}
