/**
 * Which config keys differ between runs: the comparison table lists every key, and marks those
 * whose values are not all equal (compared as JSON, so matrices compare by content).
 */
export interface ConfigDiffRow {
  key: string;
  /** One entry per run, in the order given; undefined where a run's config lacks the key. */
  values: unknown[];
  differs: boolean;
}

function asRecord(config: unknown): Record<string, unknown> {
  return config !== null && typeof config === 'object' && !Array.isArray(config)
    ? (config as Record<string, unknown>)
    : {};
}

export function diffConfigs(configs: readonly unknown[]): ConfigDiffRow[] {
  const records = configs.map(asRecord);
  const keys: string[] = [];
  for (const r of records) for (const k of Object.keys(r)) if (!keys.includes(k)) keys.push(k);
  return keys.map((key) => {
    const values = records.map((r) => r[key]);
    const texts = values.map((v) => JSON.stringify(v));
    return { key, values, differs: texts.some((t) => t !== texts[0]) };
  });
}

/** A config value as a table cell shows it. */
export function configValueText(value: unknown): string {
  if (value === undefined) return '—';
  if (value === null) return 'none';
  if (Array.isArray(value)) return `[${value.length} items]`;
  return String(value);
}
