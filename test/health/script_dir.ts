// A temporary directory of shell scripts for the tests that run scripts (health checks, notify
// and track commands), removed by an after() hook of the enclosing describe or file.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';

/**
 * The timeout that ends a script which hangs on purpose: long enough that a loaded machine has
 * started the script and its grandchild (and written its pid file) before the timeout kills them.
 */
export const HANG_TIMEOUT_MS = 2000;

/** Running or not: a zombie waiting for init to reap it counts as gone. */
export function running(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(' ')[2] !== 'Z';
  } catch {
    return false;
  }
}

/**
 * Whether `pid` (a killed grandchild, which no event reports) is gone within 2 s: SIGKILL reaches
 * the whole group at once, but on a loaded machine the process may wait for a CPU to die.
 */
export async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 200 && running(pid); i++) await new Promise((r) => setTimeout(r, 10));
  return !running(pid);
}

export interface ScriptDir {
  /** Path of a file in the directory. */
  path(name: string): string;
  /** Writes an executable /bin/sh script and returns its path. */
  script(name: string, body: string): string;
}

export function useScriptDir(prefix: string): ScriptDir {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return {
    path: (name) => join(dir, name),
    script(name, body) {
      const path = join(dir, name);
      writeFileSync(path, `#!/bin/sh\n${body}\n`);
      chmodSync(path, 0o755);
      return path;
    },
  };
}
