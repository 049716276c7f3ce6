// The monitor driving a real Director over the fake dataplane: what the dataplane runs, what
// `pivsadm -L` / `-S` / --json would show, and which hooks run, as checks pass and fail.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { formatList } from '../../src/cli/format_list';
import { NUMERIC } from '../../src/cli/names';
import { saveText } from '../../src/cli/save';
import type { ListFormat } from '../../src/cli/action';
import { parseConfig } from '../../src/config';
import type { HealthCheckSpec, VirtualService } from '../../src/config/model';
import { Director } from '../../src/control/director';
import type { RealServerState } from '../../src/control/protocol';
import type { CheckResult, Checker, CheckTarget } from '../../src/health/checker';
import { HealthMonitor } from '../../src/health/monitor';
import { waitFor } from '../../src/lab/exec';
import { FakeArp, quietLogger } from '../control/helpers';
import { FakeDataplane } from '../fakes/dataplane';

const FORMAT: ListFormat = {
  numeric: true, stats: false, rate: false, thresholds: false, persistentConn: false, exact: false, nosort: false, tunInfo: false, json: false,
};
const KEY = { protocol: 'tcp' as const, address: '198.18.0.100', port: 80 };

/** Results by real server address; a check reads the current one every round. */
class Verdicts {
  readonly now = new Map<string, CheckResult>();
  readonly rounds = new Map<string, number>();
  set(address: string, ok: boolean, weight?: number): void {
    this.now.set(address, { ok, message: ok ? 'fine' : 'broken', ...(weight === undefined ? {} : { weight }) });
  }
  checker(spec: HealthCheckSpec, target: CheckTarget): Checker {
    return {
      type: spec.type,
      description: `fake ${spec.type} ${target.address}:${target.port}`,
      check: async () => {
        this.rounds.set(target.address, (this.rounds.get(target.address) ?? 0) + 1);
        return this.now.get(target.address) ?? { ok: true, message: 'fine' };
      },
    };
  }
}

interface Setup {
  director: Director;
  monitor: HealthMonitor;
  verdicts: Verdicts;
  arp: FakeArp;
  commands: { argv: readonly string[]; env: Record<string, string> }[];
}

let live: HealthMonitor | undefined;
afterEach(() => live?.stop());

function setup(service: string): Setup {
  const config = parseConfig(`director: { interface: eth0 }
virtualServices:
  - protocol: tcp
    address: 198.18.0.100
    port: 80
    scheduler: wrr
${service}`);
  const arp = new FakeArp();
  const director = new Director({ config, dataplane: new FakeDataplane(), arp, logger: quietLogger() });
  const verdicts = new Verdicts();
  const commands: Setup['commands'] = [];
  const monitor = new HealthMonitor({
    sink: director, logger: quietLogger(), random: () => 0,
    runCommand: (argv, env) => commands.push({ argv, env }),
    createChecker: (spec, target) => verdicts.checker(spec, target),
  });
  live = monitor;
  director.addListAnnotator((l) => monitor.annotate(l));
  monitor.update(director.config);
  return { director, monitor, verdicts, arp, commands };
}

function reals(d: Director): RealServerState[] {
  return d.list().virtualServices[0].realServers;
}

function running(d: Director): string {
  const vs: VirtualService = d.effectiveServices()[0];
  return vs.realServers.map((r) => `${r.address}=${r.weight}`).join(' ');
}

const until = <T>(what: string, f: () => T | undefined): Promise<T> => waitFor(what, async () => f(), 200, 20);

const CHECK = `    healthCheck: { checks: [{ type: tcp }], interval: 0.05, timeout: 1, rise: 2, fall: 2,
                   notifyUp: [/bin/up, x], notifyDown: [/bin/down] }
`;

describe('health monitor', () => {
  it('quiesces a failed real server and restores its configured weight after rise successes', async () => {
    const s = setup(`${CHECK}    realServers: [{ address: 198.18.0.11, weight: 3 }, { address: 198.18.0.12, weight: 2 }]\n`);
    await until('first results', () => (reals(s.director).every((r) => r.health?.state === 'up') ? true : undefined));
    assert.equal(running(s.director), '198.18.0.11=3 198.18.0.12=2');

    s.verdicts.set('198.18.0.11', false);
    await until('Down', () => (reals(s.director)[0].health?.state === 'down' ? true : undefined));
    assert.equal(running(s.director), '198.18.0.11=0 198.18.0.12=2');
    const down = reals(s.director)[0];
    assert.equal(down.weight, 0);
    assert.equal(down.configuredWeight, 3);
    assert.deepEqual(down.health?.checks, ['fake tcp 198.18.0.11:80']);
    assert.equal(down.health?.lastResult?.ok, false);
    assert.equal(down.health?.lastResult?.message, 'broken');
    assert.match(down.health?.lastChange ?? '', /^\d{4}-\d\d-\d\dT/);
    assert.match(formatList(s.director.list(), FORMAT, NUMERIC), /-> 198\.18\.0\.11:80\s+Route\s+0\s/);
    assert.match(saveText(s.director.list(), NUMERIC), /-r 198\.18\.0\.11:80 -g -w 3/);
    assert.deepEqual(s.commands.map((c) => [c.argv, c.env.PIVS_EVENT, c.env.PIVS_REAL_ADDRESS, c.env.PIVS_SERVICE]),
      [[['/bin/down'], 'down', '198.18.0.11', 'tcp 198.18.0.100:80']]);

    s.verdicts.set('198.18.0.11', true);
    await until('Up', () => (reals(s.director)[0].health?.state === 'up' ? true : undefined));
    assert.equal(running(s.director), '198.18.0.11=3 198.18.0.12=2');
    assert.equal(reals(s.director)[0].configuredWeight, undefined);
    assert.deepEqual(s.commands.map((c) => c.argv), [['/bin/down'], ['/bin/up', 'x']]);
  });

  it('with quiescent: false removes the real server from the table, yet lists and saves it', async () => {
    const s = setup(`    healthCheck: { checks: [{ type: tcp }], interval: 0.05, quiescent: false }
    realServers: [{ address: 198.18.0.11 }, { address: 198.18.0.12 }]\n`);
    s.verdicts.set('198.18.0.12', false);
    await until('Down', () => (reals(s.director)[1].health?.state === 'down' ? true : undefined));
    assert.equal(running(s.director), '198.18.0.11=1');
    assert.equal(reals(s.director)[1].removed, true);
    const text = formatList(s.director.list(), FORMAT, NUMERIC);
    assert.doesNotMatch(text, /198\.18\.0\.12/);
    assert.match(saveText(s.director.list(), NUMERIC), /-r 198\.18\.0\.12:80 -g -w 1/);
  });

  it('hands new connections to the fallback only while every real server is down', async () => {
    const s = setup(`${CHECK}    fallback: { address: 198.18.0.20 }
    realServers: [{ address: 198.18.0.11 }, { address: 198.18.0.12 }]\n`);
    assert.deepEqual(s.arp.calls.at(-1)?.realAddresses, ['198.18.0.11', '198.18.0.12', '198.18.0.20']);
    s.verdicts.set('198.18.0.11', false);
    await until('one Down', () => (reals(s.director)[0].health?.state === 'down' ? true : undefined));
    assert.equal(running(s.director), '198.18.0.11=0 198.18.0.12=1');
    s.verdicts.set('198.18.0.12', false);
    await until('both Down', () => (reals(s.director)[1].health?.state === 'down' ? true : undefined));
    assert.equal(running(s.director), '198.18.0.11=0 198.18.0.12=0 198.18.0.20=1');
    const fallback = reals(s.director)[2];
    assert.deepEqual([fallback.address, fallback.weight, fallback.fallback, fallback.health], ['198.18.0.20', 1, true, undefined]);
    assert.doesNotMatch(saveText(s.director.list(), NUMERIC), /198\.18\.0\.20/);
    s.verdicts.set('198.18.0.12', true);
    await until('one Up', () => (reals(s.director)[1].health?.state === 'up' ? true : undefined));
    assert.equal(running(s.director), '198.18.0.11=0 198.18.0.12=1');
  });

  it('sets the weight a dynamic script check reports, and the configured one on exit 0', async () => {
    const s = setup(`    healthCheck: { checks: [{ type: script, command: [/bin/true], dynamic: true }], interval: 0.05 }
    realServers: [{ address: 198.18.0.11, weight: 4 }]\n`);
    s.verdicts.set('198.18.0.11', true, 7);
    await until('weight 7', () => (reals(s.director)[0].weight === 7 ? true : undefined));
    assert.equal(reals(s.director)[0].configuredWeight, 4);
    assert.equal(reals(s.director)[0].health?.weight, 7);
    assert.match(formatList(s.director.list(), FORMAT, NUMERIC), /-> 198\.18\.0\.11:80\s+Route\s+7\s/);
    s.verdicts.set('198.18.0.11', true);
    await until('configured weight', () => (reals(s.director)[0].weight === 4 ? true : undefined));
    assert.equal(reals(s.director)[0].configuredWeight, undefined);
  });

  it('checks a real server added with pivsadm with the service\'s check, and forgets a deleted one', async () => {
    const s = setup(`${CHECK}    realServers: [{ address: 198.18.0.11 }]\n`);
    const real = { address: '198.18.0.13', port: 80, forward: 'dr' as const, weight: 1, upperThreshold: 0, lowerThreshold: 0 };
    assert.equal(s.director.execute([{ method: 'addReal', params: { key: KEY, real } }], false), null);
    s.monitor.update(s.director.config);
    s.verdicts.set('198.18.0.13', false);
    await until('added one Down', () => (reals(s.director)[1]?.health?.state === 'down' ? true : undefined));
    assert.equal(running(s.director), '198.18.0.11=1 198.18.0.13=0');
    assert.equal(s.director.execute([{ method: 'deleteReal', params: { key: KEY, address: '198.18.0.13', port: 80 } }], false), null);
    s.monitor.update(s.director.config);
    assert.equal(s.director.execute([{ method: 'addReal', params: { key: KEY, real } }], false), null);
    s.verdicts.set('198.18.0.13', true);
    s.monitor.update(s.director.config);
    // Re-added, it starts afresh (Unknown, serving) rather than inheriting the old Down.
    assert.equal(running(s.director), '198.18.0.11=1 198.18.0.13=1');
  });

  it('keeps the file\'s health settings across pivsadm -E and -e', () => {
    const s = setup(`${CHECK}    fallback: { address: 198.18.0.20 }
    realServers: [{ address: 198.18.0.11, healthCheck: { fall: 5 } }]\n`);
    const settings = { ...KEY, scheduler: 'rr' as const, schedFlags: [], sloppy: false };
    assert.equal(s.director.execute([{ method: 'editService', params: { service: settings } }], false), null);
    const real = { address: '198.18.0.11', port: 80, forward: 'dr' as const, weight: 2, upperThreshold: 0, lowerThreshold: 0 };
    assert.equal(s.director.execute([{ method: 'editReal', params: { key: KEY, real } }], false), null);
    const vs = s.director.config.virtualServices[0];
    assert.equal(vs.scheduler, 'rr');
    assert.deepEqual(vs.fallback, { address: '198.18.0.20', port: 80 });
    assert.equal(vs.healthCheck?.fall, 2);
    assert.equal(vs.realServers[0].weight, 2);
    assert.equal(vs.realServers[0].healthCheck?.fall, 5);
  });

  it('runs the quorum scripts when the healthy weight crosses quorum with hysteresis', async () => {
    const s = setup(`    healthCheck: { checks: [{ type: tcp }], interval: 0.05 }
    quorum: 3
    hysteresis: 1
    quorumUp: [/bin/qup]
    quorumDown: [/bin/qdown]
    realServers: [{ address: 198.18.0.11, weight: 1 }, { address: 198.18.0.12, weight: 2 }, { address: 198.18.0.13, weight: 1 }]\n`);
    s.verdicts.set('198.18.0.13', false);
    await until('.13 Down', () => (reals(s.director)[2].health?.state === 'down' ? true : undefined));
    assert.equal(s.commands.length, 0, 'weight 3 keeps a quorum of 3 - 1');
    s.verdicts.set('198.18.0.12', false);
    await until('quorum lost', () => (s.commands.length === 1 ? true : undefined));
    assert.deepEqual([s.commands[0].argv, s.commands[0].env.PIVS_TOTAL_WEIGHT], [['/bin/qdown'], '1']);
    s.verdicts.set('198.18.0.12', true);
    await until('.12 Up', () => (reals(s.director)[1].health?.state === 'up' ? true : undefined));
    assert.equal(s.commands.length, 1, 'weight 3 does not regain a quorum of 3 + 1');
    s.verdicts.set('198.18.0.13', true);
    await until('quorum regained', () => (s.commands.length === 2 ? true : undefined));
    assert.deepEqual(s.commands[1].argv, ['/bin/qup']);
  });

  it('with alpha starts a real server out of scheduling until rise successes', async () => {
    const s = setup(`    healthCheck: { checks: [{ type: tcp }], interval: 0.05, rise: 2, alpha: true }
    realServers: [{ address: 198.18.0.11 }]\n`);
    const first = running(s.director);
    await until('Up', () => (reals(s.director)[0].health?.state === 'up' ? true : undefined));
    assert.equal(first, '198.18.0.11=0');
    assert.equal(running(s.director), '198.18.0.11=1');
  });
});
