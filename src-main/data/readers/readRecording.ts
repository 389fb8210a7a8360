import type { RecordingHeader } from '../../../src-shared/domain/recording';
import { READ_CHUNK_BYTES } from './binaryFile';
import { openRecording } from './openRecording';
import type { OpenRecordingOptions, RecordingSource } from './recordingSource';

export interface Recording {
  header: RecordingHeader;
  /** [nSamples × nChannels], time-major, SI units, NaN where missing. */
  data: Float32Array;
  /** One byte per sample: 1 where any channel is missing (a gap, NaN or ±Inf in the file). */
  gapMask: Uint8Array;
}

/** Reads a whole source into one array, in bounded windows. */
export async function readWholeSource(source: RecordingSource): Promise<Recording> {
  const { nSamples, channels, gapSegments } = source.header;
  const nCh = channels.length;
  const data = new Float32Array(nSamples * nCh);
  const gapMask = new Uint8Array(nSamples);
  const rowsPerWindow = Math.max(1, Math.floor(READ_CHUNK_BYTES / (4 * nCh)));
  let nonFinite = 0;
  for (let start = 0; start < nSamples; start += rowsPerWindow) {
    const rows = Math.min(rowsPerWindow, nSamples - start);
    const window = data.subarray(start * nCh, (start + rows) * nCh);
    await source.readInto(start, rows, window);
    for (let t = 0; t < rows; t++) {
      let missing = 0;
      for (let c = t * nCh, end = c + nCh; c < end; c++) {
        const v = window[c]!;
        // v - v is NaN exactly for NaN and ±Inf; infinities become NaN so "missing" has one spelling.
        if (v - v !== 0) {
          window[c] = Number.NaN;
          missing = 1;
        }
      }
      if (missing) {
        gapMask[start + t] = 1;
        nonFinite++;
      }
    }
  }
  for (const gap of gapSegments) gapMask.fill(1, gap.start, gap.end);
  const inGaps = gapSegments.reduce((n, g) => n + g.end - g.start, 0);
  const header = { ...source.header, warnings: [...source.header.warnings] };
  if (nonFinite > inGaps) {
    header.warnings.push(`${nonFinite - inGaps} samples hold NaN or Inf values; they are marked as gaps`);
  }
  return { header, data, gapMask };
}

/** Opens, reads entirely and closes a recording: for files that fit in memory. */
export async function readRecording(path: string, options: OpenRecordingOptions = {}): Promise<Recording> {
  const source = await openRecording(path, options);
  try {
    return await readWholeSource(source);
  } finally {
    await source.close();
  }
}
