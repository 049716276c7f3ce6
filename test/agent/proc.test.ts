import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadIndex, parseBogoMips, parseMemInfo } from '../../src/agent/proc';

const TESTDATA = join(__dirname, '..', '..', '..', 'test', 'agent', 'testdata');
const fixture = (name: string) => readFileSync(join(TESTDATA, name), 'utf8');

describe('/proc parsing', () => {
  it('sums every CPU\'s bogomips on x86 (lower-case field)', () => {
    assert.equal(parseBogoMips(fixture('cpuinfo.x86')), 11200);
  });

  it('sums every CPU\'s BogoMIPS on arm64 (Raspberry Pi 4, four cores)', () => {
    assert.equal(parseBogoMips(fixture('cpuinfo.arm64')), 432);
  });

  it('says null where the kernel prints no BogoMIPS', () => {
    assert.equal(parseBogoMips(fixture('cpuinfo.nobogo')), null);
  });

  it('reads MemTotal and MemFree in kB', () => {
    assert.deepEqual(parseMemInfo(fixture('meminfo')), { memTotalKb: 3884924, memFreeKb: 1048576 });
    assert.equal(parseMemInfo('MemTotal: 100 kB\n'), null);
  });
});

describe('load index', () => {
  it('is BogoMIPS x MemFree_MB / RAM_MB of the smallest node', () => {
    // 432 BogoMIPS, 1024 MB free, smallest node 2048 MB: 432 * 1024 / 2048.
    assert.equal(loadIndex(432, 1048576, 2048), 216);
    assert.equal(loadIndex(11200, 512 * 1024, 1024), 5600);
  });

  it('refuses a RAM of 0', () => {
    assert.throws(() => loadIndex(432, 1024, 0), /ramMb must be above 0/);
  });
});
