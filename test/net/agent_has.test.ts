// pivs-agent on every real server reporting to pivsd; scheduler has sends new connections to the
// best reported load index. Each agent reads a fixture /proc (--proc-root), so the test sets
// MemFree and with it the load index; killing an agent makes its real server quiescent.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { StopWaiting, waitFor } from '../../src/lab/exec';
import { ROOT } from '../../src/lab/pivsd';
import { countsText, fetchNames, useLab } from '../support/testing';
import { DIRECTOR_ADDRESS, type Host, type Topology } from '../../src/lab/topology';

const AGENT_JS = join(ROOT, 'dist', 'src', 'agent', 'main.js');
const KEY = 'net-test-agent-key-0123';
const TIMEOUT_MS = 1500;
// Two CPUs of 500 BogoMIPS: load index = 1000 x MemFree_MB / 1000 (ramMb) = MemFree_MB.
const CPUINFO = 'processor\t: 0\nbogomips\t: 500.00\n\nprocessor\t: 1\nbogomips\t: 500.00\n\n';

function writeMemFree(t: Topology, r: Host, mb: number): void {
  const dir = join(t.runDir, `proc-${r.role}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'cpuinfo'), CPUINFO);
  // Written whole and renamed would be nicer; the agent re-reads each period, so one torn read
  // at worst costs one report, which the test waits past anyway.
  writeFileSync(join(dir, 'meminfo'), `MemTotal:        2048000 kB\nMemFree:         ${mb * 1024} kB\n`);
}

function startAgent(t: Topology, r: Host): ChildProcess {
  const file = join(t.runDir, `agent-${r.role}.yaml`);
  writeFileSync(file, [
    `address: ${r.address}`, `directors: [${DIRECTOR_ADDRESS}]`, `key: ${KEY}`, 'periodMs: 200', 'ramMb: 1000',
  ].join('\n'));
  return t.spawnIn(r, process.execPath, [AGENT_JS, '-c', file, '--proc-root', join(t.runDir, `proc-${r.role}`)],
    { logFile: join(t.runDir, `agent-${r.role}.log`) });
}

describe('pivs-agent and the has scheduler', { timeout: 240_000 }, () => {
  const lab = useLab({
    beforePivsd: (t) => {
      const configFile = join(t.runDir, 'pivsd-agent.yaml');
      const reals = t.reals.map((r) => `      - { address: ${r.address} }`).join('\n');
      writeFileSync(configFile, [
        'agent:', `  key: ${KEY}`, `  timeoutMs: ${TIMEOUT_MS}`,
        'virtualServices:', '  - protocol: tcp', `    address: ${t.vip}`, '    port: 80', '    scheduler: has',
        '    realServers:', reals,
      ].join('\n'));
      return { configFile };
    },
  });

  it('sends new connections to the best load, follows it, drops a silent agent and takes it back', async () => {
    const { t, pivsd } = lab();
    const [rs1, rs2, rs3] = t.reals;
    writeMemFree(t, rs1, 100);
    writeMemFree(t, rs2, 800);
    writeMemFree(t, rs3, 400);
    const agents = new Map<Host, ChildProcess>(t.reals.map((r) => [r, startAgent(t, r)]));
    await pivsd.waitReady();
    // Waits until pivsd's list shows these load indexes (the agents' reports have arrived).
    const loadsAre = (want: Record<string, number | null>) => waitFor(`load indexes ${JSON.stringify(want)}`, async () => {
      for (const [r, child] of agents) {
        if (child.exitCode !== null) throw new StopWaiting(`pivs-agent on ${r.role} exited ${child.exitCode}`);
      }
      const reals = (await pivsd.list()).virtualServices[0].realServers;
      const got = Object.fromEntries(reals.map((r) => [t.reals.find((h) => h.address === r.address)?.role, r.agent?.alive ? r.agent.loadIndex : null]));
      return Object.entries(want).every(([role, v]) => got[role] === v) ? true : undefined;
    }, 100, 100);

    await loadsAre({ rs1: 100, rs2: 800, rs3: 400 });
    assert.equal(countsText(await fetchNames(t, `http://${t.vip}/`, 100)), 'rs2=100');

    writeMemFree(t, rs1, 2000);
    await loadsAre({ rs1: 2000, rs2: 800, rs3: 400 });
    assert.equal(countsText(await fetchNames(t, `http://${t.vip}/`, 30)), 'rs1=30');

    agents.get(rs1)!.kill('SIGKILL');
    await loadsAre({ rs1: null, rs2: 800, rs3: 400 });
    // The receiver acts on silence at its next tick (a quarter of the timeout), so the listing may
    // lag the agent's "alive: false" by that much.
    let listing = '';
    const rs1Line = () => listing.split('\n').find((l) => l.includes(`${rs1.address}:80`)) ?? '';
    await waitFor('rs1 quiescent in pivsadm -L -n', async () => {
      listing = await pivsd.admOk(['-L', '-n']);
      return /Route\s+0\s/.test(rs1Line()) ? true : undefined;
    }, 50, 100).catch(() => undefined);
    assert.match(rs1Line(), /Route\s+0\s/, listing);
    assert.equal(countsText(await fetchNames(t, `http://${t.vip}/`, 30)), 'rs2=30');

    agents.set(rs1, startAgent(t, rs1));
    await loadsAre({ rs1: 2000, rs2: 800, rs3: 400 });
    assert.equal(countsText(await fetchNames(t, `http://${t.vip}/`, 30)), 'rs1=30');

    const json = JSON.parse(await pivsd.admOk(['-L', '-n', '--json'])) as {
      virtualServices: { realServers: { address: string; agent?: { loadIndex: number; lastReport: string; alive: boolean } }[] }[];
    };
    const shown = json.virtualServices[0].realServers.find((r) => r.address === rs1.address)?.agent;
    assert.equal(shown?.alive, true);
    assert.equal(shown?.loadIndex, 2000);
    assert.match(shown?.lastReport ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });
});
