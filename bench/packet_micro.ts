// The per-packet cost of the fast path without I/O: builds bench/packet_micro.cc
// with g++ -O2 (as binding.gyp builds the addon) against the core of native/ (every native/*.cc
// that does not need N-API, the files scripts/native-check builds) and runs it; it prints its own
// table: ns per packet for established flows with 1 and 1,000,000 entries and for new flows, RSS
// per entry, each against a memcpy of the frame and a std::unordered_map measured in the same run.
// With enough free memory (PACKET_MICRO_BIG_GIB, 4 GiB; it needs about 1.5) it measures a
// 10,000,000-entry table too.
// No root, no interface: `node dist/bench/packet_micro.js` runs it alone.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { availableParallelism, freemem } from 'node:os';
import { basename, join } from 'node:path';
import { run } from '../src/lab/exec';
import { ROOT } from '../src/lab/pivsd';

const CXX = process.env.CXX_BENCH ?? 'g++';
const FLAGS = ['-std=c++17', '-O2', '-pthread', '-Wall', '-Wextra', '-Wno-unused-parameter'];
const OUT = join(ROOT, 'bench', 'out', 'packet_micro');
const RUNS = 7;
const BIG_GIB = Number(process.env.PACKET_MICRO_BIG_GIB ?? 4);

/** The core, native/*.cc without N-API, as scripts/native-check chooses it. */
function coreSources(): string[] {
  return execFileSync(join(ROOT, 'scripts', 'native-check'), ['sources'], { encoding: 'utf8' }).split('\n').filter((l) => l !== '');
}

/** Compiles every source to an object, as many at once as there are cores, then links. */
async function build(): Promise<string> {
  const objDir = join(OUT, 'obj');
  mkdirSync(objDir, { recursive: true });
  const sources = [...coreSources(), join(ROOT, 'bench', 'packet_micro.cc')];
  const objects = sources.map((s) => join(objDir, `${basename(s, '.cc')}.o`));
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < sources.length) {
      const i = next++;
      await run(CXX, [...FLAGS, '-c', sources[i], '-o', objects[i]], { timeoutMs: 300_000 });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, availableParallelism()) }, worker));
  const exe = join(OUT, 'packet_micro');
  await run(CXX, ['-pthread', ...objects, '-o', exe], { timeoutMs: 120_000 });
  return exe;
}

export async function runPacketMicroBench(): Promise<string> {
  const exe = await build();
  const args = ['--runs', String(RUNS)];
  if (freemem() >= BIG_GIB * 2 ** 30) args.push('--ten-million');
  return (await run(exe, args, { timeoutMs: 30 * 60_000 })).trimEnd();
}

if (require.main === module) {
  runPacketMicroBench().then((s) => process.stdout.write(`${s}\n`), (e: Error) => {
    process.stderr.write(`packet-micro bench: ${e.message}\n`);
    process.exitCode = 1;
  });
}
