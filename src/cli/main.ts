#!/usr/bin/env node
// pivsadm: wires argv parsing, the control client and the formatters together.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ControlError, ProtocolError, UnreachableError, request, requestPages, socketPath, type RequestOptions,
} from '../control/client';
import type { Action } from './action';
import { CliError, EXIT_LIST, EXIT_REFUSED, EXIT_USAGE, describeError } from './errors';
import { formatConnectionRows, formatConnectionsTitle, formatTimeouts } from './format_conns';
import { formatList, formatService } from './format_list';
import { formatLinks } from './format_links';
import { usage, versionLine } from './help';
import { stableJson, stableJsonArrayEnd, stableJsonArrayItems } from './json';
import { compareServices } from './labels';
import { NUMERIC, systemNames, type Names } from './names';
import { parseInvocation } from './parse';
import { parseRestore } from './restore';
import { saveText } from './save';

export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
  readStdin(): Promise<string>;
  env: NodeJS.ProcessEnv;
  /** Name lookups; default: /etc/hosts and /etc/services. */
  names?: Names;
  requestOptions?: RequestOptions;
}

function pivsVersion(): string {
  try {
    return JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')).version;
  } catch {
    return 'unknown';
  }
}

async function perform(action: Action, path: string, io: Io, names: Names): Promise<number> {
  const opts = io.requestOptions;
  const out = (numeric: boolean): Names => (numeric ? NUMERIC : names);
  switch (action.kind) {
    case 'help':
      io.stdout(usage('pivsadm', pivsVersion()));
      return 0;
    case 'version':
      io.stdout(`${versionLine(pivsVersion())}\n`);
      return 0;
    case 'command':
      await request(path, action.command, opts);
      return 0;
    case 'listServices': {
      const list = await request(path, { method: 'list' }, opts);
      if (!action.service) {
        io.stdout(action.format.json ? stableJson(list) : formatList(list, action.format, out(action.format.numeric)));
        return 0;
      }
      const key = action.service;
      const vs = list.virtualServices.find((s) => compareServices(s, key) === 0);
      if (!vs) throw new CliError('No such service', EXIT_LIST);
      io.stdout(action.format.json ? stableJson(vs) : formatService(vs, action.format, out(action.format.numeric)));
      return 0;
    }
    case 'listConnections': {
      // Printed as pivsd sends the pages: a table of any size is listed in constant memory. The
      // title waits for the first page, so that an unreachable pivsd prints only its error.
      const { format } = action;
      let started = false;
      let items = 0;
      await requestPages(path, { method: 'connections' }, (entries) => {
        if (format.json) {
          io.stdout(stableJsonArrayItems(entries, items === 0));
        } else {
          io.stdout((started ? '' : formatConnectionsTitle(format)) + formatConnectionRows(entries, out(format.numeric)));
        }
        started = true;
        items += entries.length;
      }, opts);
      if (format.json) io.stdout(stableJsonArrayEnd(items > 0));
      return 0;
    }
    case 'listTimeouts': {
      const timeouts = await request(path, { method: 'timeouts' }, opts);
      io.stdout(action.format.json ? stableJson(timeouts) : formatTimeouts(timeouts));
      return 0;
    }
    case 'save': {
      const list = await request(path, { method: 'list' }, opts);
      io.stdout(saveText(list, out(action.numeric)));
      return 0;
    }
    case 'listLinks': {
      const links = await request(path, { method: 'links' }, opts);
      io.stdout(action.json ? stableJson(links) : formatLinks(links));
      return 0;
    }
    case 'restore': {
      const parsed = parseRestore(await io.readStdin(), names);
      if (!parsed.ok) throw new CliError(`Line ${parsed.line}: ${parsed.message}; nothing was applied.`, parsed.exitCode);
      if (parsed.commands.length === 0) return 0;
      await request(path, { method: 'batch', params: { commands: parsed.commands } }, opts);
      return 0;
    }
  }
}

/** Runs one pivsadm invocation; returns the exit status (ipvsadm's codes). */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  const names = io.names ?? systemNames();
  let path = '';
  try {
    const invocation = parseInvocation(argv, names);
    path = socketPath(invocation.socket, io.env);
    return await perform(invocation.action, path, io, names);
  } catch (err) {
    if (err instanceof CliError) {
      io.stderr(`${err.message}\n`);
      return err.exitCode;
    }
    if (err instanceof ControlError) {
      const text = describeError(err.method, err.body);
      io.stderr(err.method === 'batch' ? `Restore failed, nothing was applied: ${text}\n` : `${text}\n`);
      return EXIT_REFUSED;
    }
    if (err instanceof UnreachableError) {
      io.stderr(`pivsd is not reachable at ${path} (${err.reason.code ?? err.reason.message}); `
        + 'start it with "systemctl start pivsd", or point --socket or $PIVS_SOCKET at its control socket.\n');
      return EXIT_USAGE;
    }
    if (err instanceof ProtocolError) {
      io.stderr(`${err.message}\n`);
      return EXIT_LIST;
    }
    throw err;
  }
}

function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => { text += chunk; });
    stream.on('end', () => resolve(text));
    stream.on('error', reject);
  });
}

if (require.main === module) {
  main(process.argv.slice(2), {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    readStdin: () => readAll(process.stdin),
    env: process.env,
  }).then((code) => { process.exitCode = code; }, (err: unknown) => {
    process.stderr.write(`pivsadm: unexpected failure: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
