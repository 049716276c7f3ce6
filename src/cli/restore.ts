// -R: every line of ipvsadm -S (or pivsadm -S) text parsed before anything is sent, so one bad line
// rejects the whole input and the daemon receives a single all-or-nothing batch.
import type { Command } from '../control/protocol';
import { CliError, EXIT_USAGE } from './errors';
import type { Names } from './names';
import { parseInvocation } from './parse';

export type RestoreResult =
  | { ok: true; commands: Command[] }
  | { ok: false; line: number; message: string; exitCode: number };

/** Words of one line; quotes group words as a shell would, since people edit these files by hand. */
function words(line: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}

export function parseRestore(text: string, names: Names): RestoreResult {
  const commands: Command[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const trimmed = lines[i].trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const argv = words(trimmed);
    if (argv[0] === 'ipvsadm' || argv[0] === 'pivsadm') argv.shift();
    try {
      const { action } = parseInvocation(argv, names);
      if (action.kind !== 'command') {
        return {
          ok: false, line: i + 1, exitCode: EXIT_USAGE,
          message: 'only commands that change the table (-A -E -D -C -a -e -d -Z --set) can be restored',
        };
      }
      commands.push(action.command);
    } catch (err) {
      if (!(err instanceof CliError)) throw err;
      return { ok: false, line: i + 1, message: err.message.split('\n')[0], exitCode: err.exitCode };
    }
  }
  return { ok: true, commands };
}
