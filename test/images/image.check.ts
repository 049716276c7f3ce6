// Structural check of a built image (npm run test:image): partition table, boot files, pivs and
// its units installed and enabled, SSH keys only. Reads the image in place; needs no root.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { builtImage, debugfs, debugfsBytes, fatAt, partitions } from './image_file';

const img = builtImage();

test('MBR: bootable FAT32 boot partition, then the ext4 root', () => {
  const [boot, root, ...rest] = partitions(img);
  assert.deepEqual(rest, []);
  assert.equal(boot.type, 'c');
  assert.equal(boot.bootable, true);
  assert.equal(root.type, '83');
  assert.equal(debugfs(img, 'stats').match(/Filesystem volume name:\s+(\S+)/)?.[1], 'pivs-root');
});

test('boot partition: Pi firmware, kernel, initrd, device trees for Pi 3, 4 and 5, config and the user\'s files', () => {
  const files = execFileSync('mdir', ['-b', '-i', fatAt(img), '::/'], { encoding: 'utf8' }).split('\n').map((l) => l.replace('::/', ''));
  for (const f of ['config.txt', 'cmdline.txt', 'start4.elf', 'fixup4.dat', 'bootcode.bin', 'bcm2711-rpi-4-b.dtb', 'bcm2837-rpi-3-b.dtb', 'bcm2837-rpi-3-b-plus.dtb',
    'bcm2712-rpi-5-b.dtb',
    'vmlinuz', 'initrd.img', 'network.yaml', 'pivs.yaml.example', 'authorized_keys.example', 'README.txt']) {
    assert.ok(files.includes(f), `${f} is missing from the boot partition`);
  }
  assert.equal(files.includes('pivs.yaml'), false, 'an unconfigured card has no pivs.yaml');
  const cmdline = execFileSync('mtype', ['-i', fatAt(img), '::/cmdline.txt'], { encoding: 'utf8' });
  assert.match(cmdline, /\broot=LABEL=pivs-root\b/);
  assert.match(cmdline, /\bnet\.ifnames=0\b/);
  assert.match(execFileSync('mtype', ['-i', fatAt(img), '::/config.txt'], { encoding: 'utf8' }), /arm_64bit=1/);
});

test('the kernel has the Pi 5\'s RP1 drivers (its Ethernet) and follows backports', () => {
  const kernels = debugfs(img, 'ls /usr/lib/modules').split(/\s+/).filter((n) => /^\d+\.\d+/.test(n));
  assert.equal(kernels.length, 1, `kernels: ${kernels.join(' ')}`);
  const modules = `/usr/lib/modules/${kernels[0]}/kernel/drivers`;
  // Module file names use '_' from kernel 7 on, '-' before.
  assert.match(debugfs(img, `ls ${modules}/misc/rp1`), /rp1[-_]pci\.ko/);
  assert.match(debugfs(img, `ls ${modules}/clk`), /clk[-_]rp1\.ko/);
  assert.match(debugfs(img, `ls ${modules}/pinctrl`), /pinctrl[-_]rp1\.ko/);
  assert.match(debugfs(img, `ls ${modules}/net/ethernet/cadence`), /macb\.ko/);
  assert.match(debugfs(img, 'cat /etc/apt/preferences.d/pivs-kernel'), /^Pin: release n=trixie-backports$/m);
  // The device tree the Pi 5's firmware loads (upstream name) must describe RP1's Ethernet (GEM).
  const dtb = execFileSync('mtype', ['-i', fatAt(img), '::/bcm2712-rpi-5-b.dtb']);
  assert.ok(dtb.includes('raspberrypi,rp1-gem'), 'bcm2712-rpi-5-b.dtb has no RP1 Ethernet node');
});

test('pivs is installed with an arm64 addon and launchers on Debian\'s node', () => {
  assert.match(debugfs(img, 'ls -l /usr/lib/pivs/dist/src/daemon'), /\bmain\.js\b/);
  assert.match(debugfs(img, 'ls -l /usr/lib/pivs/node_modules'), /\byaml\b/);
  // The dashboard's files are read from the package root (tsc copies none of them).
  const dashboard = debugfs(img, 'ls -l /usr/lib/pivs/src/status/dashboard');
  for (const f of ['index.html', 'dashboard.css', 'dashboard.js']) assert.ok(dashboard.includes(f), `no ${f} on the image`);
  // The lab and the tests' support are for development machines, not for the appliance.
  assert.doesNotMatch(debugfs(img, 'ls /usr/lib/pivs/dist/src'), /\blab\b/);
  assert.doesNotMatch(debugfs(img, 'ls /usr/lib/pivs/dist'), /\btest\b/);
  const elf = debugfsBytes(img, '/usr/lib/pivs/build/Release/pivs_native.node');
  assert.deepEqual([...elf.subarray(0, 4)], [0x7f, 0x45, 0x4c, 0x46]);
  assert.equal(elf.readUInt16LE(18), 183, 'the addon is an aarch64 ELF');
  assert.equal(debugfsBytes(img, '/usr/lib/pivs/build/Release/pivs_xdp.o').readUInt16LE(18), 247, 'the XDP program is BPF');
  assert.equal(debugfs(img, 'cat /usr/bin/pivsd'), '#!/bin/sh\nexec /usr/bin/node /usr/lib/pivs/dist/src/daemon/main.js "$@"\n');
  assert.match(debugfs(img, 'stat /usr/bin/node'), /Type: (regular|symlink)/);
});

test('units installed and enabled; the pivs user exists; sysctls in place', () => {
  for (const u of ['pivsd', 'pivs-agent', 'pivs-realserver', 'pivs-boot-config', 'pivs-growfs']) {
    assert.match(debugfs(img, `stat /usr/lib/systemd/system/${u}.service`), /Type: regular/, u);
  }
  const multiUser = debugfs(img, 'ls /etc/systemd/system/multi-user.target.wants');
  for (const u of ['pivsd.service', 'pivs-agent.service', 'pivs-realserver.service', 'systemd-networkd.service', 'ssh.service']) {
    assert.ok(multiUser.includes(u), `${u} is not enabled`);
  }
  const sysinit = debugfs(img, 'ls /etc/systemd/system/sysinit.target.wants');
  assert.ok(sysinit.includes('pivs-boot-config.service') && sysinit.includes('pivs-growfs.service'));
  assert.match(debugfs(img, 'cat /etc/passwd'), /^pivs:x:\d+:\d+:/m);
  assert.match(debugfs(img, 'cat /etc/sysctl.d/90-pivs-director.conf'), /net\.ipv4\.conf\.all\.arp_ignore = 1/);
});

test('SSH: keys only, root password locked, no host keys baked into the image', () => {
  assert.match(debugfs(img, 'cat /etc/ssh/sshd_config.d/pivs.conf'), /^PasswordAuthentication no$/m);
  assert.match(debugfs(img, 'cat /etc/shadow'), /^root:[*!]/m);
  assert.doesNotMatch(debugfs(img, 'ls /etc/ssh'), /ssh_host_/);
  assert.equal(debugfs(img, 'cat /etc/machine-id'), '');
});
