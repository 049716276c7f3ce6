// The one place in pivs that reads configuration files.
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { ConfigError } from './errors';
import type { Config } from './model';
import { validateConfig, type ValidateOptions } from './validate';

/** Parses and validates YAML text; throws ConfigError with one sentence. */
export function parseConfig(text: string, options: ValidateOptions = {}): Config {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const problem = doc.errors[0];
  if (problem !== undefined) {
    const where = problem.linePos?.[0];
    const at = where === undefined ? '' : `line ${where.line}, column ${where.col}: `;
    throw new ConfigError('', `${at}${firstLine(problem.message)} (the file is not valid YAML)`);
  }
  return validateConfig(doc.toJS(), options);
}

export function loadConfigFile(path: string, options: ValidateOptions = {}): Config {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new ConfigError('', `cannot read ${path} (${code}); check the path and its permissions`);
  }
  return parseConfig(text, options);
}

/** yaml's pretty message is "What went wrong at line L, column C:" plus a source excerpt. */
function firstLine(s: string): string {
  return s.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '').replace(/[.:]\s*$/, '');
}
