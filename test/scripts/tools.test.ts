// What a user has after the setup step (scripts/setup.sh runs `scripts/tools install`): pivsd,
// pivsadm and pivs-agent found on PATH from any directory, their man pages rendered by man, and one
// config path in every doc. The install goes to a temporary prefix rather than /usr/local, so the
// test does not depend on which clone last ran the setup on this machine.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

const REPO = join(__dirname, '..', '..', '..');
const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string; bin: Record<string, string> };
let prefix = '';

before(() => {
  prefix = mkdtempSync(join(tmpdir(), 'pivs-tools-'));
  execFileSync('node', [join(REPO, 'scripts/tools'), 'install', prefix], { stdio: 'pipe' });
});
after(() => rmSync(prefix, { recursive: true, force: true }));

/** A command as a user types it: by name, through PATH, from another directory. */
function run(command: string, args: string[]): { stdout: string; stderr: string; status: number | null } {
  const r = spawnSync(command, args, { cwd: '/', encoding: 'utf8', env: { ...process.env, PATH: `${join(prefix, 'bin')}:/usr/bin:/bin` } });
  assert.equal(r.error, undefined, `${command}: ${r.error?.message}`);
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

test('package.json "bin" names the three commands, each built with its shebang and mode 0755', () => {
  assert.deepEqual(Object.keys(pkg.bin).sort(), ['pivs-agent', 'pivsadm', 'pivsd']);
  for (const file of Object.values(pkg.bin)) {
    const path = join(REPO, file);
    assert.equal(readFileSync(path, 'utf8').split('\n')[0], '#!/usr/bin/env node', file);
    assert.equal(statSync(path).mode & 0o777, 0o755, file);
  }
});

test('the installed commands are links to this repository\'s build', () => {
  for (const [name, file] of Object.entries(pkg.bin)) {
    assert.equal(realpathSync(join(prefix, 'bin', name)), realpathSync(join(REPO, file)), name);
    accessSync(join(prefix, 'bin', name), constants.X_OK);
  }
});

test('pivsadm --version and -v, from / through PATH, print the version line', () => {
  for (const flag of ['--version', '-v']) {
    const r = run('pivsadm', [flag]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `pivsadm v${pkg.version} (ipvsadm-compatible, talks to pivsd)\n`);
  }
});

test('pivsd --help and pivs-agent --help, from / through PATH, print their usage and options', () => {
  const pivsd = run('pivsd', ['--help']);
  assert.equal(pivsd.status, 0, pivsd.stderr);
  assert.match(pivsd.stdout, /^Usage: pivsd \[options\]\n/);
  assert.match(pivsd.stdout, /^ {2}-c, --config <file> /m);
  assert.match(pivsd.stdout, /^ {2}-i, --interface <iface> /m);
  const agent = run('pivs-agent', ['--help']);
  assert.equal(agent.status, 0, agent.stderr);
  assert.match(agent.stdout, /^Usage: pivs-agent \[options\]\n/);
  assert.match(agent.stdout, /^ {2}-c, --config <file> /m);
  assert.equal(run('pivsd', ['--version']).stdout, `${pkg.version}\n`);
  assert.equal(run('pivs-agent', ['--version']).stdout, `${pkg.version}\n`);
});

test('man NAME finds each installed page and renders it without a warning', () => {
  for (const name of Object.keys(pkg.bin)) {
    const r = spawnSync('man', ['--warnings', '-M', join(prefix, 'share/man'), name], {
      cwd: '/', encoding: 'utf8', env: { ...process.env, MANPAGER: 'cat', PAGER: 'cat', MANWIDTH: '80', LC_ALL: 'C.UTF-8' },
    });
    assert.equal(r.error, undefined, `man is missing (the setup installs man-db): ${r.error?.message}`);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '', `${name}.8: groff warnings`);
    const text = r.stdout.replace(/.\x08/g, '');
    assert.match(text, new RegExp(`^${name.toUpperCase()}\\(8\\) +pivs manual +${name.toUpperCase()}\\(8\\)$`, 'm'));
    assert.match(text, new RegExp(`^NAME\\n {7}${name} +- +\\S`, 'm'));
    assert.match(text, /^SEE ALSO$/m);
    // Every line fits the 80 columns asked for, but for code blocks shown as written.
    for (const line of text.split('\n')) if (line.length > 80) assert.match(line, /^ {11}/, `${name}.8: a prose line wider than 80 columns: ${line}`);
  }
});

test('the man pages carry their docs: pivsadm.8 lists ipvsadm\'s commands, pivsd.8 the config file', () => {
  const page = (name: string) => readFileSync(join(prefix, 'share/man/man8', `${name}.8`), 'utf8');
  assert.match(page('pivsadm'), /\\fB\\-\\-add\\-service\\fR/);
  assert.match(page('pivsd'), /\.SS "\\fBrealServers\\fR"/);
  assert.match(page('pivs-agent'), /\\fB\/etc\/pivs\/agent\.yaml\\fR/);
});

test('one config path everywhere: /etc/pivs/pivs.yaml, what the unit and the README use', () => {
  const unit = readFileSync(join(REPO, 'systemd/pivsd.service'), 'utf8');
  assert.match(unit, /^ExecStart=\/usr\/bin\/pivsd -c \/etc\/pivs\/pivs\.yaml /m);
  assert.match(readFileSync(join(REPO, 'README.md'), 'utf8'), /^pivsd -i eth0 -c \/etc\/pivs\/pivs\.yaml /m);
  const docs = [join(REPO, 'README.md'), ...readdirSync(join(REPO, 'docs')).filter((f) => f.endsWith('.md')).map((f) => join(REPO, 'docs', f))];
  for (const file of docs) {
    const text = readFileSync(file, 'utf8');
    assert.doesNotMatch(text, /\/etc\/pivs\/pivsd\.ya?ml/, file);
    for (const m of text.matchAll(/pivsd (?:[^\n`]* )?-c (\/\S+)/g)) assert.equal(m[1], '/etc/pivs/pivs.yaml', `${file}: pivsd -c ${m[1]}`);
  }
});
