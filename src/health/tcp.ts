// keepalived TCP_CHECK: the real server is up when a TCP connection to it opens.
import { connect } from 'node:net';
import { endpoint, errorText, oneShot, type CheckResult, type Checker, type CheckTarget } from './checker';

export class TcpChecker implements Checker {
  readonly type = 'tcp';
  readonly description: string;

  constructor(private readonly target: CheckTarget) {
    this.description = `tcp connect ${endpoint(target)}`;
  }

  check(signal: AbortSignal): Promise<CheckResult> {
    const where = endpoint(this.target);
    return oneShot(signal, (done) => {
      const socket = connect({ host: this.target.address, port: this.target.port });
      socket.once('connect', () => done({ ok: true, message: `connected to ${where}` }));
      socket.once('error', (e) => done({ ok: false, message: `connect to ${where} failed: ${errorText(e)}` }));
      return () => socket.destroy();
    });
  }
}
