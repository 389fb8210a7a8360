/** A stored pipeline (typed `unknown` on the wire) as step names with their parameters in words. */
export function pipelineSummary(pipeline: unknown): Array<{ name: string; params: string }> {
  const steps = (pipeline as { steps?: unknown } | null)?.steps;
  if (!Array.isArray(steps)) return [];
  return steps.map((s: unknown) => {
    const step = (s ?? {}) as { name?: unknown; params?: unknown };
    const params =
      step.params && typeof step.params === 'object'
        ? Object.entries(step.params as Record<string, unknown>)
            .filter(([k, v]) => !(k === 'use_raw' && v === false) && v !== null)
            .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
            .join(', ')
        : '';
    return { name: typeof step.name === 'string' ? step.name : '?', params };
  });
}
