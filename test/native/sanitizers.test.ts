// The fast-path core under ThreadSanitizer and under AddressSanitizer + UndefinedBehaviorSanitizer:
// scripts/native-check builds test/native/stress.cc with native/*.cc (all but the N-API binding)
// and runs it for a few seconds: workers, a sweeper, a control thread and a sync lister on one
// dataplane at once (see stress.cc). Any sanitizer report, or a failed invariant, fails the test.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** Resolved as src/dataplane/native.ts does, so it works from test/ and from dist/test/. */
function packageRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 5; i++) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    dir = path.dirname(dir);
  }
  return path.join(__dirname, '..', '..', '..');
}

const ROOT = packageRoot();
const SCRIPT = path.join(ROOT, 'scripts', 'native-check');
const STRESS_SECONDS = 6;
const SANITIZER_REPORT = /WARNING: ThreadSanitizer|ThreadSanitizer: CHECK failed|ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:/;

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs scripts/native-check in a process group of its own, killed whole at the deadline. */
function nativeCheck(args: string[], timeoutMs: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(SCRIPT, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      stderr += `\n[killed after ${timeoutMs} ms]\n`;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
}

function report(what: string, r: Run): string {
  const out = `${r.stdout}\n${r.stderr}`.trim();
  const tail = out.length > 20000 ? `[...]\n${out.slice(-20000)}` : out;
  return `${what}: exit ${r.code ?? r.signal} after ${r.ms} ms\n${tail}`;
}

function assertClean(what: string, r: Run): void {
  assert.equal(r.code, 0, report(what, r));
  const lines = r.stderr.split('\n').filter((l) => SANITIZER_REPORT.test(l));
  assert.deepEqual(lines, [], report(what, r));
}

describe('native core under sanitizers (test/native/stress.cc)', { timeout: 240_000 }, () => {
  before(async () => {
    // One build after the other, each with one compiler per core.
    const r = await nativeCheck(['build', 'tsan', 'asan'], 180_000);
    assert.equal(r.code, 0, report('scripts/native-check build tsan asan', r));
  }, { timeout: 190_000 });

  const seed = String(Date.now() % 1_000_000);
  for (const variant of ['tsan', 'asan'] as const) {
    const name = variant === 'tsan' ? 'ThreadSanitizer' : 'AddressSanitizer + UndefinedBehaviorSanitizer';
    it(`stays clean under ${name} (seed ${seed})`, { timeout: 60_000 }, async () => {
      const r = await nativeCheck(['stress', variant, '--seconds', String(STRESS_SECONDS), '--seed', seed], 55_000);
      assertClean(`${variant} stress, seed ${seed}`, r);
    });
  }
});
