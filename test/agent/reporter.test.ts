import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeReport } from '../../src/agent/codec';
import { validateAgentConfig } from '../../src/agent/config';
import { runHealthCheck, verdictOfExit, type HealthVerdict } from '../../src/agent/health';
import { Reporter } from '../../src/agent/reporter';

const KEY = 'agent-key-0123456789';
const MEMINFO = (freeMb: number) => `MemTotal:        2097152 kB\nMemFree:         ${freeMb * 1024} kB\n`;

function setUp(over: Record<string, unknown> = {}) {
  const config = validateAgentConfig({
    address: '198.18.0.11', directors: ['198.18.0.2', '198.18.0.3'], key: KEY, ramMb: 1024, ...over,
  });
  const sent: { message: Buffer; director: string; port: number }[] = [];
  const io = {
    freeMb: 512,
    health: { up: true } as HealthVerdict,
    readMeminfo: () => MEMINFO(io.freeMb),
    runHealthCheck: async () => io.health,
    send: (message: Buffer, director: string, port: number) => { sent.push({ message, director, port }); },
    now: () => 1_700_000_000_000,
  };
  return { reporter: new Reporter(config, 432, io), io, sent };
}

describe('pivs-agent reporter', () => {
  it('sends one signed report with the load index to every director, seq rising', async () => {
    const { reporter, sent, io } = setUp();
    await reporter.tick();
    io.freeMb = 256;
    await reporter.tick();
    assert.deepEqual(sent.map((s) => `${s.director}:${s.port}`), ['198.18.0.2:8850', '198.18.0.3:8850', '198.18.0.2:8850', '198.18.0.3:8850']);
    const decoded = sent.map((s) => decodeReport(s.message, KEY));
    assert.ok(decoded[0].ok && decoded[2].ok);
    // 432 x 512 / 1024 and 432 x 256 / 1024
    assert.equal(decoded[0].report.loadIndex, 216);
    assert.equal(decoded[2].report.loadIndex, 108);
    assert.equal(decoded[2].report.seq, decoded[0].report.seq + 1n);
    assert.equal(decoded[0].report.address, '198.18.0.11');
  });

  it('stops reporting while the health script says the application is down', async () => {
    const { reporter, sent, io } = setUp({ healthCheck: { command: ['true'] } });
    io.health = { up: false, reason: 'the health script exited with 1 (application down)' };
    assert.deepEqual(await reporter.tick(), { sent: false, reason: 'the health script exited with 1 (application down)' });
    assert.equal(sent.length, 0);
    io.health = { up: true, weight: 5 };
    const outcome = await reporter.tick();
    assert.equal(outcome.sent, true);
    const d = decodeReport(sent[0].message, KEY);
    assert.ok(d.ok);
    assert.equal(d.report.weight, 5);
  });

  it('reports the configured weight when the script gives none', async () => {
    const { reporter, sent } = setUp({ weight: 3 });
    await reporter.tick();
    const d = decodeReport(sent[0].message, KEY);
    assert.ok(d.ok);
    assert.equal(d.report.weight, 3);
  });
});

describe('health script verdicts (MISC_CHECK semantics)', () => {
  it('maps exit codes', () => {
    assert.deepEqual(verdictOfExit(0, null), { up: true });
    assert.deepEqual(verdictOfExit(1, null), { up: false, reason: 'the health script exited with 1 (application down)' });
    assert.deepEqual(verdictOfExit(12, null), { up: true, weight: 10 });
    assert.deepEqual(verdictOfExit(null, 'SIGSEGV'), { up: false, reason: 'the health script ended by SIGSEGV' });
  });

  it('runs a real script, with a timeout', async () => {
    assert.deepEqual(await runHealthCheck({ command: ['sh', '-c', 'exit 0'], timeoutMs: 5000 }), { up: true });
    assert.deepEqual(await runHealthCheck({ command: ['sh', '-c', 'exit 7'], timeoutMs: 5000 }), { up: true, weight: 5 });
    assert.equal((await runHealthCheck({ command: ['sh', '-c', 'exit 1'], timeoutMs: 5000 })).up, false);
    assert.deepEqual(await runHealthCheck({ command: ['sleep', '5'], timeoutMs: 100 }),
      { up: false, reason: 'the health script took over 100 ms' });
    assert.equal((await runHealthCheck({ command: ['/nonexistent/check'], timeoutMs: 1000 })).up, false);
  });
});
