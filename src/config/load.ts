// The one place in pivs that reads configuration files.
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { ConfigError } from './errors';
import type { Config } from './model';
import { validateConfig, type ValidateOptions } from './validate';

/**
 * At start (the default) an empty file (nothing but blanks and comments) is a valid empty
 * configuration: a director whose services all come from pivsadm. On a reload it is refused: a
 * file caught half-written (an editor or `cp` truncating it first) would otherwise remove every
 * service. A reload that really means "no services" says `virtualServices: []`.
 */
export interface LoadOptions {
  reload?: boolean;
}

/** Parses and validates YAML text; throws ConfigError with one sentence. */
export function parseConfig(text: string, options: ValidateOptions = {}, load: LoadOptions = {}): Config {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const problem = doc.errors[0];
  if (problem !== undefined) {
    const where = problem.linePos?.[0];
    const at = where === undefined ? '' : `line ${where.line}, column ${where.col}: `;
    throw new ConfigError('', `${at}${firstLine(problem.message)} (the file is not valid YAML)`);
  }
  if (load.reload === true && doc.contents === null) {
    throw new ConfigError('', 'the file is empty, so the reload is refused (a reload that removes every service says "virtualServices: []")');
  }
  return validateConfig(doc.toJS(), options);
}

export function loadConfigFile(path: string, options: ValidateOptions = {}, load: LoadOptions = {}): Config {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new ConfigError('', `cannot read ${path} (${code}); check the path and its permissions`);
  }
  return parseConfig(text, options, load);
}

/** yaml's pretty message is "What went wrong at line L, column C:" plus a source excerpt. */
function firstLine(s: string): string {
  return s.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '').replace(/[.:]\s*$/, '');
}
