// --json output: pretty, with keys sorted at every level so the text is stable across daemon versions.
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    return Object.fromEntries(Object.keys(obj).sort().map((k) => [k, sortKeys(obj[k])]));
  }
  return value;
}

export function stableJson(value: unknown): string {
  return `${JSON.stringify(sortKeys(value), null, 2)}\n`;
}

/**
 * stableJson() of an array that comes a part at a time: the text of these items, `first` when no
 * item came before them; stableJsonArrayEnd() closes it.
 */
export function stableJsonArrayItems(items: readonly unknown[], first: boolean): string {
  return items.map((v, i) => `${first && i === 0 ? '[' : ','}\n${JSON.stringify(sortKeys(v), null, 2).replace(/^/gm, '  ')}`).join('');
}

export function stableJsonArrayEnd(anyItems: boolean): string {
  return anyItems ? '\n]\n' : '[]\n';
}
