// The image recipe's partition layout, on a small dummy root: what a Pi's firmware and the
// appliance's fstab expect (MBR, bootable FAT 0x0c labelled PIVS-BOOT at 4 MiB, ext4 pivs-root).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

const REPO = join(__dirname, '..', '..', '..');
let dir = '';
let img = '';

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'pivs-layout-'));
  mkdirSync(join(dir, 'root/etc/pivs'), { recursive: true });
  writeFileSync(join(dir, 'root/etc/hostname'), 'pivs\n');
  mkdirSync(join(dir, 'boot'));
  writeFileSync(join(dir, 'boot/config.txt'), 'arm_64bit=1\n');
  writeFileSync(join(dir, 'boot/cmdline.txt'), 'root=LABEL=pivs-root\n');
  img = join(dir, 'out/pivs-test.img');
  execFileSync(join(REPO, 'images/lib/assemble.sh'), [join(dir, 'root'), join(dir, 'boot'), join(dir, 'work'), img, '64'], { stdio: 'pipe' });
});
after(() => rmSync(dir, { recursive: true, force: true }));

function partitions(): { start: number; size: number; type: string; bootable: boolean }[] {
  const dump = JSON.parse(execFileSync('sfdisk', ['--json', img], { encoding: 'utf8' })) as {
    partitiontable: { label: string; partitions: { start: number; size: number; type: string; bootable?: boolean }[] };
  };
  assert.equal(dump.partitiontable.label, 'dos');
  return dump.partitiontable.partitions.map((p) => ({ start: p.start, size: p.size, type: p.type, bootable: p.bootable === true }));
}

test('MBR with a bootable FAT32 (0x0c) boot partition at 4 MiB, then a Linux root', () => {
  const [boot, root, ...rest] = partitions();
  assert.deepEqual(rest, []);
  assert.deepEqual(boot, { start: 8192, size: 64 * 2048, type: 'c', bootable: true });
  assert.equal(root.type, '83');
  assert.equal(root.start, boot.start + boot.size);
  assert.equal(statSync(img).size, (root.start + root.size) * 512);
});

test('the boot partition is FAT labelled PIVS-BOOT and holds the boot files', () => {
  const at = `${img}@@${partitions()[0].start * 512}`;
  const listing = execFileSync('mdir', ['-b', '-i', at, '::/'], { encoding: 'utf8' });
  assert.deepEqual(listing.trim().split('\n').sort(), ['::/cmdline.txt', '::/config.txt']);
  assert.equal(execFileSync('mtype', ['-i', at, '::/cmdline.txt'], { encoding: 'utf8' }), 'root=LABEL=pivs-root\n');
  assert.equal(execFileSync('mlabel', ['-s', '-i', at, '::'], { encoding: 'utf8' }).trim(), 'Volume label is PIVS-BOOT');
});

test('the root partition is ext4 labelled pivs-root with the root directory\'s files, owned by root', () => {
  const root = partitions()[1];
  const ext4 = join(dir, 'root.ext4');
  execFileSync('dd', [`if=${img}`, `of=${ext4}`, 'bs=512', `skip=${root.start}`, `count=${root.size}`, 'status=none']);
  assert.equal(execFileSync('e2label', [ext4], { encoding: 'utf8' }), 'pivs-root\n');
  assert.match(execFileSync('dumpe2fs', ['-h', ext4], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }), /Filesystem features:.*extent/);
  assert.equal(execFileSync('debugfs', ['-R', 'cat /etc/hostname', ext4], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }), 'pivs\n');
  assert.match(execFileSync('debugfs', ['-R', 'stat /etc/pivs', ext4], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }), /User:\s+0\s+Group:\s+0/);
});
