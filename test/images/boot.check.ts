// Boot test (npm run test:image): the built image boots in qemu-system-aarch64 (virt machine, the
// image's own kernel and initrd, software emulation) with a director pivs.yaml, an SSH key and
// DHCP written to a copy's boot partition; then pivsd is active (systemd says so, after READY=1)
// and /status answers through a port forward with the configured virtual address.
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { appendFileSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { builtImage, fatAt, partitions } from './image_file';

const VIP = '198.18.0.10';
const PIVS_YAML = `role: director
director:
  interface: eth0
virtualServices:
  - protocol: tcp
    address: ${VIP}
    port: 80
    scheduler: rr
    realServers:
      - address: 198.18.0.11
status:
  listen: 0.0.0.0:8080
`;
const BOOT_LIMIT_S = 900;
const CONSOLE_FILE = join(tmpdir(), 'pivs-boot-console.log');

const dir = mkdtempSync(join(tmpdir(), 'pivs-boot-'));
let qemu: ChildProcess | null = null;
let consoleLog = '';
let statusPort = 0;
let sshPort = 0;
let rootBytes = 0;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

function httpGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = get({ host: '127.0.0.1', port, path, timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => { body += d.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function ssh(command: string): string {
  return execFileSync('ssh', ['-i', join(dir, 'id'), '-p', String(sshPort), '-o', 'StrictHostKeyChecking=no',
    '-o', 'UserKnownHostsFile=/dev/null', '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=10', '-o', 'LogLevel=ERROR',
    'root@127.0.0.1', command], { encoding: 'utf8', timeout: 60000 });
}

before(async () => {
  const img = join(dir, 'pivs.img');
  execFileSync('cp', ['--sparse=always', builtImage(), img]);
  rootBytes = partitions(img)[1].size * 512;
  // A bigger "card" than the image: the first boot must grow the root into it.
  execFileSync('truncate', ['-s', String(statSync(img).size + 512 * 1024 * 1024), img]);
  const fat = `${img}@@${partitions(img)[0].start * 512}`;
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'id')]);
  writeFileSync(join(dir, 'pivs.yaml'), PIVS_YAML);
  execFileSync('mcopy', ['-o', '-i', fat, join(dir, 'pivs.yaml'), '::/pivs.yaml']);
  execFileSync('mcopy', ['-o', '-i', fat, join(dir, 'id.pub'), '::/authorized_keys']);
  execFileSync('mcopy', ['-i', fat, '::/vmlinuz', join(dir, 'vmlinuz')]);
  execFileSync('mcopy', ['-i', fat, '::/initrd.img', join(dir, 'initrd.img')]);
  statusPort = await freePort();
  sshPort = await freePort();
  qemu = spawn('qemu-system-aarch64', ['-M', 'virt', '-cpu', 'cortex-a72', '-smp', '2', '-m', '1024', '-nographic',
    '-kernel', join(dir, 'vmlinuz'), '-initrd', join(dir, 'initrd.img'),
    '-append', 'console=ttyAMA0 root=LABEL=pivs-root rw rootwait net.ifnames=0',
    '-drive', `file=${img},if=virtio,format=raw`,
    '-nic', `user,model=virtio-net-pci,hostfwd=tcp:127.0.0.1:${statusPort}-:8080,hostfwd=tcp:127.0.0.1:${sshPort}-:22`],
  { stdio: ['ignore', 'pipe', 'pipe'] });
  // The console also goes to a file as it comes, to follow a slow boot: tail -f it.
  writeFileSync(CONSOLE_FILE, '');
  const onConsole = (d: Buffer) => {
    consoleLog += d.toString('latin1');
    appendFileSync(CONSOLE_FILE, d);
  };
  qemu.stdout?.on('data', onConsole);
  qemu.stderr?.on('data', onConsole);
});

after(() => {
  qemu?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

test('the image boots, applies the boot partition and /status answers with the configured VIP', async () => {
  const started = Date.now();
  let status: { status: number; body: string } | null = null;
  // Bounded: one attempt every 5 s, for at most BOOT_LIMIT_S (software emulation is slow).
  for (let i = 0; i < BOOT_LIMIT_S / 5 && qemu?.exitCode === null; i++) {
    status = await httpGet(statusPort, '/status').catch(() => null);
    if (status !== null && status.status === 200) break;
    await sleep(5000);
  }
  process.stderr.write(`# boot to /status: ${Math.round((Date.now() - started) / 1000)} s (console: ${CONSOLE_FILE})\n`);
  assert.ok(status !== null && status.status === 200, `no /status answer; console tail:\n${consoleLog.slice(-3000)}`);
  const doc = JSON.parse(status.body) as {
    virtualServices: { address?: string; key?: string }[];
    dataplane: { backend: string; xdpMode: string } | null;
  };
  assert.ok(JSON.stringify(doc.virtualServices).includes(VIP), status.body.slice(0, 2000));
  // director.dataplane auto on the virtio NIC, under the unit's capabilities: the XDP program loads.
  assert.equal(doc.dataplane?.backend, 'af_xdp', status.body.slice(0, 2000));
  process.stderr.write(`# AF_XDP on the virtio NIC: ${doc.dataplane?.xdpMode}\n`);
  assert.match(consoleLog, /pivs: pivs\.yaml: applied \(role: director\)/);
});

test('over SSH (key from the boot partition): pivsd is active as the pivs user, no watchdog restart', async () => {
  // sshd makes its host keys on the first boot (RSA is slow under emulation): it may come up after
  // /status. Bounded: one attempt every 5 s, at most 5 minutes.
  for (let i = 0; i < 60; i++) {
    try {
      ssh('true');
      break;
    } catch {
      await sleep(5000);
    }
  }
  assert.equal(ssh('systemctl is-active pivsd').trim(), 'active');
  const show = ssh('systemctl show pivsd -p NRestarts -p User -p Type -p WatchdogUSec');
  assert.match(show, /^NRestarts=0$/m);
  assert.match(show, /^Type=notify$/m);
  assert.match(show, /^User=pivs$/m);
  assert.equal(ssh('ps -o user= -p "$(systemctl show -p MainPID --value pivsd)"').trim(), 'pivs');
  assert.match(ssh('cat /etc/hostname'), /^pivs$/m);
  // It runs the kernel config.txt names for the Pi (the backports one), with the Pi 5's RP1 driver.
  const config = execFileSync('mtype', ['-i', fatAt(builtImage()), '::/config.txt'], { encoding: 'utf8' });
  assert.equal(`vmlinuz-${ssh('uname -r').trim()}`, /^kernel=(\S+)$/m.exec(config)?.[1]);
  assert.match(ssh('modinfo -n rp1_pci'), /\/rp1[-_]pci\.ko/);
  // The root file system grew into the bigger card on the first boot.
  assert.equal(ssh('systemctl is-active pivs-growfs pivs-boot-config'), 'active\nactive\n');
  const grownBytes = Number(ssh('lsblk -bno SIZE "$(findmnt -no SOURCE /)"').trim());
  assert.ok(grownBytes >= rootBytes + 500 * 1024 * 1024, `root partition ${grownBytes} bytes, image had ${rootBytes}`);
  const fsBytes = Number(ssh('df -B1 --output=size / | tail -1').trim());
  assert.ok(fsBytes > rootBytes, `root file system ${fsBytes} bytes, partition was ${rootBytes}`);
});

test('password logins are refused (keys only)', () => {
  const cfg = ssh('sshd -T | grep -E "^(passwordauthentication|permitrootlogin) "');
  assert.match(cfg, /^passwordauthentication no$/m);
  assert.match(cfg, /^permitrootlogin without-password$/m);
});
