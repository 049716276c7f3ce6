// The dashboard in Debian's headless Chromium, against a status server with fake sources whose
// counters move at every poll. Virtual time lets the page poll many times in a few real seconds.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startStatusServer, type StatusServer } from '../../src/status';
import { fakeSources } from './fake_sources';

const CHROMIUM = '/usr/bin/chromium';
/** test/out/ of the repository (git-ignored); this file runs from dist/test/status/. */
const OUT = resolve(__dirname, '..', '..', '..', 'test', 'out');

let server: StatusServer;

before(async () => {
  const fake = fakeSources('full');
  // Every /status is one second later with higher counters, so the plots have a history.
  const sources = { ...fake, list: () => { fake.tick(); return fake.list(); } };
  server = await startStatusServer({ listen: '127.0.0.1:0', sources });
  mkdirSync(OUT, { recursive: true });
});

after(async () => { await server?.close(); });

/** Runs headless Chromium with a fresh profile; resolves with stdout. */
function chromium(args: string[]): Promise<string> {
  const profile = mkdtempSync(join(tmpdir(), 'pivs-chromium-'));
  return new Promise<string>((resolvePromise, reject) => {
    const child = spawn(CHROMIUM, [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--hide-scrollbars', `--user-data-dir=${profile}`, ...args,
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      rmSync(profile, { recursive: true, force: true });
      if (code === 0) resolvePromise(out);
      else reject(new Error(`chromium exited ${code}: ${err.split('\n').filter((l) => !/dbus/.test(l)).join('\n').slice(-1500)}`));
    });
  });
}

test('Chromium is installed (Debian package chromium)', () => {
  assert.equal(existsSync(CHROMIUM), true, 'install it with: apt-get install -y chromium');
});

test('the rendered page shows each VIP, its state, the master and every real server with its health', async () => {
  const page = await chromium(['--window-size=1280,800', '--virtual-time-budget=8000', '--dump-dom', `${server.url}/`]);
  // Only what the script rendered: the script's own text holds every template string.
  const dom = page.replace(/<script>[\s\S]*?<\/script>/g, '').replace(/<style>[\s\S]*?<\/style>/g, '');
  assert.ok(dom.length < page.length / 2, 'the page has its inline script and style');
  assert.match(dom, /<h2>TCP 198\.18\.0\.10:80<\/h2>/);
  assert.match(dom, /<h2>UDP 198\.18\.0\.20:53<\/h2>/);
  assert.match(dom, /master here/);
  assert.match(dom, /master 198\.18\.0\.3/);
  assert.match(dom, /data-real="198\.18\.1\.11" data-health="up"/);
  assert.match(dom, /data-real="198\.18\.1\.12" data-health="down"/);
  assert.match(dom, /data-real="198\.18\.1\.13" data-health="none"/);
  assert.match(dom, />quiescent</);
  assert.match(dom, />removed</);
  assert.match(dom, /data-vrrp="VI_1"/);
  assert.match(dom, /data-peer="director-b"><span>director-b<\/span><span class="badge good">alive<\/span><span class="badge bad">fault<\/span>/);
  assert.match(dom, /data-heartbeat-dropped=""><span>heartbeats dropped<\/span><span>6<\/span>/);
  // After several polls the plots hold lines, and the live indicator is on.
  assert.match(dom, /<path d="M[\d.]+ [\d.]+L/);
  assert.match(dom, /id="live-text">live · /);
  assert.doesNotMatch(dom, /Cannot reach pivsd|class="banner"/);
});

for (const [name, size] of [['dashboard.png', '1280,800'], ['dashboard-phone.png', '390,844']] as const) {
  test(`a screenshot at ${size} is saved to test/out/${name}`, async () => {
    const file = join(OUT, name);
    rmSync(file, { force: true });
    await chromium([`--window-size=${size}`, '--virtual-time-budget=90000', `--screenshot=${file}`, `${server.url}/`]);
    // A blank or error page compresses to a few kilobytes; the dashboard with plots does not.
    assert.ok(statSync(file).size > 20_000, `${file} is only ${statSync(file).size} bytes`);
  });
}
