// The sequence high-water mark on disk (director.stateDirectory, /var/lib/pivs/sequence): the
// highest number this process may have handed out. A start continues above both the mark and the
// clock, so a director whose clock is behind its previous life (no RTC, no NTP yet) still gets
// its signed datagrams accepted. The mark is written before any number under it is used, by
// write + fsync + rename + fsync of the directory, so a crash or power cut never lets a number
// be used twice. Writes are rare: one at start, then one per STORE_AHEAD numbers.
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { clockStart, type Reservation } from './sequence';

/** Reserved ahead of what is handed out, so a start (sync + up to 8 heartbeat links) writes once. */
export const STORE_AHEAD = 1n << 28n;
/** A mark above this (year 2248 on the clock's scale) is taken as a damaged file, not a time. */
const MAX_MARK = 1n << 63n;

export interface SequenceStoreLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface SequenceStoreOptions {
  /** The mark's file. */
  path: string;
  logger?: SequenceStoreLogger;
  /** Wall clock, ms since 1970 (default Date.now). */
  wallNow?: () => number;
}

const noLog: SequenceStoreLogger = { info: () => {}, warn: () => {} };

/** The mark in `path`; null when there is none (first start). Throws on a file it cannot trust. */
export function readMark(path: string): bigint | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  if (!/^\d{1,20}\n?$/.test(text)) throw new Error('it does not hold one decimal number');
  const mark = BigInt(text.trim());
  if (mark >= MAX_MARK) throw new Error(`its number ${mark} is beyond any clock`);
  return mark;
}

/** Replaces `path` with `mark`, durably: the old file or the new one survives a crash, never half of one. */
export function writeMark(path: string, mark: bigint): void {
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w', 0o640);
  try {
    writeSync(fd, `${mark}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  const dir = openSync(dirname(path), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

/**
 * A Reservation kept on disk. When the file cannot be written it says so once, at warn, and goes
 * on from the clock alone (numbers still rise within this life).
 */
export function openSequenceStore(opts: SequenceStoreOptions): Reservation {
  const log = opts.logger ?? noLog;
  const wall = (opts.wallNow ?? Date.now)();
  let saving = true;
  const giveUp = (err: unknown): void => {
    saving = false;
    log.warn({ err, path: opts.path },
      `sequence: cannot write ${opts.path}; sequence numbers now come from the clock alone, so after a restart with a clock that went back peers will drop this director's signed datagrams as replays. Make director.stateDirectory writable by pivsd`);
  };
  const previous = readOrIgnore(opts.path, log);
  const fromClock = clockStart(wall);
  let next = previous !== null && previous >= fromClock ? previous + 1n : fromClock;
  if (next !== fromClock) {
    log.info({ path: opts.path, clockMs: wall }, 'sequence: the clock is behind this director\'s previous life; continuing above its saved sequence numbers');
  }
  let reserved = next - 1n;
  return {
    reserve(count) {
      const first = next;
      next += count;
      if (saving && next - 1n > reserved) {
        try {
          writeMark(opts.path, next - 1n + STORE_AHEAD);
          reserved = next - 1n + STORE_AHEAD;
        } catch (e) {
          giveUp(e);
        }
      }
      return first;
    },
  };
}

function readOrIgnore(path: string, log: SequenceStoreLogger): bigint | null {
  try {
    return readMark(path);
  } catch (err) {
    // Written over at the first reservation if it can be: a damaged mark must not stop pivsd, nor stay damaged.
    log.warn({ err, path }, `sequence: ignoring ${path}, which cannot be read; sequence numbers start from the clock`);
    return null;
  }
}
