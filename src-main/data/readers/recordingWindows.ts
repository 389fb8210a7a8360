import { READ_CHUNK_BYTES } from './binaryFile';
import type { RecordingSource } from './recordingSource';

export interface RecordingWindow {
  /** First sample of the window in the recording. */
  start: number;
  nSamples: number;
  /** [nSamples × nChannels] time-major, SI units, NaN where missing (±Inf already turned into NaN). */
  data: Float32Array;
  /** 1 for each sample where any channel is missing. */
  missing: Uint8Array;
}

/**
 * Marks samples with any non-finite channel in `missing` (turning ±Inf into NaN) and returns how many
 * samples were marked.
 */
export function markMissingSamples(data: Float32Array, nChannels: number, missing: Uint8Array): number {
  let marked = 0;
  for (let t = 0; t < missing.length; t++) {
    let gap = 0;
    for (let c = t * nChannels, end = c + nChannels; c < end; c++) {
      const v = data[c]!;
      // v - v is NaN exactly for NaN and ±Inf.
      if (v - v !== 0) {
        data[c] = Number.NaN;
        gap = 1;
      }
    }
    if (gap) {
      missing[t] = 1;
      marked++;
    }
  }
  return marked;
}

/**
 * Walks a recording in windows of bounded size, for importers that store or process it piece by
 * piece (progress per window, cancel through `signal` between windows).
 */
export async function* recordingWindows(
  source: RecordingSource,
  options: { samplesPerWindow?: number; signal?: AbortSignal } = {},
): AsyncGenerator<RecordingWindow> {
  const { nSamples, channels } = source.header;
  const nCh = channels.length;
  const perWindow = options.samplesPerWindow ?? Math.max(1, Math.floor(READ_CHUNK_BYTES / (4 * nCh)));
  if (!Number.isSafeInteger(perWindow) || perWindow < 1) {
    throw new RangeError(`samplesPerWindow must be a positive integer, got ${perWindow}`);
  }
  for (let start = 0; start < nSamples; start += perWindow) {
    options.signal?.throwIfAborted();
    const n = Math.min(perWindow, nSamples - start);
    const data = await source.read(start, n);
    const missing = new Uint8Array(n);
    markMissingSamples(data, nCh, missing);
    yield { start, nSamples: n, data, missing };
  }
}
