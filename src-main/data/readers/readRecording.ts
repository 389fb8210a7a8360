import type { RecordingHeader } from '../../../src-shared/domain/recording';
import { READ_CHUNK_BYTES } from './binaryFile';
import { openRecording } from './openRecording';
import { markMissingSamples } from './recordingWindows';
import { RecordingReadError } from './recordingReadError';
import { MemorySource, type OpenRecordingOptions, type RecordingSource } from './recordingSource';

export interface ReadRecordingOptions extends OpenRecordingOptions {
  /** Refuse, before allocating, recordings whose samples would need more bytes than this (default 4 GiB). */
  maxBytes?: number;
}

const DEFAULT_MAX_BYTES = 4 * 1024 ** 3;

export interface Recording {
  header: RecordingHeader;
  /** [nSamples × nChannels], time-major, SI units, NaN where missing. */
  data: Float32Array;
  /** One byte per sample: 1 where any channel is missing (a gap, NaN or ±Inf in the file). */
  gapMask: Uint8Array;
}

/**
 * Reads a whole source into one array, in bounded windows. An in-memory source (CSV, compressed MAT)
 * shares its array with the result rather than copying it.
 */
export async function readWholeSource(
  source: RecordingSource,
  maxBytes = DEFAULT_MAX_BYTES,
): Promise<Recording> {
  const { nSamples, channels, gapSegments } = source.header;
  const nCh = channels.length;
  const bytes = nSamples * nCh * 4;
  if (bytes > maxBytes) {
    throw new RecordingReadError(
      source.header.sourcePath,
      source.header.format,
      `${nSamples} samples × ${nCh} channels need ${bytes} bytes in memory, more than the ${maxBytes} allowed; read it in windows with openRecording`,
    );
  }
  // A source that already holds everything in memory hands its array over instead of a second copy.
  const shared = source instanceof MemorySource ? source.wholeData() : undefined;
  const data = shared ?? new Float32Array(nSamples * nCh);
  const gapMask = new Uint8Array(nSamples);
  const rowsPerWindow = Math.max(1, Math.floor(READ_CHUNK_BYTES / (4 * nCh)));
  // Gap segments are marked 2 while reading so NaNs inside them are not counted as surprises.
  for (const gap of gapSegments) gapMask.fill(2, gap.start, gap.end);
  const scratch = new Uint8Array(rowsPerWindow);
  let nonFinite = 0;
  for (let start = 0; start < nSamples; start += rowsPerWindow) {
    const rows = Math.min(rowsPerWindow, nSamples - start);
    const window = data.subarray(start * nCh, (start + rows) * nCh);
    if (!shared) await source.readInto(start, rows, window);
    const windowMask = scratch.subarray(0, rows).fill(0);
    markMissingSamples(window, nCh, windowMask);
    for (let t = 0; t < rows; t++) {
      if (!windowMask[t]) continue;
      if (gapMask[start + t] === 0) nonFinite++;
      gapMask[start + t] = 1;
    }
  }
  for (const gap of gapSegments) gapMask.fill(1, gap.start, gap.end);
  const header = { ...source.header, warnings: [...source.header.warnings] };
  if (nonFinite > 0)
    header.warnings.push(`${nonFinite} samples hold NaN or Inf values; they are marked as gaps`);
  return { header, data, gapMask };
}

/** Opens, reads entirely and closes a recording: for files that fit in memory. */
export async function readRecording(path: string, options: ReadRecordingOptions = {}): Promise<Recording> {
  const source = await openRecording(path, options);
  try {
    return await readWholeSource(source, options.maxBytes);
  } finally {
    await source.close();
  }
}
