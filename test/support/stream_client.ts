// The failover tests' client, run inside the client's namespace:
//   node dist/test/support/stream_client.js --to 198.18.0.100:80 --connections 10 --bytes 400000
//     --chunk 1000 --interval 10 --deadline 30000
// Opens N TCP connections to /stream on the VIP (the lab's real servers send a deterministic stream,
// see stream.ts) and reads them while directors fail over. Every byte is checked: the report gives,
// per connection, the bytes received, how it ended, whether the SHA-256 matches, the longest silence
// between two received chunks, and the first byte after each "mark" instant.
// stdin: lines "mark <epoch ms>" (e.g. when the test killed a director) may be written at any time.
// stdout: one JSON line {"event":"established"} once every connection has its first body byte,
// then one JSON line {"event":"report", ...} (StreamReport) when all are done or the deadline passed.
// Exit status 0 when every connection completed intact, 1 otherwise, 2 on bad arguments.
import { createHash } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { streamSha256 } from '../../src/lab/stream';

export type StreamOutcome = 'complete' | 'reset' | 'timeout' | 'closed' | 'error';

export interface ConnectionReport {
  index: number;
  localPort: number;
  realServer: string | null;
  /** Body bytes received (headers excluded). */
  bytes: number;
  outcome: StreamOutcome;
  /** Error text for 'reset'/'error'. */
  error: string | null;
  sha256Match: boolean;
  /** Longest time between two consecutive body chunks, in ms. */
  longestGapMs: number;
  /** When that longest silence ended (epoch ms), to tell which event caused it. */
  longestGapEndedAt: number;
  /** Per mark: ms from the mark to the first body byte received after it (null: none came). */
  firstByteAfterMarkMs: Array<number | null>;
}

export interface StreamReport {
  event: 'report';
  expectedBytes: number;
  marks: number[];
  connections: ConnectionReport[];
}

interface Options {
  host: string;
  port: number;
  connections: number;
  bytes: number;
  chunk: number;
  interval: number;
  deadlineMs: number;
}

class Stream {
  readonly sock: Socket;
  private header = Buffer.alloc(0);
  private inBody = false;
  private readonly hash = createHash('sha256');
  private lastChunkAt = 0;
  private readonly arrivals: number[] = [];
  bytes = 0;
  realServer: string | null = null;
  outcome: StreamOutcome | null = null;
  error: string | null = null;
  longestGapMs = 0;
  longestGapEndedAt = 0;
  localPort = 0;

  constructor(readonly index: number, private readonly o: Options, private readonly onFirstByte: () => void, private readonly onDone: () => void) {
    this.sock = connect({ host: o.host, port: o.port });
    this.sock.setNoDelay(true);
    this.sock.on('connect', () => {
      this.localPort = this.sock.localPort ?? 0;
      this.sock.write(`GET /stream?bytes=${o.bytes}&chunk=${o.chunk}&interval=${o.interval} HTTP/1.1\r\n`
        + `Host: ${o.host}\r\nConnection: close\r\n\r\n`);
    });
    this.sock.on('data', (d: Buffer) => this.data(d));
    this.sock.on('end', () => this.finish(this.bytes === o.bytes ? 'complete' : 'closed', null));
    this.sock.on('error', (e: NodeJS.ErrnoException) => this.finish(e.code === 'ECONNRESET' ? 'reset' : 'error', e.message));
    this.sock.on('close', () => this.finish(this.bytes === o.bytes ? 'complete' : 'closed', null));
  }

  private data(d: Buffer): void {
    const now = performance.timeOrigin + performance.now();
    let body = d;
    if (!this.inBody) {
      this.header = Buffer.concat([this.header, d]);
      const end = this.header.indexOf('\r\n\r\n');
      if (end < 0) return;
      const text = this.header.subarray(0, end).toString('latin1');
      this.realServer = /^x-real-server: *(\S+)/im.exec(text)?.[1] ?? null;
      body = this.header.subarray(end + 4);
      this.inBody = true;
      if (!/^HTTP\/1\.1 200/.test(text)) {
        this.finish('error', `server answered: ${text.split('\r\n')[0]}`);
        return;
      }
    }
    if (body.length === 0) return;
    if (this.bytes === 0) this.onFirstByte();
    else if (now - this.lastChunkAt > this.longestGapMs) {
      this.longestGapMs = now - this.lastChunkAt;
      this.longestGapEndedAt = now;
    }
    this.lastChunkAt = now;
    this.arrivals.push(now);
    this.bytes += body.length;
    this.hash.update(body);
  }

  finish(outcome: StreamOutcome, error: string | null): void {
    if (this.outcome !== null) return;
    this.outcome = outcome;
    this.error = error;
    this.sock.destroy();
    this.onDone();
  }

  report(marks: readonly number[], expectedSha: string): ConnectionReport {
    const sha = this.hash.copy().digest('hex');
    return {
      index: this.index,
      localPort: this.localPort,
      realServer: this.realServer,
      bytes: this.bytes,
      outcome: this.outcome ?? 'timeout',
      error: this.error,
      sha256Match: this.bytes === this.o.bytes && sha === expectedSha,
      longestGapMs: Math.round(this.longestGapMs * 10) / 10,
      longestGapEndedAt: Math.round(this.longestGapEndedAt),
      firstByteAfterMarkMs: marks.map((m) => {
        const t = this.arrivals.find((a) => a > m);
        return t === undefined ? null : Math.round((t - m) * 10) / 10;
      }),
    };
  }
}

function fail(message: string): never {
  process.stderr.write(`stream_client: ${message}\n`);
  process.exit(2);
}

function intArg(v: string | undefined, name: string, min: number, max: number): number {
  const n = Number(v);
  if (v === undefined || !Number.isInteger(n) || n < min || n > max) fail(`--${name} must be an integer from ${min} to ${max}.`);
  return n;
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      to: { type: 'string' },
      connections: { type: 'string', default: '10' },
      bytes: { type: 'string', default: '1000000' },
      chunk: { type: 'string', default: '1000' },
      interval: { type: 'string', default: '10' },
      deadline: { type: 'string', default: '60000' },
    },
  });
  const m = /^(\d+\.\d+\.\d+\.\d+):(\d+)$/.exec(values.to ?? '') ?? fail('--to ADDRESS:PORT (IPv4) is required.');
  const chunk = intArg(values.chunk, 'chunk', 4, 1024 * 1024);
  if (chunk % 4 !== 0) fail('--chunk must be a multiple of 4.');
  return {
    host: m[1],
    port: intArg(m[2], 'to port', 1, 65535),
    connections: intArg(values.connections, 'connections', 1, 1000),
    bytes: intArg(values.bytes, 'bytes', 1, 1024 * 1024 * 1024),
    chunk,
    interval: intArg(values.interval, 'interval', 0, 10_000),
    deadlineMs: intArg(values.deadline, 'deadline', 100, 600_000),
  };
}

function main(): void {
  const o = parseOptions();
  const expectedSha = streamSha256(o.bytes);
  const marks: number[] = [];
  let started = 0;
  let done = 0;
  let reported = false;
  const streams: Stream[] = [];

  const report = (): void => {
    if (reported) return;
    reported = true;
    clearTimeout(deadline);
    for (const s of streams) s.finish(s.outcome ?? 'timeout', null);
    const r: StreamReport = { event: 'report', expectedBytes: o.bytes, marks, connections: streams.map((s) => s.report(marks, expectedSha)) };
    const intact = r.connections.every((c) => c.outcome === 'complete' && c.sha256Match);
    process.stdout.write(`${JSON.stringify(r)}\n`, () => process.exit(intact ? 0 : 1));
  };
  // Bounded: whatever the network does, the report comes out by the deadline.
  const deadline = setTimeout(report, o.deadlineMs);

  createInterface({ input: process.stdin }).on('line', (line) => {
    const m = /^mark (\d+(?:\.\d+)?)$/.exec(line.trim());
    if (m !== null) marks.push(Number(m[1]));
  });

  for (let i = 0; i < o.connections; i++) {
    streams.push(new Stream(i, o,
      () => { if (++started === o.connections) process.stdout.write('{"event":"established"}\n'); },
      () => { if (++done === o.connections) report(); }));
  }
}

if (require.main === module) main();
