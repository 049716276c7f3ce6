// The addon cross-builds for the Pi (arm64) from this machine, as images/build does it.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';

const REPO = join(__dirname, '..', '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'pivs-xaddon-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('the addon cross-builds to a 64-bit little-endian aarch64 shared object', () => {
  execFileSync(join(REPO, 'images/lib/cross_addon.sh'), [REPO, dir], { stdio: 'pipe' });
  const elf = readFileSync(join(dir, 'build/Release/pivs_native.node'));
  assert.deepEqual([...elf.subarray(0, 4)], [0x7f, 0x45, 0x4c, 0x46]);
  assert.equal(elf[4], 2, 'ELFCLASS64');
  assert.equal(elf[5], 1, 'little-endian');
  assert.equal(elf.readUInt16LE(16), 3, 'ET_DYN (shared object)');
  assert.equal(elf.readUInt16LE(18), 183, 'EM_AARCH64');
  // N-API only: the one build must load on the image's Node, whatever Node built it.
  const symbols = execFileSync('aarch64-linux-gnu-nm', ['-D', '--undefined-only', join(dir, 'build/Release/pivs_native.node')], { encoding: 'utf8' });
  assert.match(symbols, /\bnapi_module_register\b|\bnapi_create_function\b/);
  assert.doesNotMatch(symbols, /\b_ZN2v8/, 'no direct V8 symbols');
  // libbpf and libxdp are opened at run time (native/xdp_lib.cc): the image needs no arm64 -dev packages.
  assert.doesNotMatch(symbols, /\b(bpf_|xsk_)/, 'no link-time libbpf/libxdp symbols');
  // The XDP program is BPF bytecode, the same on every architecture.
  const xdp = readFileSync(join(dir, 'build/Release/pivs_xdp.o'));
  assert.equal(xdp.readUInt16LE(18), 247, 'EM_BPF');
});
