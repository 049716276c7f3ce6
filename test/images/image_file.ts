// The built image the structural and boot checks read (npm run test:image): $PIVS_IMAGE, or
// images/out/pivs-<version>-arm64.img, unpacked from its .xz (after its sha256 is checked) if need be.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const REPO = join(__dirname, '..', '..', '..');

export function builtImage(): string {
  if (process.env.PIVS_IMAGE !== undefined) return process.env.PIVS_IMAGE;
  const version = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
  const img = join(REPO, 'images', 'out', `pivs-${version}-arm64.img`);
  if (!existsSync(img) && existsSync(`${img}.xz`)) {
    execFileSync('sha256sum', ['-c', `pivs-${version}-arm64.img.xz.sha256`], { cwd: join(REPO, 'images', 'out'), stdio: 'pipe' });
    execFileSync('xz', ['-d', '-k', `${img}.xz`]);
  }
  if (!existsSync(img)) throw new Error(`no image at ${img}: build it first with "sudo images/build" (or set PIVS_IMAGE)`);
  return img;
}

export interface Partition { start: number; size: number; type: string; bootable: boolean }

export function partitions(img: string): Partition[] {
  const dump = JSON.parse(execFileSync('sfdisk', ['--json', img], { encoding: 'utf8' })) as {
    partitiontable: { label: string; partitions: { start: number; size: number; type: string; bootable?: boolean }[] };
  };
  if (dump.partitiontable.label !== 'dos') throw new Error(`${img}: partition table is ${dump.partitiontable.label}, not dos (MBR)`);
  return dump.partitiontable.partitions.map((p) => ({ start: p.start, size: p.size, type: p.type, bootable: p.bootable === true }));
}

/** mtools' view of the FAT partition: "IMG@@OFFSET". */
export function fatAt(img: string): string {
  return `${img}@@${partitions(img)[0].start * 512}`;
}

/** debugfs on the ext4 root partition in place (no loop device, no copy). */
export function debugfs(img: string, request: string): string {
  const at = `${img}?offset=${partitions(img)[1].start * 512}`;
  return execFileSync('debugfs', ['-R', request, at], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 << 20 });
}

/** A file of the root partition as bytes (binaries). */
export function debugfsBytes(img: string, path: string): Buffer {
  const at = `${img}?offset=${partitions(img)[1].start * 512}`;
  return execFileSync('debugfs', ['-R', `cat ${path}`, at], { stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 << 20 });
}
