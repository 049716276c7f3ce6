// A DNS query over UDP: the real server is up when it answers NOERROR with at least one record
// (and, if asked, one A/AAAA record holding the expected address).
import { randomInt } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { DnsQueryType, HealthCheckSpec } from '../config/health_model';
import { endpoint, errorText, oneShot, type CheckResult, type Checker, type CheckTarget } from './checker';
import { RCODE_NAMES, decodeAnswer, encodeQuery } from './dns_codec';

export class DnsChecker implements Checker {
  readonly type = 'dns';
  readonly description: string;
  private readonly name: string;
  private readonly queryType: DnsQueryType;

  constructor(private readonly target: CheckTarget, private readonly spec: HealthCheckSpec) {
    this.name = spec.name ?? '.';
    this.queryType = spec.queryType ?? 'A';
    this.description = `dns ${this.queryType} ${this.name} at ${endpoint(target)}`;
  }

  check(signal: AbortSignal): Promise<CheckResult> {
    const id = randomInt(0, 65536);
    const query = encodeQuery(id, this.name, this.queryType);
    const where = endpoint(this.target);
    return oneShot(signal, (done) => {
      const socket = createSocket(isIPv6(this.target.address) ? 'udp6' : 'udp4');
      socket.connect(this.target.port, this.target.address, () => socket.send(query));
      socket.on('message', (msg) => {
        let answer;
        try {
          answer = decodeAnswer(msg);
        } catch (e) {
          done({ ok: false, message: `${where} sent a malformed DNS answer (${(e as Error).message})` });
          return;
        }
        // A stray datagram (an old answer) is not this query's answer: keep waiting.
        if (answer.id !== id || !answer.isResponse) return;
        done(this.judge(answer));
      });
      socket.once('error', (e) => done({ ok: false, message: `${where} failed: ${errorText(e)}` }));
      return () => { try { socket.close(); } catch { /* already closed */ } };
    });
  }

  private judge(a: ReturnType<typeof decodeAnswer>): CheckResult {
    const q = `${this.queryType} ${this.name}`;
    if (a.rcode !== 0) return { ok: false, message: `${q} answered ${RCODE_NAMES[a.rcode] ?? `rcode ${a.rcode}`}` };
    if (a.answerCount === 0) return { ok: false, message: `${q} answered NOERROR with no records` };
    const expected = this.spec.expectAddress;
    if (expected !== undefined && !a.addresses.includes(expected)) {
      return { ok: false, message: `${q} answered ${a.addresses.join(', ') || 'no address'}, not ${expected}` };
    }
    return { ok: true, message: `${q} answered NOERROR with ${a.answerCount} records` };
  }
}
