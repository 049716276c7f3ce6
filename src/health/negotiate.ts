// ldirectord "negotiate": send a request, expect a string in the answer, over TCP or UDP.
// The `udp` check is the same over UDP with the string optional: any answer will do.
import { createSocket } from 'node:dgram';
import { connect, isIPv6 } from 'node:net';
import { endpoint, errorText, oneShot, type CheckResult, type Checker, type CheckTarget } from './checker';

/** Enough for any banner or status line; more is not looked at. */
const MAX_ANSWER = 64 * 1024;

export interface NegotiateOptions {
  transport: 'tcp' | 'udp';
  send?: string;
  expect?: string;
}

export class NegotiateChecker implements Checker {
  readonly type: 'negotiate' | 'udp';
  readonly description: string;

  constructor(private readonly target: CheckTarget, private readonly options: NegotiateOptions, type: 'negotiate' | 'udp') {
    this.type = type;
    const expect = options.expect === undefined ? 'any answer' : `expect ${JSON.stringify(options.expect)}`;
    this.description = `${type} ${options.transport} ${endpoint(target)}, ${expect}`;
  }

  check(signal: AbortSignal): Promise<CheckResult> {
    return this.options.transport === 'tcp' ? this.overTcp(signal) : this.overUdp(signal);
  }

  private judge(answer: Buffer): CheckResult | null {
    const expect = this.options.expect;
    if (expect === undefined) return { ok: true, message: `answered ${answer.length} bytes` };
    return answer.toString('utf8').includes(expect) ? { ok: true, message: `answered with ${JSON.stringify(expect)}` } : null;
  }

  private overTcp(signal: AbortSignal): Promise<CheckResult> {
    const where = endpoint(this.target);
    return oneShot(signal, (done) => {
      let answer = Buffer.alloc(0);
      const socket = connect({ host: this.target.address, port: this.target.port });
      socket.once('connect', () => {
        if (this.options.send !== undefined && this.options.send !== '') socket.write(this.options.send);
      });
      socket.on('data', (d: Buffer) => {
        answer = Buffer.concat([answer, d]).subarray(0, MAX_ANSWER);
        const verdict = this.judge(answer);
        if (verdict !== null) done(verdict);
      });
      socket.once('end', () => done({ ok: false, message: this.missing(where, answer) }));
      socket.once('error', (e) => done({ ok: false, message: `${where} failed: ${errorText(e)}` }));
      return () => socket.destroy();
    });
  }

  private overUdp(signal: AbortSignal): Promise<CheckResult> {
    const where = endpoint(this.target);
    return oneShot(signal, (done) => {
      const socket = createSocket(isIPv6(this.target.address) ? 'udp6' : 'udp4');
      // A connected socket is told of ICMP port unreachable (ECONNREFUSED): a fast, clear failure.
      socket.connect(this.target.port, this.target.address, () => socket.send(Buffer.from(this.options.send ?? '')));
      socket.on('message', (msg) => {
        const verdict = this.judge(msg);
        done(verdict ?? { ok: false, message: this.missing(where, msg) });
      });
      socket.once('error', (e) => done({ ok: false, message: `${where} failed: ${errorText(e)}` }));
      return () => { try { socket.close(); } catch { /* already closed */ } };
    });
  }

  private missing(where: string, answer: Buffer): string {
    return `${where} answered ${answer.length} bytes without ${JSON.stringify(this.options.expect)}`;
  }
}
