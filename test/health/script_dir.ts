// A temporary directory of shell scripts for the tests that run scripts (health checks, notify
// and track commands), removed by an after() hook of the enclosing describe or file.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';

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
