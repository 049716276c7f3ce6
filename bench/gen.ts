// Builds bench/gen.c, the frame generator of the bench and the flood tests, with the one command line.
import { join } from 'node:path';
import { run } from '../src/lab/exec';
import { ROOT } from '../src/lab/pivsd';

export async function buildGen(out: string): Promise<void> {
  await run('gcc', ['-O2', '-Wall', '-pthread', '-o', out, join(ROOT, 'bench', 'gen.c')], { timeoutMs: 60_000 });
}
