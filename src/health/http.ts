// keepalived HTTP_GET / SSL_GET: a GET to the real server's own address must answer a status in
// range and, when asked, a body that holds a string, matches a regex or has a given digest.
import { createHash } from 'node:crypto';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import type { HealthCheckSpec } from '../config/health_model';
import { endpoint, errorText, oneShot, type CheckResult, type Checker, type CheckTarget } from './checker';

/** Bodies are read whole for digests; a health page larger than this is cut, as a failure. */
const MAX_BODY = 4 * 1024 * 1024;

export class HttpChecker implements Checker {
  readonly type: 'http' | 'https';
  readonly description: string;
  private readonly path: string;
  private readonly status: { min: number; max: number };

  constructor(private readonly target: CheckTarget, private readonly spec: HealthCheckSpec) {
    this.type = spec.type === 'https' ? 'https' : 'http';
    this.path = spec.path ?? '/';
    this.status = spec.status ?? { min: 200, max: 299 };
    const host = spec.virtualHost === undefined ? '' : ` (Host ${spec.virtualHost})`;
    this.description = `${this.type} GET ${this.path} on ${endpoint(target)}${host}`;
  }

  check(signal: AbortSignal): Promise<CheckResult> {
    const { spec, target } = this;
    return oneShot(signal, (done) => {
      const headers = {
        Host: spec.virtualHost ?? endpoint(target),
        'User-Agent': 'pivs-health',
        Connection: 'close',
      };
      const options = { host: target.address, port: target.port, path: this.path, method: 'GET', headers, agent: false as const };
      const onResponse = (res: IncomingMessage): void => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_BODY) done({ ok: false, message: `the body is larger than ${MAX_BODY} bytes` });
          else chunks.push(c);
        });
        res.on('end', () => done(this.judge(res.statusCode ?? 0, Buffer.concat(chunks))));
        res.on('error', (e) => done({ ok: false, message: `reading the answer failed: ${errorText(e)}` }));
      };
      const sni = spec.sni ?? (spec.virtualHost !== undefined && isIP(spec.virtualHost) === 0 ? spec.virtualHost : undefined);
      const req = this.type === 'https'
        // keepalived's SSL_GET does not verify certificates unless told to; verifyTls turns it on.
        ? httpsRequest({ ...options, rejectUnauthorized: spec.verifyTls === true, ...(sni === undefined ? {} : { servername: sni }) }, onResponse)
        : httpRequest(options, onResponse);
      req.on('error', (e) => done({ ok: false, message: `GET ${this.path} on ${endpoint(target)} failed: ${errorText(e)}` }));
      req.end();
      return () => req.destroy();
    });
  }

  private judge(status: number, body: Buffer): CheckResult {
    const { spec } = this;
    const what = `GET ${this.path}`;
    if (status < this.status.min || status > this.status.max) {
      const range = this.status.min === this.status.max ? `${this.status.min}` : `${this.status.min}-${this.status.max}`;
      return { ok: false, message: `${what} answered ${status}, expected ${range}` };
    }
    const text = body.toString('utf8');
    if (spec.expect !== undefined && !text.includes(spec.expect)) {
      return { ok: false, message: `${what} answered ${status} without ${JSON.stringify(spec.expect)} in the body` };
    }
    if (spec.expectRegex !== undefined && !new RegExp(spec.expectRegex).test(text)) {
      return { ok: false, message: `${what} answered ${status} with a body not matching /${spec.expectRegex}/` };
    }
    if (spec.digest !== undefined) {
      const algorithm = spec.digest.length === 32 ? 'md5' : 'sha256';
      const got = createHash(algorithm).update(body).digest('hex');
      if (got !== spec.digest) return { ok: false, message: `${what} answered ${status} with body ${algorithm} ${got}, expected ${spec.digest}` };
    }
    return { ok: true, message: `${what} answered ${status}` };
  }
}
