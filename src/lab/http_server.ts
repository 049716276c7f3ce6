// The lab's real-server program, run inside each real server's namespace:
//   node dist/src/lab/http_server.js --name rs1 [--port 80] [--udp-port 53 --udp-address VIP]
// HTTP: "/" answers the server's name; "/stream?bytes=N[&chunk=K&interval=MS]" sends the lab's
// deterministic stream (see stream.ts), optionally slowly, for long and held-open transfers.
// UDP: every datagram is answered with the server's name, from the address it was sent to.
import { createServer, type ServerResponse } from 'node:http';
import { createSocket } from 'node:dgram';
import { parseArgs } from 'node:util';
import { streamChunks } from './stream';

const MAX_STREAM = 4 * 1024 * 1024 * 1024;

function fail(message: string): never {
  process.stderr.write(`http_server: ${message}\n`);
  process.exit(2);
}

function intParam(v: string | null, name: string, min: number, max: number, dflt: number): number {
  if (v === null) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new RangeError(`${name} must be an integer from ${min} to ${max}.`);
  return n;
}

async function sendStream(res: ServerResponse, total: number, chunk: number, intervalMs: number): Promise<void> {
  for (const c of streamChunks(total, chunk)) {
    if (res.destroyed) return;
    if (!res.write(c)) await new Promise<void>((r) => { res.once('drain', r); res.once('close', r); });
    if (intervalMs > 0) await new Promise((r) => setTimeout(r, intervalMs));
  }
  res.end();
}

function main(): void {
  const { values } = parseArgs({
    options: {
      name: { type: 'string' },
      port: { type: 'string', default: '80' },
      'udp-port': { type: 'string' },
      'udp-address': { type: 'string', default: '0.0.0.0' },
    },
  });
  const name = values.name ?? fail('--name is required.');
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) fail('--port must be from 1 to 65535.');

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://lab');
    res.setHeader('X-Real-Server', name);
    if (url.pathname === '/') {
      res.setHeader('Content-Type', 'text/plain');
      res.end(`${name}\n`);
      return;
    }
    if (url.pathname === '/stream') {
      let total: number; let chunk: number; let interval: number;
      try {
        total = intParam(url.searchParams.get('bytes'), 'bytes', 0, MAX_STREAM, 1024 * 1024);
        chunk = intParam(url.searchParams.get('chunk'), 'chunk', 4, 1024 * 1024, 64 * 1024);
        interval = intParam(url.searchParams.get('interval'), 'interval', 0, 10_000, 0);
        if (chunk % 4 !== 0) throw new RangeError('chunk must be a multiple of 4.');
      } catch (e) {
        res.statusCode = 400;
        res.end(`${(e as Error).message}\n`);
        return;
      }
      res.setHeader('Content-Type', 'application/octet-stream');
      res.setHeader('Content-Length', String(total));
      void sendStream(res, total, chunk, interval);
      return;
    }
    res.statusCode = 404;
    res.end('not found\n');
  });
  server.listen(port, '0.0.0.0', () => process.stdout.write(`http_server ${name} listening on tcp ${port}\n`));

  if (values['udp-port'] !== undefined) {
    const udpPort = Number(values['udp-port']);
    if (!Number.isInteger(udpPort) || udpPort < 1 || udpPort > 65535) fail('--udp-port must be from 1 to 65535.');
    // Bound to the VIP so replies leave with the VIP as source, as a direct-routing client expects.
    const sock = createSocket('udp4');
    sock.on('message', (_msg, rinfo) => sock.send(`${name}\n`, rinfo.port, rinfo.address));
    sock.bind(udpPort, values['udp-address'], () => process.stdout.write(`http_server ${name} listening on udp ${udpPort}\n`));
  }
  for (const sig of ['SIGTERM', 'SIGINT'] as const) process.on(sig, () => process.exit(0));
}

main();
