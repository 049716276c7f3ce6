// The one way pivs runs an operator's program (health MISC checks, health and VRRP notify
// commands, VRRP track scripts): without a shell, without pivsd's capabilities, in a process group
// of its own, and killed whole (the group, grandchildren included) when its time is up.
//
// Capabilities: systemd gives pivsd CAP_NET_RAW/NET_ADMIN/BPF/NET_BIND_SERVICE as *ambient*
// capabilities, which a plain exec would hand on. Every program is started through util-linux
// setpriv, which clears the inheritable and ambient sets (and the bounding set when pivsd may,
// i.e. holds CAP_SETPCAP, as root does) before exec: the program runs as pivsd's user with no
// capabilities at all. keepalived runs its scripts as `script_user`; pivsd already runs as the
// unprivileged `pivs` user and cannot change user (the unit grants no CAP_SETUID), so that user,
// stripped of its capabilities, is the script user (docs/health.md).
import { spawn as nodeSpawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';

export interface ScriptExit {
  /** Exit code; null when killed by a signal or not started. */
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The time limit ended it (its whole process group was killed). */
  timedOut: boolean;
  /** It could not be started (e.g. the program does not exist). */
  error?: Error;
}

export interface ScriptRun {
  readonly pid: number | undefined;
  /** Settles once the program has exited or could not start; never rejects. */
  readonly exited: Promise<ScriptExit>;
  /** Kills the whole process group now (SIGKILL); harmless after the exit. */
  kill(): void;
}

export interface ScriptOptions {
  /** Added to pivsd's environment. */
  env?: Record<string, string>;
  /** Kill the group after this long; absent: no limit (the caller kills). */
  timeoutMs?: number;
  /** For tests. */
  spawn?: (cmd: string, args: string[], opts: SpawnOptions) => ChildProcess;
}

const CAP_SETPCAP = 8;

/** setpriv's arguments that leave a program without capabilities. */
export function dropCapsArgs(status: string = readStatus()): string[] {
  const args = ['--inh-caps=-all', '--ambient-caps=-all'];
  const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(status);
  if (m !== null && (BigInt(`0x${m[1]}`) & (1n << BigInt(CAP_SETPCAP))) !== 0n) args.push('--bounding-set=-all');
  return args;
}

function readStatus(): string {
  try {
    return readFileSync('/proc/self/status', 'utf8');
  } catch {
    return '';
  }
}

let cachedDropArgs: string[] | null = null;

export function runScript(argv: readonly string[], opts: ScriptOptions = {}): ScriptRun {
  cachedDropArgs ??= dropCapsArgs();
  const spawn = opts.spawn ?? nodeSpawn;
  let child: ChildProcess;
  let settle!: (e: ScriptExit) => void;
  const exited = new Promise<ScriptExit>((resolve) => { settle = resolve; });
  let timedOut = false;
  let done = false;
  const finish = (e: ScriptExit): void => {
    if (done) return;
    done = true;
    if (timer !== undefined) clearTimeout(timer);
    settle(e);
  };
  let timer: NodeJS.Timeout | undefined;
  try {
    // setpriv would only say "exited 127": a path that cannot be executed is named here instead.
    if (argv[0].includes('/')) accessSync(argv[0], constants.X_OK);
    child = spawn('setpriv', [...cachedDropArgs, '--', ...argv], {
      stdio: 'ignore', detached: true,
      env: opts.env === undefined ? process.env : { ...process.env, ...opts.env },
    });
  } catch (err) {
    finish({ code: null, signal: null, timedOut: false, error: err as Error });
    return { pid: undefined, exited, kill: () => undefined };
  }
  const kill = (): void => {
    if (done || child.pid === undefined) return;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      child.kill('SIGKILL');
    }
  };
  child.once('error', (err) => finish({ code: null, signal: null, timedOut, error: err }));
  // setpriv exits 127 (exec failed) when the program itself cannot be run.
  child.once('exit', (code, signal) => finish({ code, signal, timedOut }));
  if (opts.timeoutMs !== undefined) {
    timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, opts.timeoutMs);
    timer.unref();
  }
  return { pid: child.pid, exited, kill };
}
