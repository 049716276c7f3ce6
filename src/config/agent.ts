// Reads pivs-agent's own YAML file (the agent runs on real servers; its settings are not part of
// pivsd's config). config/ stays the one module that reads files; agent/config.ts validates.
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';

export class AgentFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AgentFileError';
  }
}

/** The parsed YAML document (not yet validated); throws AgentFileError with one sentence. */
export function readAgentFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new AgentFileError(`pivs-agent config: cannot read ${path} (${code}); check the path and its permissions`);
  }
  const doc = parseDocument(text, { uniqueKeys: true });
  const problem = doc.errors[0];
  if (problem !== undefined) {
    throw new AgentFileError(`pivs-agent config: ${path} is not valid YAML (${problem.message.split('\n')[0]})`);
  }
  return doc.toJS();
}

/** One /proc file's text (pivs-agent reads cpuinfo once, meminfo every period). */
export function readProcFile(procRoot: string, name: 'cpuinfo' | 'meminfo'): string {
  return readFileSync(`${procRoot.replace(/\/+$/, '')}/${name}`, 'utf8');
}
