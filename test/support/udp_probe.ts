// A steady trickle of UDP datagrams to the VIP, run inside the client's namespace:
//   node dist/test/support/udp_probe.js --to 198.18.0.100:53 --every 1 --duration 5000
// The failover tests and bench watch for the first of them a new master forwards: with one datagram
// per millisecond, the instant a director starts forwarding is known to about a millisecond,
// whatever the TCP streams happen to be doing (their ACKs may pause while a director is dead).
// Replies are not read; the probe stops by itself after --duration.
import { createSocket } from 'node:dgram';
import { parseArgs } from 'node:util';

function fail(message: string): never {
  process.stderr.write(`udp_probe: ${message}\n`);
  process.exit(2);
}

function main(): void {
  const { values } = parseArgs({
    options: {
      to: { type: 'string' },
      every: { type: 'string', default: '1' },
      duration: { type: 'string', default: '5000' },
    },
  });
  const m = /^(\d+\.\d+\.\d+\.\d+):(\d+)$/.exec(values.to ?? '') ?? fail('--to ADDRESS:PORT (IPv4) is required.');
  const port = Number(m[2]);
  const every = Number(values.every);
  const duration = Number(values.duration);
  if (port < 1 || port > 65535) fail('--to port must be from 1 to 65535.');
  if (!Number.isInteger(every) || every < 1 || every > 1000) fail('--every must be an integer from 1 to 1000 (ms).');
  if (!Number.isInteger(duration) || duration < 1 || duration > 600_000) fail('--duration must be an integer from 1 to 600000 (ms).');
  const sock = createSocket('udp4');
  let seq = 0;
  const payload = Buffer.alloc(8);
  const timer = setInterval(() => {
    payload.writeUInt32BE(seq++ >>> 0, 0);
    sock.send(payload, port, m[1]);
  }, every);
  setTimeout(() => { clearInterval(timer); sock.close(); }, duration);
  sock.on('error', () => { /* an unreachable VIP mid-failover is expected; keep probing */ });
  process.stdout.write('probing\n');
}

main();
