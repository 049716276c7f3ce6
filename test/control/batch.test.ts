// A big ipvsadm -R batch (issue 12 point 9): 20000 commands apply all or nothing with one
// dataplane apply, and the work is linear in the batch (it was quadratic: 45 s of a stalled loop).
// No timing here (bench/ has none yet): the work is counted as elements the lookups visit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../src/config';
import { Director } from '../../src/control/director';
import { handleRequest } from '../../src/control/dispatch';
import type { Command } from '../../src/control/protocol';
import { FakeDataplane } from '../fakes/dataplane';
import { FakeArp, quietLogger } from './helpers';

const SERVICES = 10_000;

function restore(): Command[] {
  const commands: Command[] = [];
  for (let s = 0; s < SERVICES; s++) {
    const address = `10.${(s >> 8) & 255}.${s & 255}.1`;
    const key = { protocol: 'tcp', address, port: 80 };
    commands.push({ method: 'addService', params: { service: { ...key, scheduler: 'wlc' } } } as Command);
    commands.push({ method: 'addReal', params: { key, real: { address: `172.16.${(s >> 4) & 255}.${(s % 16) + 1}`, weight: 1 } } } as Command);
  }
  return commands;
}

/** Counts the elements every Array search visits while `run` runs (the scans the old code did). */
function countScans<T>(run: () => T): { result: T; visited: number } {
  const methods = ['some', 'find', 'findIndex', 'every', 'filter'] as const;
  const originals = methods.map((m) => Array.prototype[m]);
  let visited = 0;
  methods.forEach((m, i) => {
    const original = originals[i] as (this: unknown[], f: (...a: unknown[]) => unknown) => unknown;
    (Array.prototype as unknown as Record<string, unknown>)[m] = function (this: unknown[], f: (...a: unknown[]) => unknown, ...rest: unknown[]) {
      return original.call(this, (...a: unknown[]) => { visited++; return f(...a); }, ...(rest as []));
    };
  });
  try {
    return { result: run(), visited };
  } finally {
    methods.forEach((m, i) => { (Array.prototype as unknown as Record<string, unknown>)[m] = originals[i]; });
  }
}

test('a 20000-command batch applies whole, in one dataplane apply, with work linear in its size', () => {
  const dataplane = new FakeDataplane();
  const director = new Director({ config: parseConfig('director: {interface: eth0}\n'), dataplane, arp: new FakeArp(), logger: quietLogger() });
  const commands = restore();
  const applies = dataplane.applied.length;
  const { result, visited } = countScans(() => handleRequest(director, { id: 3, method: 'batch', params: { commands } }));
  assert.deepEqual(result, { id: 3, result: null });
  assert.equal(dataplane.applied.length, applies + 1);
  const table = dataplane.applied[dataplane.applied.length - 1];
  assert.equal(table.length, SERVICES);
  assert.deepEqual(table[SERVICES - 1].realServers.map((r) => r.address), [`172.16.${((SERVICES - 1) >> 4) & 255}.${((SERVICES - 1) % 16) + 1}`]);
  // Each command may look at a few small arrays of its own; a scan of the table per command is
  // SERVICES² / 2 = 5e7 visits.
  assert.ok(visited < 50 * commands.length, `the batch visited ${visited} array elements for ${commands.length} commands`);
  director.close();
});

test('a big batch with one bad command at the end changes nothing', () => {
  const dataplane = new FakeDataplane();
  const director = new Director({ config: parseConfig('director: {interface: eth0}\n'), dataplane, arp: new FakeArp(), logger: quietLogger() });
  const commands = restore();
  commands.push(commands[0]);
  const applies = dataplane.applied.length;
  const r = handleRequest(director, { id: 4, method: 'batch', params: { commands } });
  assert.ok('error' in r);
  assert.equal(r.error.code, 'ServiceExists');
  assert.match(r.error.message, new RegExp(`^commands\\[${commands.length - 1}\\]: `));
  assert.equal(dataplane.applied.length, applies);
  assert.equal(director.config.virtualServices.length, 0);
  director.close();
});
