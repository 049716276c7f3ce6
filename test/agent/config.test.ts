import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { validateAgentConfig } from '../../src/agent/config';
import { parseConfig } from '../../src/config';

const KEY = 'agent-key-0123456789';

describe('pivs-agent settings', () => {
  it('fills defaults and lets the command line override the file', () => {
    const c = validateAgentConfig({ address: '198.18.0.11', directors: ['198.18.0.2'], key: KEY }, { periodMs: 200, procRoot: '/tmp/p' });
    assert.deepEqual(c, {
      address: '198.18.0.11', directors: ['198.18.0.2'], port: 8850, key: KEY, periodMs: 200, ramMb: null,
      bogoMips: null, weight: null, healthCheck: null, procRoot: '/tmp/p',
    });
  });

  it('refuses bad settings with one sentence naming the field', () => {
    const base = { address: '198.18.0.11', directors: ['198.18.0.2'], key: KEY };
    assert.throws(() => validateAgentConfig({ ...base, key: 'short' }),
      { message: 'pivs-agent config: key: must be the directors\' agent.key, at least 16 characters' });
    assert.throws(() => validateAgentConfig({ ...base, directors: [] }),
      { message: 'pivs-agent config: directors: must list at least one director address' });
    assert.throws(() => validateAgentConfig({ ...base, directors: ['director1'] }),
      { message: 'pivs-agent config: directors[0]: "director1" is not an IPv4 or IPv6 address' });
    assert.throws(() => validateAgentConfig({ ...base, periodMs: 5 }),
      { message: 'pivs-agent config: periodMs: 5 is not a whole number from 100 to 3600000' });
    assert.throws(() => validateAgentConfig({ ...base, ram: 5 }), { message: 'pivs-agent config: ram: is not a known setting' });
    assert.throws(() => validateAgentConfig({ ...base, healthCheck: { command: 'check.sh' } }),
      { message: 'pivs-agent config: healthCheck.command: must be a non-empty list of strings (program and arguments)' });
  });
});

describe('pivsd agent section', () => {
  const head = 'director: { interface: eth0 }\n';

  it('is absent unless configured, and takes defaults', () => {
    assert.equal(parseConfig(head).agent, undefined);
    assert.deepEqual(parseConfig(`${head}agent: { key: ${KEY} }\n`).agent,
      { listen: '0.0.0.0', port: 8850, key: KEY, timeoutMs: 3000 });
  });

  it('refuses a short key and a bad listen address', () => {
    assert.throws(() => parseConfig(`${head}agent: { key: abc }\n`),
      { message: 'config: agent.key: is 3 characters; use at least 16 (the same key every pivs-agent has)' });
    assert.throws(() => parseConfig(`${head}agent: { key: ${KEY}, listen: any }\n`),
      { message: 'config: agent.listen: "any" is not an IPv4 or IPv6 address' });
  });

  it('accepts scheduler has and dynamicWeights on a virtual service', () => {
    const c = parseConfig(`${head}virtualServices:\n  - { protocol: tcp, address: 198.18.0.100, port: 80, scheduler: has }\n`
      + '  - { protocol: tcp, address: 198.18.0.100, port: 81, scheduler: wlc, dynamicWeights: true }\n');
    assert.equal(c.virtualServices[0].scheduler, 'has');
    assert.equal(c.virtualServices[0].dynamicWeights, undefined);
    assert.equal(c.virtualServices[1].dynamicWeights, true);
  });
});
