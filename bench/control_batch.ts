// How long an ipvsadm -R batch holds pivsd's event loop (issue 12 point 9): batches of 5000 to
// 20000 commands sent over the control socket, with the loop's longest delay measured meanwhile.
// No root needed: a fake dataplane stands in, so this is the control plane's share alone.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import pino from 'pino';
import { parseConfig } from '../src/config';
import { Director } from '../src/control/director';
import { handleRequest } from '../src/control/dispatch';
import type { Command } from '../src/control/protocol';
import { startControlServer } from '../src/control/server';
import { request } from '../test/control/helpers';
import { FakeDataplane } from '../test/fakes/dataplane';

function restore(services: number): Command[] {
  const commands: Command[] = [];
  for (let s = 0; s < services; s++) {
    const key = { protocol: 'tcp', address: `10.${(s >> 8) & 255}.${s & 255}.1`, port: 80 };
    commands.push({ method: 'addService', params: { service: { ...key, scheduler: 'wlc' } } } as Command);
    commands.push({ method: 'addReal', params: { key, real: { address: `172.16.${(s >> 4) & 255}.${(s % 16) + 1}` } } } as Command);
  }
  return commands;
}

export async function runControlBatchBench(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'pivs-bench-'));
  const rows = ['commands  applied  wall ms  longest loop delay ms'];
  try {
    for (const services of [2500, 5000, 10_000]) {
      const logger = pino({ level: 'silent' });
      const director = new Director({ config: parseConfig('director: {interface: eth0}\n'), dataplane: new FakeDataplane(), arp: { setAddresses: () => undefined }, logger });
      const server = await startControlServer({ path: join(dir, 'run', 'pivsd.sock'), logger, handle: (r) => handleRequest(director, r) });
      const commands = restore(services);
      const delay = monitorEventLoopDelay({ resolution: 10 });
      delay.enable();
      const started = performance.now();
      const r = await request(server.path, { id: 1, method: 'batch', params: { commands } });
      const wall = performance.now() - started;
      delay.disable();
      rows.push(`${String(commands.length).padStart(8)}  ${('error' in r ? 'no' : 'yes').padStart(7)}  ${wall.toFixed(0).padStart(7)}  ${(delay.max / 1e6).toFixed(0).padStart(22)}`);
      director.close();
      await server.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows.join('\n');
}

if (require.main === module) {
  void runControlBatchBench().then((t) => process.stdout.write(`${t}\n`));
}
