// One checker per configured check, bound to the real server it watches.
import type { HealthCheckSpec, Protocol } from '../config/model';
import type { Checker, CheckTarget } from './checker';
import { DnsChecker } from './dns';
import { HttpChecker } from './http';
import { ScriptChecker } from './misc';
import { NegotiateChecker } from './negotiate';
import { TcpChecker } from './tcp';

/** `real` is the real server's own address and port; connectPort replaces the port. */
export function createChecker(spec: HealthCheckSpec, real: CheckTarget, serviceProtocol: Protocol): Checker {
  const target: CheckTarget = { address: real.address, port: spec.connectPort ?? real.port };
  switch (spec.type) {
    case 'tcp': return new TcpChecker(target);
    case 'http':
    case 'https': return new HttpChecker(target, spec);
    case 'negotiate':
      return new NegotiateChecker(target, { transport: spec.protocol ?? serviceProtocol, send: spec.send, expect: spec.expect }, 'negotiate');
    case 'udp': return new NegotiateChecker(target, { transport: 'udp', send: spec.send, expect: spec.expect }, 'udp');
    case 'dns': return new DnsChecker(target, spec);
    case 'script': return new ScriptChecker(target, spec);
  }
}
