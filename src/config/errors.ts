/** A refused configuration (file or single item): one sentence naming the field path. */
export class ConfigError extends Error {
  /** Dotted field path, e.g. "virtualServices[1].realServers[0].address" ("" for the whole file). */
  readonly path: string;
  /** What is wrong with that field, without the path. */
  readonly detail: string;

  constructor(path: string, detail: string) {
    super(path === '' ? `config: ${detail}` : `config: ${path}: ${detail}`);
    this.name = 'ConfigError';
    this.path = path;
    this.detail = detail;
  }
}

export function fail(path: string, detail: string): never {
  throw new ConfigError(path, detail);
}
