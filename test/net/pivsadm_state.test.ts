// What pivsadm shows and refuses, against a running pivsd: the ipvsadm listing text (with counters
// made deterministic by UDP traffic of known size), refused command lines and a refused config
// reload that leave the rules as they were, and a -S / -R round trip.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { stringify } from 'yaml';
import { waitFor } from '../../src/lab/exec';
import { useLab, udpAsk } from '../support/testing';

const VIP = '198.18.0.100';
const REALS = ['198.18.0.11', '198.18.0.12', '198.18.0.13'];

function goodConfig(): string {
  return stringify({
    director: { interface: 'eth0', connTableSize: 4096 },
    virtualServices: [{
      protocol: 'tcp', address: VIP, port: 80, scheduler: 'rr',
      realServers: REALS.map((address) => ({ address, port: 80, weight: 1 })),
    }],
  });
}

// ipvsadm's layout: "%-28s %-7s %-6d %-10u %-10u" per real server, trailing blanks included.
const real = (addr: string, w: number, act: number, inact: number): string =>
  `  -> ${addr.padEnd(28)} ${'Route'.padEnd(7)} ${String(w).padEnd(6)} ${String(act).padEnd(10)} ${String(inact).padEnd(10)}\n`;
// --stats: "%-33s" then five "%9llu" columns.
const statsLine = (label: string, conns: number, inPkts: number, inBytes: number): string =>
  `${label.padEnd(33)}${[conns, inPkts, 0, inBytes, 0].map((n) => String(n).padStart(9)).join('')}\n`;

const HEADER = 'IP Virtual Server version 1.2.1 (size=4096)\n';
const LIST_TITLE = 'Prot LocalAddress:Port Scheduler Flags\n'
  + '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n';

const SAVED = [
  `-A -t ${VIP}:80 -s rr`,
  ...REALS.map((r) => `-a -t ${VIP}:80 -r ${r}:80 -g -w 1`),
  `-A -u ${VIP}:53 -s wrr`,
  ...REALS.map((r, i) => `-a -u ${VIP}:53 -r ${r}:53 -g -w ${3 - i}`),
].map((l) => `${l}\n`).join('');

describe('pivsadm against a running pivsd', { timeout: 180_000 }, () => {
  let configFile = '';
  const lab = useLab({
    beforePivsd: (t) => {
      configFile = join(t.runDir, 'pivsd.yaml');
      writeFileSync(configFile, goodConfig());
      return { configFile };
    },
  });

  it('lists the configured and the added services as ipvsadm -L -n does', async () => {
    const { pivsd } = lab();
    await pivsd.admOk(['-A', '-u', `${VIP}:53`, '-s', 'wrr']);
    for (const [i, r] of REALS.entries()) await pivsd.admOk(['-a', '-u', `${VIP}:53`, '-r', `${r}:53`, '-g', '-w', String(3 - i)]);
    await pivsd.waitReady();
    assert.equal(await pivsd.admOk(['-L', '-n']), HEADER + LIST_TITLE
      + `TCP  ${VIP}:80 rr\n` + REALS.map((r) => real(`${r}:80`, 1, 0, 0)).join('')
      + `UDP  ${VIP}:53 wrr\n` + REALS.map((r, i) => real(`${r}:53`, 3 - i, 0, 0)).join(''));
    assert.equal(await pivsd.admOk(['-S', '-n']), SAVED);
  });

  it('counts UDP flows, packets and bytes exactly', async () => {
    const { t, pivsd } = lab();
    // Six flows of two 8-byte datagrams (36 bytes at the IP layer, which IPVS counts); wrr 3:2:1
    // gives 3, 2 and 1 flows.
    for (let i = 0; i < 6; i++) {
      const replies = await udpAsk(t, 53, 2, 8);
      assert.equal(replies.filter((r) => /^rs\d$/.test(r)).length, 2, replies.join(','));
    }
    assert.equal(await pivsd.admOk(['-L', '-n', '--stats']),
      HEADER
      + `${'Prot LocalAddress:Port'.padEnd(33)} ${['Conns', 'InPkts', 'OutPkts', 'InBytes', 'OutBytes'].map((h) => h.padStart(8)).join(' ')}\n`
      + '  -> RemoteAddress:Port\n'
      + statsLine(`TCP  ${VIP}:80`, 0, 0, 0)
      + REALS.map((r) => statsLine(`  -> ${r}:80`, 0, 0, 0)).join('')
      + statsLine(`UDP  ${VIP}:53`, 6, 12, 432)
      + REALS.map((r, i) => statsLine(`  -> ${r}:53`, 3 - i, 2 * (3 - i), 72 * (3 - i))).join(''));
    // UDP connections are never "active" in IPVS's sense: they show as InActConn.
    assert.equal(await pivsd.admOk(['-L', '-n']), HEADER + LIST_TITLE
      + `TCP  ${VIP}:80 rr\n` + REALS.map((r) => real(`${r}:80`, 1, 0, 0)).join('')
      + `UDP  ${VIP}:53 wrr\n` + REALS.map((r, i) => real(`${r}:53`, 3 - i, 0, 3 - i)).join(''));
  });

  it('refuses bad command lines with one sentence and changes nothing', async () => {
    const { pivsd } = lab();
    const cases: Array<[string[], string]> = [
      [['-a', '-t', `${VIP}:80`, '-r', '198.18.0.14', '-w', '70000'], 'illegal weight specified'],
      [['-a', '-t', `${VIP}:80`, '-r', '198.18.0.11', '-g', '-w', '1'], 'Destination already exists'],
      [['-A', '-t', `${VIP}:80`, '-s', 'rr'], 'Service already exists'],
      [['-A', '-t', `${VIP}:81`, '-s', 'nosuch'], 'Scheduler or persistence engine not found'],
      [['-d', '-t', `${VIP}:80`, '-r', '198.18.0.99'], 'No such destination'],
    ];
    for (const [args, message] of cases) {
      const r = await pivsd.adm(args);
      assert.notEqual(r.code, 0, `pivsadm ${args.join(' ')} succeeded`);
      assert.equal(r.stderr.trim(), message, `pivsadm ${args.join(' ')}`);
      assert.equal(r.stdout, '');
    }
    assert.equal(await pivsd.admOk(['-S', '-n']), SAVED);
  });

  it('keeps the running rules when a reload finds a broken config file', async () => {
    const { pivsd } = lab();
    const broken: Array<[string, RegExp]> = [
      [goodConfig().replace('weight: 1', 'weight: 70000'), /virtualServices\[0\]\.realServers\[0\]\.weight: 70000 is above the maximum 65535$/],
      ['virtualServices: [\n', /line 2, column 1: .*\(the file is not valid YAML\)$/],
    ];
    for (const [text, expected] of broken) {
      const before = pivsd.log().length;
      writeFileSync(configFile, text);
      pivsd.reload();
      // pivsd logs JSON lines; the refusal is one error-level line naming the problem.
      const errors = await waitFor('pivsd to report the broken file', async () => {
        const lines = pivsd.log().slice(before).split('\n').filter((l) => l.startsWith('{'));
        const errs = lines.map((l) => JSON.parse(l) as { level: number; msg: string }).filter((e) => e.level >= 50);
        return errs.length > 0 ? errs : undefined;
      }, 50, 100);
      assert.equal(errors.length, 1, JSON.stringify(errors));
      assert.match(errors[0].msg, /^reload refused, keeping the running configuration: /);
      assert.match(errors[0].msg, expected);
      assert.equal(pivsd.alive(), true, 'pivsd exited on a bad reload');
      assert.equal(await pivsd.admOk(['-S', '-n']), SAVED);
    }
  });

  it('restores with -R exactly what -S saved', async () => {
    const { pivsd } = lab();
    const saved = await pivsd.admOk(['-S', '-n']);
    await pivsd.admOk(['-C']);
    assert.equal(await pivsd.admOk(['-S', '-n']), '');
    const r = await pivsd.adm(['-R'], saved);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await pivsd.admOk(['-S', '-n']), SAVED);
  });
});
