// Writing a paged answer (protocol.ts PageLine) to a client: one page read from the dataplane at a
// time, a turn of the event loop between pages, and no page read while the client has not taken
// the last one (the socket's 'drain'), so a listing of a million entries neither holds up VRRP
// adverts nor makes pivsd buffer what a client does not read.
import type { Writable } from 'node:stream';
import type { ConnectionEntry } from '../dataplane/types';
import type { PagedResponse } from './protocol';

/** Resolves once `out` has taken what it buffers, or is gone (nothing more is written then). */
function drained(out: Writable): Promise<void> {
  if (!out.writableNeedDrain || out.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      out.off('drain', done);
      out.off('close', done);
      out.off('error', done);
      resolve();
    };
    out.on('drain', done);
    out.on('close', done);
    out.on('error', done);
  });
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Writes every page but the last as a PageLine and the last as the response. A failure to read a
 * page ends the answer with an Internal error (after the pages already written).
 */
export async function writePaged(out: Writable, answer: PagedResponse): Promise<void> {
  const { id, pages } = answer;
  let held: ConnectionEntry[] = [];
  try {
    for (let p = pages.next(); !p.done; p = pages.next()) {
      if (!out.writable) return;
      // A page from an empty part of the table says nothing; the turn is still given.
      if (p.value.length > 0) {
        if (held.length > 0 && !out.write(`${JSON.stringify({ id, page: held })}\n`)) await drained(out);
        held = p.value;
      }
      await turn();
    }
  } catch (e) {
    if (out.writable) {
      out.write(`${JSON.stringify({ id, error: { code: 'Internal', message: e instanceof Error ? e.message : String(e) } })}\n`);
    }
    return;
  } finally {
    pages.return?.();
  }
  if (out.writable) out.write(`${JSON.stringify({ id, result: held })}\n`);
}
