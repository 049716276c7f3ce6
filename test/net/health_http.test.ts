// Health checks with real servers: a failed check quiesces a real server (open connections finish),
// a restored one takes traffic again, a fallback answers when every real server is down, and a
// script check's exit code sets the weight pivsadm -L shows.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { waitFor } from '../../src/lab/exec';
import { HTTP_SERVER_JS } from '../../src/lab/pivsd';
import { streamSha256 } from '../../src/lab/stream';
import { countsText, exitOf, fetchNames, useLab } from '../support/testing';
import type { Host, Topology } from '../../src/lab/topology';

const BYTES = 1024 * 1024;
// 64 chunks of 16 KiB, one every 100 ms: about 6 s, long enough for the check to fail meanwhile.
const SLOW = `/stream?bytes=${BYTES}&chunk=16384&interval=100`;
const HEALTH_PORT = 8080;
const APP_PORT = 8081;

function startServer(t: Topology, host: Host, name: string, port: number): ChildProcess {
  return t.spawnIn(host, process.execPath, [HTTP_SERVER_JS, '--name', name, '--port', String(port)],
    { logFile: join(t.runDir, `${host.role}-${port}.log`) });
}

async function waitServing(t: Topology, host: Host, name: string, port: number): Promise<void> {
  await waitFor(`${name} on ${host.role}:${port}`, async () => {
    const out = await t.exec(host, 'curl', ['-sS', '--max-time', '2', `http://${host.address}:${port}/`], 5000);
    return out.trim() === name ? true : undefined;
  }, 100, 100);
}

describe('real-server health checks', { timeout: 240_000 }, () => {
  const health = new Map<string, ChildProcess>();
  const apps = new Map<string, ChildProcess>();
  let weightFile = '';

  const lab = useLab({
    realServers: 4,
    beforePivsd: (t) => {
      const [rs1, rs2, rs3, rs4] = t.reals;
      weightFile = join(t.runDir, 'weight');
      writeFileSync(weightFile, '0\n');
      const script = join(t.runDir, 'weight.sh');
      writeFileSync(script, '#!/bin/sh\nexit "$(cat "$1")"\n');
      chmodSync(script, 0o755);
      const three = [rs1, rs2, rs3].map((r) => `{ address: ${r.address} }`).join(', ');
      const file = join(t.runDir, 'pivsd.yaml');
      writeFileSync(file, `director: { interface: eth0 }
virtualServices:
  - protocol: tcp
    address: ${t.vip}
    port: 80
    scheduler: rr
    healthCheck:
      checks: [{ type: http, connectPort: ${HEALTH_PORT}, path: /, status: 200 }]
      interval: 0.5
      timeout: 1
      rise: 2
      fall: 2
    realServers: [${three}]
  - protocol: tcp
    address: ${t.vip}
    port: ${APP_PORT}
    scheduler: rr
    healthCheck: { checks: [{ type: tcp }], interval: 0.5, timeout: 1 }
    fallback: { address: ${rs4.address} }
    realServers: [${three}]
  - protocol: udp
    address: ${t.vip}
    port: 53
    scheduler: wrr
    realServers:
      - address: ${rs1.address}
        weight: 1
        healthCheck: { checks: [{ type: script, command: [${script}, ${weightFile}], dynamic: true }], interval: 0.5 }
      - address: ${rs2.address}
`);
      // The health endpoints (8080) and a second application (8081) on every real server; the
      // fallback ("sorry") server on rs4, which holds the VIP on lo like the others.
      for (const r of [rs1, rs2, rs3]) {
        health.set(r.role, startServer(t, r, r.role, HEALTH_PORT));
        apps.set(r.role, startServer(t, r, r.role, APP_PORT));
      }
      startServer(t, rs4, 'sorry', APP_PORT);
      return { configFile: file };
    },
  });

  async function healthState(address: string, port: number): Promise<string | undefined> {
    const list = await lab().pivsd.list();
    const vs = list.virtualServices.find((s) => s.port === port);
    return vs?.realServers.find((r) => r.address === address)?.health?.state;
  }

  it('quiesces a real server whose check fails while its open connection completes, and takes it back after rise', async () => {
    const { t, pivsd } = lab();
    for (const r of t.reals.slice(0, 3)) {
      await waitServing(t, r, r.role, HEALTH_PORT);
      await waitServing(t, r, r.role, APP_PORT);
    }
    await pivsd.waitReady();
    await waitFor('every check up', async () => {
      const states = await Promise.all(t.reals.slice(0, 3).map((r) => healthState(r.address, 80)));
      return states.every((s) => s === 'up') ? true : undefined;
    }, 100, 100);

    const headers = join(t.runDir, 'slow.headers');
    const body = join(t.runDir, 'slow.body');
    const slow = t.spawnIn(t.client, 'curl', ['-sS', '--max-time', '60', '-D', headers, '-o', body, `http://${t.vip}${SLOW}`],
      { logFile: join(t.runDir, 'slow.log') });
    const held = t.host(await waitFor('the slow transfer to start', async () => {
      if (!existsSync(body) || statSync(body).size === 0) return undefined;
      return /^x-real-server: (\S+)/im.exec(readFileSync(headers, 'utf8'))?.[1];
    }, 100, 100));

    await t.stop(health.get(held.role) as ChildProcess);
    await waitFor(`${held.role} down`, async () => ((await healthState(held.address, 80)) === 'down' ? true : undefined), 100, 100);
    const line = new RegExp(`-> ${held.address.replace(/\./g, '\\.')}:80\\s+Route\\s+0\\s`);
    assert.match(await pivsd.admOk(['-L', '-n']), line);
    const json = JSON.parse(await pivsd.admOk(['-L', '-n', '--json'])) as { virtualServices: { port: number; realServers: Record<string, unknown>[] }[] };
    const real = json.virtualServices.find((s) => s.port === 80)?.realServers.find((r) => r.address === held.address);
    assert.equal(real?.weight, 0);
    assert.equal(real?.configuredWeight, 1);
    const h = real?.health as { state: string; lastResult: { ok: boolean; message: string }; checks: string[] };
    assert.equal(h.state, 'down');
    assert.equal(h.lastResult.ok, false);
    assert.match(h.lastResult.message, /ECONNREFUSED/);
    assert.deepEqual(h.checks, [`http GET / on ${held.address}:${HEALTH_PORT}`]);

    const during = await fetchNames(t, `http://${t.vip}/`, 30);
    const others = t.reals.slice(0, 3).filter((r) => r !== held).map((r) => `${r.role}=15`).join(' ');
    assert.equal(countsText(during), others);
    assert.equal(statSync(body).size < BYTES, true, 'the slow transfer ended before the check failed');
    assert.equal(await exitOf(slow, 30_000), 0, readFileSync(join(t.runDir, 'slow.log'), 'utf8'));
    const got = readFileSync(body);
    assert.equal(got.length, BYTES);
    assert.equal(createHash('sha256').update(got).digest('hex'), streamSha256(BYTES));

    health.set(held.role, startServer(t, held, held.role, HEALTH_PORT));
    await waitFor(`${held.role} up`, async () => ((await healthState(held.address, 80)) === 'up' ? true : undefined), 100, 100);
    const after = await fetchNames(t, `http://${t.vip}/`, 30);
    assert.equal(countsText(after), t.reals.slice(0, 3).map((r) => `${r.role}=10`).join(' '));
  });

  it('sends new connections to the fallback server while every real server is down', async () => {
    const { t } = lab();
    await waitServing(t, t.reals[3], 'sorry', APP_PORT);
    assert.equal(countsText(await fetchNames(t, `http://${t.vip}:${APP_PORT}/`, 6)), 'rs1=2 rs2=2 rs3=2');
    for (const r of t.reals.slice(0, 3)) await t.stop(apps.get(r.role) as ChildProcess);
    await waitFor('every real server down', async () => {
      const states = await Promise.all(t.reals.slice(0, 3).map((r) => healthState(r.address, APP_PORT)));
      return states.every((s) => s === 'down') ? true : undefined;
    }, 100, 100);
    assert.equal(countsText(await fetchNames(t, `http://${t.vip}:${APP_PORT}/`, 5)), 'sorry=5');
    const listed = await lab().pivsd.admOk(['-L', '-n', '-t', `${t.vip}:${APP_PORT}`]);
    assert.match(listed, new RegExp(`-> ${t.reals[3].address.replace(/\./g, '\\.')}:${APP_PORT}\\s+Route\\s+1\\s`));

    apps.set('rs1', startServer(t, t.reals[0], 'rs1', APP_PORT));
    await waitFor('rs1 up', async () => ((await healthState(t.reals[0].address, APP_PORT)) === 'up' ? true : undefined), 100, 100);
    assert.equal(countsText(await fetchNames(t, `http://${t.vip}:${APP_PORT}/`, 4)), 'rs1=4');
  });

  it('sets the weight a dynamic script check exits with (code - 2), shown by pivsadm -L -n', async () => {
    const { t, pivsd } = lab();
    const rs1 = t.reals[0].address.replace(/\./g, '\\.');
    writeFileSync(weightFile, '7\n');
    const listed = await waitFor('weight 5', async () => {
      const out = await pivsd.admOk(['-L', '-n', '-u', `${t.vip}:53`]);
      return new RegExp(`-> ${rs1}:53\\s+Route\\s+5\\s`).test(out) ? out : undefined;
    }, 100, 100);
    assert.match(listed, /Route\s+1\s/, 'the other real server keeps its weight');
    // The saved table is the configured one.
    assert.match(await pivsd.admOk(['-S', '-n']), new RegExp(`-a -u ${t.vip.replace(/\./g, '\\.')}:53 -r ${rs1}:53 -g -w 1`));
    writeFileSync(weightFile, '1\n');
    await waitFor('down: weight 0', async () => {
      const out = await pivsd.admOk(['-L', '-n', '-u', `${t.vip}:53`]);
      return new RegExp(`-> ${rs1}:53\\s+Route\\s+0\\s`).test(out) ? true : undefined;
    }, 100, 100);
  });
});
