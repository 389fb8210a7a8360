import type { RunSummary } from '../../../src-shared/domain/run';
import type { ExportFormatName, ExportRunRequest } from '../../../src-shared/rpc/channels/exports';
import { joinPath, parentPath } from '../../paths/filePaths';

/** What the Export view's form holds before it becomes an `exports.run` request. */
export interface ExportDraft {
  runId: number | null;
  folder: string;
  formats: readonly ExportFormatName[];
  report: boolean;
  spectra: boolean;
  overwrite: boolean;
}

export const FORMAT_CHOICES: ReadonlyArray<{ format: ExportFormatName; label: string; hint: string }> = [
  { format: 'npy', label: 'NumPy (.npy)', hint: 'osl-dynamics layout, read with numpy.load' },
  { format: 'mat', label: 'MATLAB (.mat)', hint: 'Level 5 MAT-files, read with load or scipy.io.loadmat' },
  { format: 'csv', label: 'CSV (.csv)', hint: 'one row per time point, header with column names' },
];

export function emptyDraft(): ExportDraft {
  return {
    runId: null,
    folder: '',
    formats: ['npy', 'mat', 'csv'],
    report: true,
    spectra: true,
    overwrite: false,
  };
}

/** Runs that have results to export, newest first. */
export function exportableRuns(runs: readonly RunSummary[]): RunSummary[] {
  return runs.filter((r) => r.status === 'completed').sort((a, b) => b.id - a.id);
}

function looksAbsolute(path: string): boolean {
  return path.startsWith('/') || path.startsWith('\\\\') || /^[A-Za-z]:[\\/]/.test(path);
}

/** Why the draft cannot be exported yet, in words for the form; null when it can. */
export function draftProblem(draft: ExportDraft): string | null {
  if (draft.runId === null) return 'Choose a run to export.';
  const folder = draft.folder.trim();
  if (folder === '') return 'Choose a folder to export into.';
  if (!looksAbsolute(folder)) return 'The folder must be a full path (starting at / or a drive letter).';
  if (draft.formats.length === 0) return 'Choose at least one file format.';
  return null;
}

/** The request for a ready draft (see draftProblem); formats keep the order of FORMAT_CHOICES. */
export function exportRequest(draft: ExportDraft): Omit<ExportRunRequest, 'jobId'> {
  if (draft.runId === null) throw new Error('no run chosen');
  return {
    runId: draft.runId,
    folder: draft.folder.trim(),
    formats: FORMAT_CHOICES.map((c) => c.format).filter((f) => draft.formats.includes(f)),
    report: draft.report,
    spectra: draft.spectra,
    overwrite: draft.overwrite,
  };
}

export function toggleFormat(
  formats: readonly ExportFormatName[],
  format: ExportFormatName,
  on: boolean,
): ExportFormatName[] {
  const rest = formats.filter((f) => f !== format);
  return on ? [...rest, format] : rest;
}

/**
 * A folder name for a run's export beside the folder chosen so far (or in `base`): the
 * previous suggestion is replaced when the run changes, a folder typed by hand is kept.
 */
export function suggestedFolder(base: string, runId: number): string {
  return joinPath(base, `modescope-run-${runId}`);
}

export function isSuggestedFolder(folder: string): boolean {
  return /[\\/]modescope-run-\d+$/.test(folder.trim());
}

/** The folder a new suggestion goes into: the current one's parent when it was a suggestion. */
export function suggestionBase(folder: string, fallback: string): string {
  const trimmed = folder.trim();
  if (trimmed === '') return fallback;
  return isSuggestedFolder(trimmed) ? (parentPath(trimmed) ?? fallback) : trimmed;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}
