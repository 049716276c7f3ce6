// The fast-path core under ThreadSanitizer and under AddressSanitizer + UndefinedBehaviorSanitizer:
// scripts/native-check builds test/native/stress.cc with native/*.cc (all but the N-API binding)
// and runs it for a few seconds: workers, a sweeper, a control thread and a sync lister on one
// dataplane at once (see stress.cc). Any sanitizer report, or a failed invariant, fails the test.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { nativeCheck, report, type Run } from './native_check';

const STRESS_SECONDS = 6;
const SANITIZER_REPORT = /WARNING: ThreadSanitizer|ThreadSanitizer: CHECK failed|ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:/;

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
