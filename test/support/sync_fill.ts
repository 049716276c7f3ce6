// Fills a director's connection table through its sync port, for the tests and benches that need a
// large table (a million entries) without a million clients; run inside a lab namespace:
//   node dist/test/support/sync_fill.js --to 198.18.0.2:8848 --vip 198.18.0.10 --reals 198.18.0.11,...
//     --count 100000 [--first N] --key KEY [--sender NAME] [--sequence N] [--rate MESSAGES_PER_S]
//     [--timeout S]
// Sends connections first .. first+count-1, established TCP to VIP:80 (client 198.19.x.y, 60,000
// ports per address, real servers in turn), as IPVS sync v1 messages of 255 records, each signed
// with the lab's shared key and its own sequence number from --sequence on, paced at --rate
// messages a second. Sending again with a higher --sequence refreshes the same connections.
// Prints {"messages", "lastSequence"}.
import { createSocket } from 'node:dgram';
import { parseArgs } from 'node:util';
import { appendTrailer } from '../../src/sync/auth_trailer';

const RECORDS = 255; // nr_conns is one byte
const RECORD = 36;
const PORTS_PER_CLIENT = 60_000;
const F_DROUTE = 0x0003;
const TCP_ESTABLISHED = 1;

function fail(message: string): never {
  process.stderr.write(`sync_fill: ${message}\n`);
  process.exit(2);
}

function ipv4(text: string): number {
  const parts = text.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) fail(`${text} is not an IPv4 address.`);
  return parts.reduce((a, o) => (a << 8 | o) >>> 0, 0);
}

/** The client of connection n: 198.19.0.0 + n / 60000, port 1024 + n % 60000. */
export function fillClient(n: number): { address: string; port: number } {
  const host = Math.floor(n / PORTS_PER_CLIENT) + 1;
  return { address: `198.19.${host >> 8}.${host & 255}`, port: 1024 + (n % PORTS_PER_CLIENT) };
}

function message(first: number, count: number, vip: number, reals: number[], timeout: number): Buffer {
  const b = Buffer.alloc(8 + count * RECORD);
  b[1] = 0; // syncid 0, the lab's
  b.writeUInt16BE(b.length, 2);
  b[4] = count;
  b[5] = 1;
  for (let i = 0; i < count; i++) {
    const n = first + i;
    const { address, port } = fillClient(n);
    const o = 8 + i * RECORD;
    b[o + 1] = 6;
    b.writeUInt16BE(RECORD, o + 2);
    b.writeUInt32BE(F_DROUTE, o + 4);
    b.writeUInt16BE(TCP_ESTABLISHED, o + 8);
    b.writeUInt16BE(port, o + 10);
    b.writeUInt16BE(80, o + 12);
    b.writeUInt16BE(80, o + 14);
    b.writeUInt32BE(timeout, o + 20);
    b.writeUInt32BE(ipv4(address), o + 24);
    b.writeUInt32BE(vip, o + 28);
    b.writeUInt32BE(reals[n % reals.length], o + 32);
  }
  return b;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      to: { type: 'string' }, vip: { type: 'string' }, reals: { type: 'string' }, count: { type: 'string' },
      first: { type: 'string', default: '0' },
      key: { type: 'string' }, sender: { type: 'string', default: 'sync-fill' }, sequence: { type: 'string', default: '1' },
      rate: { type: 'string', default: '2000' }, timeout: { type: 'string', default: '900' },
    },
  });
  const m = /^(\d+\.\d+\.\d+\.\d+):(\d+)$/.exec(values.to ?? '') ?? fail('--to must be ADDRESS:PORT.');
  const vip = ipv4(values.vip ?? fail('--vip is required.'));
  const reals = (values.reals ?? fail('--reals is required.')).split(',').map(ipv4);
  const count = Number(values.count);
  const start = Number(values.first);
  if (!Number.isInteger(start) || start < 0) fail('--first must be a connection number (0 or more).');
  const rate = Number(values.rate);
  const timeout = Number(values.timeout);
  if (!Number.isInteger(count) || count < 1 || start + count > 16_000_000) fail('--count must be from 1 to 16000000 (with --first).');
  if (!Number.isInteger(rate) || rate < 1) fail('--rate must be a positive number of messages a second.');
  const key = Buffer.from(values.key ?? fail('--key is required.'), 'utf8');
  let sequence = BigInt(values.sequence);
  const sock = createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, r));
  // Bursts every 10 ms: the receiver's socket buffer takes a burst, pivsd empties it between them.
  const burst = Math.max(1, Math.round(rate / 100));
  const started = Date.now();
  let messages = 0;
  for (let first = start; first < start + count; first += RECORDS) {
    const body = message(first, Math.min(RECORDS, start + count - first), vip, reals, timeout);
    const datagram = appendTrailer(body, { keyId: 0, sender: values.sender, sequence }, key);
    sequence++;
    await new Promise<void>((resolve, reject) => sock.send(datagram, Number(m[2]), m[1], (e) => (e ? reject(e) : resolve())));
    messages++;
    if (messages % burst === 0) {
      const due = started + (messages / rate) * 1000;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  }
  sock.close();
  process.stdout.write(`${JSON.stringify({ messages, lastSequence: String(sequence - 1n) })}\n`);
}

if (require.main === module) {
  main().catch((e: unknown) => fail(e instanceof Error ? e.message : String(e)));
}
