import type { RunSummary } from '../../../src-shared/domain/run';

/**
 * What the runs table says about a run's config: modes (DyNeMo), latent size, RNN units and
 * sequence length (VRAE/VOSP), epochs and learning rate.
 */
export function configSummary(config: unknown): string {
  if (config === null || typeof config !== 'object') return '—';
  const c = config as Record<string, unknown>;
  const parts: string[] = [];
  if (typeof c.n_modes === 'number') parts.push(`${c.n_modes} modes`);
  if (typeof c.latent_dim === 'number') parts.push(`${c.latent_dim} latents`);
  if (typeof c.n_units === 'number') parts.push(`${c.n_units} units`);
  if (typeof c.n_modes !== 'number' && typeof c.sequence_length === 'number')
    parts.push(`sequences of ${c.sequence_length}`);
  if (typeof c.n_epochs === 'number') parts.push(`${c.n_epochs} epochs`);
  if (typeof c.learning_rate === 'number') parts.push(`lr ${c.learning_rate}`);
  return parts.length > 0 ? parts.join(' · ') : '—';
}

/** Wall time from start to finish (or to `now` while running), in ms; null before it starts. */
export function runDurationMs(run: RunSummary, now: number = Date.now()): number | null {
  if (run.startedAt === null) return null;
  const start = Date.parse(run.startedAt);
  const end = run.finishedAt !== null ? Date.parse(run.finishedAt) : run.status === 'running' ? now : null;
  if (end === null || Number.isNaN(start) || Number.isNaN(end)) return null;
  return Math.max(0, end - start);
}

/** "850 ms", "42 s", "3 min 07 s", "1 h 02 min". */
export function formatDuration(ms: number | null): string {
  if (ms === null) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

export function runLabel(run: Pick<RunSummary, 'id' | 'name'>): string {
  return run.name ? `#${run.id} ${run.name}` : `#${run.id}`;
}

/** Free energy to five significant figures, or a dash when there is none yet. */
export function formatFreeEnergy(value: number | null): string {
  return value === null ? '—' : value.toPrecision(5);
}

export const finishedStatuses: ReadonlySet<string> = new Set([
  'completed',
  'failed',
  'cancelled',
  'interrupted',
]);
