// A strict reader of the Prometheus text format (0.0.4), enough to check what /metrics serves:
// every sample line must parse and belong to a family announced by # TYPE.
export interface PromFamily {
  type: string;
  help: string;
}

export interface PromText {
  families: Map<string, PromFamily>;
  /** "name{a="x",b="y"}" with labels sorted by name -> value. */
  samples: Map<string, number>;
}

export function sampleKey(name: string, labels: Record<string, string | number> = {}): string {
  const parts = Object.keys(labels).sort().map((k) => `${k}="${String(labels[k])}"`);
  return parts.length === 0 ? name : `${name}{${parts.join(',')}}`;
}

export function parsePromText(text: string): PromText {
  const families = new Map<string, PromFamily>();
  const samples = new Map<string, number>();
  const helps = new Map<string, string>();
  for (const [i, line] of text.split('\n').entries()) {
    if (line === '') continue;
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (meta !== null) {
      if (meta[1] === 'HELP') helps.set(meta[2], meta[3]);
      else families.set(meta[2], { type: meta[3], help: helps.get(meta[2]) ?? '' });
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (-?[0-9.e+-]+|NaN|\+Inf|-Inf)$/.exec(line);
    if (m === null) throw new Error(`line ${i + 1} is not Prometheus text: ${line}`);
    const labels: Record<string, string> = {};
    if (m[2] !== undefined && m[2] !== '') {
      for (const pair of m[2].match(/[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*"/g) ?? []) {
        const eq = pair.indexOf('=');
        labels[pair.slice(0, eq)] = pair.slice(eq + 2, -1);
      }
    }
    if (!families.has(m[1])) throw new Error(`line ${i + 1}: ${m[1]} has no # TYPE line before it`);
    const key = sampleKey(m[1], labels);
    if (samples.has(key)) throw new Error(`line ${i + 1}: ${key} appears twice`);
    samples.set(key, Number(m[3]));
  }
  return { families, samples };
}
