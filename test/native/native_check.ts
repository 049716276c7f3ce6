// Runs scripts/native-check (the sanitizer and fuzz builds of native/, see that script) for the
// tests in this folder.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { packageRoot } from '../../src/dataplane/native';

export const ROOT = packageRoot();
const SCRIPT = path.join(ROOT, 'scripts', 'native-check');

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs scripts/native-check in a process group of its own, killed whole at the deadline. */
export function nativeCheck(args: string[], timeoutMs: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(SCRIPT, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      stderr += `\n[killed after ${timeoutMs} ms]\n`;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** What failed, with the end of its output. */
export function report(what: string, r: Run): string {
  const out = `${r.stdout}\n${r.stderr}`.trim();
  const tail = out.length > 20000 ? `[...]\n${out.slice(-20000)}` : out;
  return `${what}: exit ${r.code ?? r.signal} after ${r.ms} ms\n${tail}`;
}
