// Dataplane throughput and memory, measured against two references in the same run over the same
// veth LAN (see src/lab/topology.ts): a generator in the client's namespace sends 64-byte UDP
// frames over many flows to VIP:9 for a fixed time; "delivered" is what the real servers' eth0
// received. The kernel reference is the director namespace turned into a router for the VIP (ECMP
// over the real servers, L4 hash), the same one-hop shape as DR; the XDP reference is a minimal
// XDP program doing the DR MAC rewrite with no connection table (bench/xdp_reference.bpf.c), what
// this path allows at most. pivsd runs on both backends (director.dataplane).
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { run, sleep } from '../src/lab/exec';
import { ROOT, startPivsd, type Pivsd } from '../src/lab/pivsd';
import { IFACE, Topology } from '../src/lab/topology';
import type { DataplaneBackend } from '../src/config/model';
import { buildGen } from './gen';

const SECONDS = 5;
const WARMUP_SECONDS = 1;
const FLOWS = 4096;
const PORT = 9;
const MEMORY_FLOWS = 1_000_000;
/** pivsd's default connTableSize: it holds up to that many entries (the slots are 4/3 of it). */
const MEMORY_TABLE = 1_048_576;
/** Source addresses of the memory run: more flows than one address has ports. */
const MEMORY_SOURCE = '198.19.0.1';
/** Below pivsd's one-worker rate measured above, so (almost) every flow's first packet is seen. */
const MEMORY_PPS = 75_000;
/** Passes over the same flows: a flow whose first packet was dropped is created by a later one. */
const MEMORY_PASSES = 2;

/** The new-connection run: more flows than it sends in its time, so every packet opens one. */
const NEW_FLOWS = 1_000_000;
const NEW_SECONDS = 1;
/** The CPU run: a rate every path carries, so each pays for the same packets. */
const CPU_PPS = 150_000;
/** USER_HZ: the unit of /proc/stat. */
const TICKS_PER_S = 100;

/**
 * Sending threads for the second full-speed run of each path: one per core. More senders offer more,
 * but on a machine this small they also take the cores the forwarder needs, so each path is run
 * with one sender and with these, and its better delivery counts.
 */
const GEN_THREADS = Math.min(4, cpus().length);

const OUT = join(ROOT, 'bench', 'out');
const GEN = join(OUT, 'gen');
const XDP_REFERENCE = join(OUT, 'xdp_reference.o');

interface Rate {
  label: string;
  offeredPps: number;
  deliveredPps: number;
}

/** A path at full speed with one sender and with GEN_THREADS. */
interface Saturation {
  label: string;
  one: Rate;
  many: Rate;
  best: number;
}

async function saturate(t: Topology, label: string, dstMac: string): Promise<Saturation> {
  const one = await measure(t, label, dstMac);
  const many = await measure(t, label, dstMac, undefined, false, SECONDS, GEN_THREADS);
  return { label, one, many, best: Math.max(one.deliveredPps, many.deliveredPps) };
}

async function buildGenerator(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  await buildGen(GEN);
}

const macBytes = (mac: string): string => mac.split(':').map((h) => `0x${h}`).join(',');

/** The reference forwarder for this LAN: VIP, port and MACs are compiled in. */
async function buildXdpReference(t: Topology): Promise<void> {
  const vip = t.vip.split('.').reduce((a, o) => a * 256 + Number(o), 0);
  const multiarch = (await run('gcc', ['-print-multiarch'])).trim();
  await run('clang', ['-O2', '-g', '-target', 'bpf', `-I/usr/include/${multiarch}`,
    `-DVIP=0x${vip.toString(16)}`, `-DPORT=${PORT}`, `-DOWN_MAC=${macBytes(t.director.mac)}`,
    `-DREAL_MACS=${t.reals.map((r) => `{${macBytes(r.mac)}}`).join(',')}`,
    '-c', join(ROOT, 'bench', 'xdp_reference.bpf.c'), '-o', XDP_REFERENCE], { timeoutMs: 60_000 });
}

async function withXdpReference<T>(t: Topology, body: () => Promise<T>): Promise<T> {
  // veth takes XDP_TX frames only into a peer whose queues run NAPI: an XDP program there does it.
  const peer = ['-n', t.switchNs, 'link', 'set', 'dev', t.switchPort(t.director), 'xdpdrv'];
  await run('ip', [...peer, 'obj', XDP_REFERENCE, 'program', 'xdp_pass']);
  await run('ip', ['-n', t.director.ns, 'link', 'set', 'dev', IFACE, 'xdpdrv', 'obj', XDP_REFERENCE, 'program', 'xdp_reference']);
  try {
    return await body();
  } finally {
    await run('ip', ['-n', t.director.ns, 'link', 'set', 'dev', IFACE, 'xdpdrv', 'off']);
    await run('ip', [...peer, 'off']);
  }
}

async function generate(t: Topology, dstMac: string, args: string[], timeoutMs: number): Promise<{ sent: number; seconds: number }> {
  const out = await t.exec(t.client, GEN, [
    '-i', IFACE, '-s', t.client.mac, '-d', dstMac, '-D', t.vip, '-p', String(PORT), ...args,
  ], timeoutMs);
  return JSON.parse(out) as { sent: number; seconds: number };
}

async function delivered(t: Topology): Promise<number> {
  const s = await Promise.all(t.reals.map((r) => t.linkStats(r)));
  return s.reduce((a, x) => a + x.rxPackets, 0);
}

/**
 * One timed run at full speed to the given MAC; returns offered and delivered packets/s. The warm-up
 * opens the flows first unless `warm` is false (every packet a new flow).
 */
async function measure(t: Topology, label: string, dstMac: string, flows = ['-S', t.client.address, '-f', String(FLOWS)], warm = true, seconds = SECONDS, threads = 1): Promise<Rate> {
  if (warm) await generate(t, dstMac, [...flows, '-t', String(WARMUP_SECONDS)], 30_000);
  await sleep(300);
  const before = await delivered(t);
  const g = await generate(t, dstMac, [...flows, '-t', String(seconds), '-j', String(threads)], 60_000);
  // Frames still queued in rings and backlogs land within a few hundred milliseconds.
  await sleep(500);
  const after = await delivered(t);
  return { label, offeredPps: g.sent / g.seconds, deliveredPps: (after - before) / g.seconds };
}

/** Busy CPU time of the whole machine so far, in seconds: user, nice, system, irq, softirq (/proc/stat). */
function busySeconds(): number {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return (f[0] + f[1] + f[2] + f[5] + f[6]) / TICKS_PER_S;
}

interface Cpu {
  label: string;
  delivered: number;
  /** Machine CPU per delivered packet, in ns. */
  nsPerPacket: number;
}

/** CPU_PPS for SECONDS to `dstMac`: the machine's busy time per delivered packet. */
async function cpuRun(t: Topology, label: string, dstMac: string): Promise<Cpu> {
  await sleep(300);
  const before = await delivered(t);
  const busy = busySeconds();
  await generate(t, dstMac, ['-S', t.client.address, '-f', String(FLOWS), '-t', String(SECONDS), '-r', String(CPU_PPS)], 60_000);
  await sleep(500);
  const spent = busySeconds() - busy;
  const n = (await delivered(t)) - before;
  return { label, delivered: n, nsPerPacket: (spent * 1e9) / Math.max(1, n) };
}

function writeConfig(t: Topology, name: string, workers: number, connTableSize: number, dataplane: DataplaneBackend): string {
  const file = join(t.runDir, name);
  writeFileSync(file, stringify({
    director: { interface: IFACE, workers, connTableSize, dataplane },
    virtualServices: [{
      protocol: 'udp', address: t.vip, port: PORT, scheduler: 'rr',
      realServers: t.reals.map((r) => ({ address: r.address, port: PORT, weight: 1 })),
    }],
  }));
  return file;
}

async function withPivsd<T>(t: Topology, workers: number, connTableSize: number, dataplane: DataplaneBackend, body: (p: Pivsd) => Promise<T>): Promise<T> {
  const tag = `bench-${dataplane}-w${workers}-${connTableSize}`;
  const configFile = writeConfig(t, `${tag}.yaml`, workers, connTableSize, dataplane);
  const p = await startPivsd(t, { workers, configFile, tag, dataplane });
  try {
    await p.waitReady();
    return await body(p);
  } finally {
    await p.stop();
  }
}

function vmKiB(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (m === null) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(m[1]);
}

interface Memory {
  sent: number;
  connections: number;
  hwmBeforeKiB: number;
  hwmAfterKiB: number;
  /** Full speed over the same million flows once they are all in the table. */
  established: Rate;
}

async function memoryRun(t: Topology, dataplane: DataplaneBackend): Promise<Memory> {
  return withPivsd(t, 1, MEMORY_TABLE, dataplane, async (p) => {
    const hwmBeforeKiB = vmKiB(p.pid, 'VmHWM');
    let connections = 0;
    for (let pass = 0; pass < MEMORY_PASSES && connections < MEMORY_FLOWS; pass++) {
      await generate(t, t.director.mac, [
        '-S', MEMORY_SOURCE, '-f', String(MEMORY_FLOWS), '-n', String(MEMORY_FLOWS), '-r', String(MEMORY_PPS),
      ], 60_000);
      await sleep(1000);
      const l = await p.list();
      connections = l.virtualServices.reduce((a, s) => a + s.stats.conns, 0);
    }
    const hwmAfterKiB = vmKiB(p.pid, 'VmHWM');
    const established = await measure(t, `pivsd ${dataplane}, 1 M entries`, t.director.mac,
      ['-S', MEMORY_SOURCE, '-f', String(MEMORY_FLOWS)], false);
    return { sent: MEMORY_FLOWS, connections, hwmBeforeKiB, hwmAfterKiB, established };
  });
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const pad = (s: string, n: number): string => s.padStart(n);

export async function runDataplaneBench(): Promise<string> {
  await buildGenerator();
  const t = await Topology.create({ kind: 'b', realServers: 3 });
  try {
    await buildXdpReference(t);
    await t.makeDirectorKernelRouter();
    const kernel = await saturate(t, 'kernel IP forwarding', t.director.mac);
    await t.undoDirectorKernelRouter();
    const direct = await cpuRun(t, 'straight to a real server', t.reals[0].mac);
    await t.makeDirectorKernelRouter();
    const cpu: Cpu[] = [await cpuRun(t, 'kernel IP forwarding', t.director.mac)];
    await t.undoDirectorKernelRouter();
    const reference = await withXdpReference(t, async () => {
      cpu.push(await cpuRun(t, 'XDP reference', t.director.mac));
      return saturate(t, 'XDP reference', t.director.mac);
    });
    const rates: Saturation[] = [kernel, reference];
    const runs: Array<[DataplaneBackend, number]> = [['af_packet', 1], ['af_packet', 2], ['af_xdp', 1]];
    for (const [dataplane, workers] of runs) {
      const label = `pivsd ${dataplane}, ${workers} worker${workers > 1 ? 's' : ''}`;
      rates.push(await withPivsd(t, workers, 1_048_576, dataplane, async () => {
        if (workers === 1) cpu.push(await cpuRun(t, label, t.director.mac));
        return saturate(t, label, t.director.mac);
      }));
    }
    const fresh: Rate[] = [];
    for (const dataplane of ['af_packet', 'af_xdp'] as const) {
      fresh.push(await withPivsd(t, 1, 1_048_576, dataplane, () => measure(t, `pivsd ${dataplane}, 1 worker`, t.director.mac,
        ['-S', MEMORY_SOURCE, '-f', String(NEW_FLOWS)], false, NEW_SECONDS)));
    }
    const mem = await memoryRun(t, 'af_xdp');

    const ratios = (pps: number): string => `${pad((pps / kernel.best).toFixed(2), 11)}${pad((pps / reference.best).toFixed(2), 10)}`;
    const row = (r: Rate): string => `${r.label.padEnd(28)}${pad(fmt(r.offeredPps), 14)}${pad(fmt(r.deliveredPps), 15)}${ratios(r.deliveredPps)}`;
    const header = `${'path'.padEnd(28)}${pad('offered pps', 14)}${pad('delivered pps', 15)}${pad('vs kernel', 11)}${pad('vs XDP', 10)}`;
    const many = `${GEN_THREADS} senders`;
    const saturationHeader = `${'path'.padEnd(28)}${pad('1 sender: offered', 19)}${pad('delivered', 11)}${pad(`${many}: offered`, 20)}` +
      `${pad('delivered', 11)}${pad('vs kernel', 11)}${pad('vs XDP', 10)}`;
    const saturationRow = (r: Saturation): string => `${r.label.padEnd(28)}${pad(fmt(r.one.offeredPps), 19)}${pad(fmt(r.one.deliveredPps), 11)}` +
      `${pad(fmt(r.many.offeredPps), 20)}${pad(fmt(r.many.deliveredPps), 11)}${ratios(r.best)}`;
    const lines = [
      `dataplane: 64-byte UDP frames, ${FLOWS} established flows to VIP:${PORT}, ${SECONDS} s per run, ${t.reals.length} real servers, veth + bridge, a ${cpus().length}-core machine; each path with one sending thread and with ${GEN_THREADS}, ratios of the better delivery`,
      saturationHeader,
      ...rates.map(saturationRow),
      '',
      `CPU per forwarded packet at ${fmt(CPU_PPS)} pps offered (the whole machine's busy time, /proc/stat), less the ${direct.nsPerPacket.toFixed(0)} ns of sending straight to a real server`,
      `${'path'.padEnd(28)}${pad('delivered', 12)}${pad('ns/packet', 11)}${pad('vs kernel', 11)}${pad('vs XDP', 10)}`,
      ...cpu.map((c) => {
        const own = (x: Cpu): number => Math.max(1, x.nsPerPacket - direct.nsPerPacket);
        return `${c.label.padEnd(28)}${pad(fmt(c.delivered), 12)}${pad(own(c).toFixed(0), 11)}${pad((own(c) / own(cpu[0])).toFixed(2), 11)}${pad((own(c) / own(cpu[1])).toFixed(2), 10)}`;
      }),
      '',
      `new connections: every packet a new flow (${fmt(NEW_FLOWS)} flows, ${NEW_SECONDS} s), delivered = connections opened per second`,
      header,
      ...fresh.map(row),
      '',
      `established flows with 1 M entries in the table: full speed over the million flows of the memory run`,
      header,
      row(mem.established),
      '',
      `pivsd memory: ${fmt(mem.sent)} distinct UDP flows sent at ${fmt(MEMORY_PPS)} pps (up to ${MEMORY_PASSES} passes), ${fmt(mem.connections)} connections scheduled (table size ${fmt(MEMORY_TABLE)})`,
      `  peak RSS (VmHWM) before ${fmt(mem.hwmBeforeKiB / 1024)} MiB, after ${fmt(mem.hwmAfterKiB / 1024)} MiB, ` +
        `${((mem.hwmAfterKiB - mem.hwmBeforeKiB) * 1024 / Math.max(1, mem.connections)).toFixed(0)} bytes per connection`,
    ];
    return lines.join('\n');
  } finally {
    await t.teardown();
  }
}
