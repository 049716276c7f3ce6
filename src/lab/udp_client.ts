// A small UDP client for the lab and the tests, run inside the client's namespace:
//   node dist/src/lab/udp_client.js --to 198.18.0.100:53 [--count N] [--size BYTES] [--timeout MS]
// Sends `count` datagrams from one socket (one flow), one at a time, and prints each reply on its
// own line; a datagram with no reply within the timeout prints "timeout" and the exit status is 1.
import { createSocket } from 'node:dgram';
import { parseArgs } from 'node:util';

function fail(message: string): never {
  process.stderr.write(`udp_client: ${message}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      to: { type: 'string' },
      count: { type: 'string', default: '1' },
      size: { type: 'string', default: '8' },
      timeout: { type: 'string', default: '2000' },
    },
  });
  const m = /^(\d+\.\d+\.\d+\.\d+):(\d+)$/.exec(values.to ?? '') ?? fail('--to must be ADDRESS:PORT.');
  const [address, port] = [m[1], Number(m[2])];
  const count = Number(values.count);
  const size = Number(values.size);
  const timeoutMs = Number(values.timeout);
  if (!Number.isInteger(count) || count < 1 || count > 100_000) fail('--count must be from 1 to 100000.');
  // Up to the largest IPv4 UDP payload: bigger than the MTU, the kernel sends it in fragments.
  if (!Number.isInteger(size) || size < 0 || size > 65507) fail('--size must be from 0 to 65507.');
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 60_000) fail('--timeout must be from 1 to 60000.');

  const sock = createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, r));
  let missing = 0;
  for (let i = 0; i < count; i++) {
    const reply = await new Promise<string | null>((resolve) => {
      const timer = setTimeout(() => { sock.off('message', onMessage); resolve(null); }, timeoutMs);
      function onMessage(msg: Buffer): void {
        clearTimeout(timer);
        sock.off('message', onMessage);
        resolve(msg.toString('utf8').trim());
      }
      sock.on('message', onMessage);
      sock.send(Buffer.alloc(size, 0x61), port, address);
    });
    if (reply === null) missing++;
    process.stdout.write(`${reply ?? 'timeout'}\n`);
  }
  sock.close();
  process.exitCode = missing === 0 ? 0 : 1;
}

void main();
