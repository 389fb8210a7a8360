import type { DatasetChannel, ImportRequest, InspectedFile } from '../../../src-shared/domain/dataset';
import type { SampleOrientation } from '../../../src-shared/domain/recording';
import { baseName } from '../../paths/filePaths';

/** Extensions the readers open (formatDetection.ts); the picker lists these files. */
export const recordingExtensions = [
  '.npy',
  '.mat',
  '.edf',
  '.rec',
  '.bdf',
  '.fif',
  '.vhdr',
  '.set',
  '.csv',
  '.tsv',
  '.txt',
] as const;

/** Plain arrays: their layout is ambiguous and they carry no rate. */
export const arrayFormats: ReadonlySet<string> = new Set(['npy', 'csv', 'mat']);

export function isRecordingFile(name: string): boolean {
  const lower = name.toLowerCase();
  return recordingExtensions.some((ext) => lower.endsWith(ext));
}

export type ReadableFile = Extract<InspectedFile, { ok: true }>;

export function readableFiles(files: readonly InspectedFile[]): ReadableFile[] {
  return files.filter((f): f is ReadableFile => f.ok);
}

/** The reader assumed 1 Hz because the file stores no rate: the person must say what it is. */
export function rateWasAssumed(file: InspectedFile): boolean {
  return file.ok && file.warnings.some((w) => /no sampling rate|Hz was assumed/i.test(w));
}

/**
 * The person must give the rate: plain arrays never store one (after a re-inspection with a rate
 * the warning is gone, but clearing the field must not fall back to 1 Hz), nor does any file the
 * reader had to assume a rate for.
 */
export function rateRequired(file: InspectedFile): boolean {
  return file.ok && (arrayFormats.has(file.format) || rateWasAssumed(file));
}

export function needsOrientation(files: readonly InspectedFile[]): boolean {
  return readableFiles(files).some((f) => arrayFormats.has(f.format));
}

/**
 * Channels every readable file holds, in the first file's order: what a multi-session dataset can
 * keep (sessions must share their channels).
 */
export function commonChannels(files: readonly InspectedFile[]): DatasetChannel[] {
  const readable = readableFiles(files);
  const [first, ...rest] = readable;
  if (!first) return [];
  const others = rest.map((f) => new Set(f.channels.map((c) => c.name)));
  return first.channels.filter((c) => others.every((names) => names.has(c.name)));
}

/** Channel types present, with counts, for the type filter ("EEG only"). */
export function channelTypeCounts(
  channels: readonly DatasetChannel[],
): Array<{ type: string; count: number }> {
  const counts = new Map<string, number>();
  for (const c of channels) counts.set(c.type, (counts.get(c.type) ?? 0) + 1);
  return [...counts.entries()].map(([type, count]) => ({ type, count }));
}

/** A session label from a file name: the name without its extension. */
export function defaultSessionLabel(path: string): string {
  const name = baseName(path);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}

/** A dataset name from the files: the common prefix of their labels, or the first label. */
export function defaultDatasetName(paths: readonly string[]): string {
  const labels = paths.map(defaultSessionLabel).filter((l) => l !== '');
  if (labels.length === 0) return '';
  if (labels.length === 1) return labels[0]!;
  let prefix = labels[0]!;
  for (const l of labels) {
    while (!l.startsWith(prefix)) prefix = prefix.slice(0, -1);
  }
  prefix = prefix.replace(/[\s_\-.]+$/, '');
  return prefix.length >= 3 ? prefix : labels[0]!;
}

export interface ImportChoices {
  name: string;
  /** One entry per inspected file, in order. */
  files: Array<{ path: string; label: string; include: boolean }>;
  orientation: SampleOrientation;
  /** Text of the rate field; required when a reader assumed 1 Hz. */
  samplingRate: string;
  /** Channel names to keep, in the order shown. */
  channels: string[];
}

/** Why Import cannot run yet, or null. */
export function importProblem(inspected: readonly InspectedFile[], choices: ImportChoices): string | null {
  if (choices.name.trim() === '') return 'Enter a dataset name.';
  const included = choices.files.filter((f) => f.include);
  if (included.length === 0) return 'Include at least one file.';
  const byPath = new Map(inspected.map((f) => [f.path, f]));
  for (const f of included) {
    const info = byPath.get(f.path);
    if (!info) return `${baseName(f.path)} has not been inspected.`;
    if (!info.ok) return `${baseName(f.path)} cannot be read: leave it out or fix it.`;
  }
  const rateNeeded = included.some((f) => rateRequired(byPath.get(f.path)!));
  if (rateNeeded) {
    const rate = Number(choices.samplingRate);
    if (choices.samplingRate.trim() === '' || !Number.isFinite(rate) || rate <= 0) {
      return 'Enter the sampling rate in Hz: these files do not store it.';
    }
  }
  if (choices.channels.length === 0) return 'Keep at least one channel.';
  const labels = included.map((f) => f.label.trim());
  if (labels.some((l) => l === '')) return 'Every session needs a label.';
  if (new Set(labels).size !== labels.length) return 'Session labels must be unique.';
  return null;
}

/** The `datasets.import` request for the choices (call only when importProblem is null). */
export function importRequest(
  inspected: readonly InspectedFile[],
  choices: ImportChoices,
): Omit<ImportRequest, 'jobId'> {
  const included = choices.files.filter((f) => f.include);
  const formats = new Set(
    readableFiles(inspected)
      .filter((f) => included.some((i) => i.path === f.path))
      .map((f) => f.format),
  );
  const options: NonNullable<ImportRequest['options']> = {};
  if ([...formats].some((f) => arrayFormats.has(f))) options.orientation = choices.orientation;
  const rateAsked = readableFiles(inspected).some(
    (f) => rateRequired(f) && included.some((i) => i.path === f.path),
  );
  if (rateAsked && choices.samplingRate.trim() !== '') options.samplingRate = Number(choices.samplingRate);
  return {
    name: choices.name.trim(),
    files: included.map((f) => ({ path: f.path, label: f.label.trim() })),
    channels: [...choices.channels],
    channelPolicy: 'common',
    ...(Object.keys(options).length > 0 ? { options } : {}),
  };
}
