// Turns one decoded request into one response. Requests come off a socket, so nothing about
// their shape is trusted: every refusal is an Invalid error and changes nothing.
import type { Director } from './director';
import type { Command, ErrorBody, PagedResponse, Response } from './protocol';
import { isCommandMethod } from './state';

const QUERIES = new Set(['list', 'connections', 'timeouts']);

/** The connections query is answered in pages, read from the dataplane as the socket takes them. */
export function handleRequest(director: Director, request: unknown): Response | PagedResponse {
  if (typeof request !== 'object' || request === null || Array.isArray(request)) {
    return invalid(0, 'a request must be a JSON object with "id" and "method"');
  }
  const { id, method, params } = request as { id?: unknown; method?: unknown; params?: unknown };
  if (typeof id !== 'number' || !Number.isSafeInteger(id)) {
    return invalid(0, 'the request "id" must be an integer');
  }
  if (typeof method !== 'string') return invalid(id, 'the request "method" must be a string');
  if (method === 'connections') return { id, pages: director.connectionPages() };
  if (QUERIES.has(method)) return { id, result: query(director, method) };
  let commands: Command[];
  let batch = false;
  if (method === 'batch') {
    const list = (params as { commands?: unknown } | undefined)?.commands;
    if (!Array.isArray(list)) return invalid(id, 'batch: params.commands must be a list of commands');
    const bad = list.findIndex((c) => !isCommandMethod((c as { method?: unknown } | null)?.method));
    if (bad >= 0) return invalid(id, `batch: commands[${bad}] is not a command`);
    commands = list as Command[];
    batch = true;
  } else if (isCommandMethod(method)) {
    commands = [request as Command];
  } else {
    return invalid(id, `unknown method ${JSON.stringify(method)}`);
  }
  const error = director.execute(commands, batch);
  return error === null ? { id, result: null } : { id, error };
}

function query(director: Director, method: string): unknown {
  switch (method) {
    case 'list': return director.list();
    default: return director.timeouts();
  }
}

function invalid(id: number, message: string): { id: number; error: ErrorBody } {
  return { id, error: { code: 'Invalid', message } };
}
