// Health settings in the config file: defaults, per-real overrides and one-sentence refusals.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfig } from '../../src/config';

function config(service: string): string {
  return `director: { interface: eth0 }\nvirtualServices:\n  - protocol: tcp\n    address: 198.18.0.100\n    port: 80\n${service}`;
}

function refusal(service: string): string {
  try {
    parseConfig(config(service));
  } catch (e) {
    return (e as Error).message;
  }
  return '(accepted)';
}

describe('health config', () => {
  it('fills defaults and lays a real server\'s healthCheck over the service\'s', () => {
    const c = parseConfig(config(`    healthCheck:
      checks: [{ type: http, path: /health, status: 200-399, expect: OK }]
      interval: 0.5
      rise: 2
    realServers:
      - address: 198.18.0.11
      - address: 198.18.0.12
        healthCheck: { fall: 3, quiescent: false }
`));
    const vs = c.virtualServices[0];
    assert.deepEqual(vs.healthCheck, {
      checks: [{ type: 'http', path: '/health', status: { min: 200, max: 399 }, expect: 'OK' }],
      interval: 0.5, timeout: 5, rise: 2, fall: 1, warmup: 0, quiescent: true, alpha: false,
    });
    assert.equal(vs.realServers[0].healthCheck, undefined);
    assert.deepEqual(vs.realServers[1].healthCheck, { ...vs.healthCheck, fall: 3, quiescent: false });
  });

  it('takes retries as fall, the fallback with the service port, and quorum fields', () => {
    const c = parseConfig(config(`    healthCheck: { checks: [{ type: tcp }], retries: 3 }
    fallback: { address: 198.18.0.20 }
    quorum: 2
    hysteresis: 1
    quorumDown: [/usr/local/bin/page, lost]
    realServers: [{ address: 198.18.0.11 }]
`));
    const vs = c.virtualServices[0];
    assert.equal(vs.healthCheck?.fall, 3);
    assert.deepEqual(vs.fallback, { address: '198.18.0.20', port: 80 });
    assert.deepEqual(vs.quorum, { weight: 2, hysteresis: 1, down: ['/usr/local/bin/page', 'lost'] });
  });

  it('refuses bad settings with one sentence naming the field', () => {
    assert.equal(refusal('    healthCheck: { checks: [{ type: tcp, path: /x }] }\n'),
      'config: virtualServices[0].healthCheck.checks[0].path: does not apply to a tcp check (it takes connectPort)');
    assert.equal(refusal('    healthCheck: { checks: [{ type: script }] }\n'),
      'config: virtualServices[0].healthCheck.checks[0].command: is required for a script check but missing');
    assert.equal(refusal('    healthCheck: { checks: [{ type: http, status: 700 }] }\n'),
      'config: virtualServices[0].healthCheck.checks[0].status: 700 is not an HTTP status code or range (e.g. 200 or 200-399)');
    assert.equal(refusal('    healthCheck: { checks: [{ type: http, digest: abc }] }\n'),
      'config: virtualServices[0].healthCheck.checks[0].digest: "abc" is neither an MD5 (32 hex digits) nor a SHA-256 (64 hex digits) digest');
    assert.equal(refusal('    healthCheck: { checks: [{ type: ping }] }\n'),
      'config: virtualServices[0].healthCheck.checks[0].type: "ping" is not one of tcp, http, https, negotiate, udp, dns, script');
    assert.equal(refusal('    healthCheck: { interval: 0 }\n'),
      'config: virtualServices[0].healthCheck.interval: 0 is below the minimum 0.05');
    assert.equal(refusal('    healthCheck: { fall: 2, retries: 3 }\n'),
      'config: virtualServices[0].healthCheck.retries: 3 contradicts fall 2; they are the same setting, give one');
    assert.equal(refusal('    hysteresis: 1\n'),
      'config: virtualServices[0].hysteresis: only applies with quorum; set quorum too');
    assert.equal(refusal('    quorum: 2\n    hysteresis: 2\n'),
      'config: virtualServices[0].hysteresis: 2 must be below quorum 2, or the quorum could never be lost');
    assert.equal(refusal('    fallback: { address: 198.18.0.11 }\n    realServers: [{ address: 198.18.0.11 }]\n'),
      'config: virtualServices[0].fallback.address: "198.18.0.11" is also a real server of this virtual service; a fallback must be another host');
    assert.equal(refusal('    fallback: { address: 198.18.0.20, port: 8080 }\n'),
      'config: virtualServices[0].fallback.port: 8080 differs from the virtual service port 80; direct routing keeps the destination port, so leave it out');
    assert.equal(refusal('    realServers: [{ address: 198.18.0.11, healthCheck: { checks: [{ type: dns }] } }]\n'),
      'config: virtualServices[0].realServers[0].healthCheck.checks[0].name: is required for a dns check but missing');
  });
});
