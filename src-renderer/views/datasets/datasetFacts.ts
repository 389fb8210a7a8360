import type { DatasetSummary } from '../../../src-shared/domain/dataset';

/** Numbers as the dataset table shows them. */

export function formatRate(hz: number): string {
  return `${Number.isInteger(hz) ? hz : hz.toPrecision(4)} Hz`;
}

export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 2 : 1)} s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m} min ${String(Math.round(seconds - m * 60)).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

export function totalDuration(dataset: DatasetSummary): number {
  return dataset.sessions.reduce((sum, s) => sum + s.durationSeconds, 0);
}

/** Missing share over all sessions, weighted by length; null when no session has it counted. */
export function gapFraction(dataset: DatasetSummary): number | null {
  let missing = 0;
  let total = 0;
  for (const s of dataset.sessions) {
    if (s.gapFraction === null) continue;
    missing += s.gapFraction * s.nSamples;
    total += s.nSamples;
  }
  return total === 0 ? null : missing / total;
}

export function formatPercent(fraction: number | null, digits = 1): string {
  return fraction === null ? '—' : `${(fraction * 100).toFixed(digits)}%`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}
