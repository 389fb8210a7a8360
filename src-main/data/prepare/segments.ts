/**
 * Contiguous runs of valid samples. Every preparation step works run by run, so no step mixes
 * samples across a gap; the same holds across sessions because sessions are processed separately.
 */
import type { TimeSeriesSession } from '../../../src-shared/domain/preparation';

export interface Run {
  /** First valid sample. */
  start: number;
  /** One past the last valid sample. */
  end: number;
}

export function validRuns(nSamples: number, gapMask: Uint8Array | undefined): Run[] {
  if (!gapMask) return nSamples > 0 ? [{ start: 0, end: nSamples }] : [];
  const runs: Run[] = [];
  let t = 0;
  while (t < nSamples) {
    while (t < nSamples && gapMask[t] !== 0) t++;
    const start = t;
    while (t < nSamples && gapMask[t] === 0) t++;
    if (t > start) runs.push({ start, end: t });
  }
  return runs;
}

/** A mask only when something is missing; `undefined` means every sample is valid. */
export function maskOrUndefined(mask: Uint8Array): Uint8Array | undefined {
  return mask.includes(1) ? mask : undefined;
}

/**
 * Mask for a centred window of half-width h (window 2h + 1) whose output is trimmed by h at both
 * session ends: output i stands for input sample i + h and is valid only when every input sample
 * in [i, i + 2h] is valid.
 */
export function centredWindowMask(
  nSamples: number,
  gapMask: Uint8Array | undefined,
  halfWidth: number,
): Uint8Array | undefined {
  const nOut = nSamples - 2 * halfWidth;
  if (!gapMask || nOut <= 0) return undefined;
  const out = new Uint8Array(nOut);
  let missingInWindow = 0;
  const width = 2 * halfWidth + 1;
  for (let t = 0; t < width - 1; t++) missingInWindow += gapMask[t] ? 1 : 0;
  for (let i = 0; i < nOut; i++) {
    missingInWindow += gapMask[i + width - 1] ? 1 : 0;
    out[i] = missingInWindow > 0 ? 1 : 0;
    missingInWindow -= gapMask[i] ? 1 : 0;
  }
  return maskOrUndefined(out);
}

/** Channel c over [start, end) as float64. */
export function readChannel(
  session: TimeSeriesSession,
  channel: number,
  start: number,
  end: number,
): Float64Array {
  const out = new Float64Array(end - start);
  const { data, nChannels } = session;
  for (let t = start, i = 0; t < end; t++, i++) out[i] = data[t * nChannels + channel]!;
  return out;
}

export function writeChannel(
  data: Float32Array,
  nChannels: number,
  channel: number,
  start: number,
  values: ArrayLike<number>,
): void {
  for (let i = 0, t = start; i < values.length; i++, t++) data[t * nChannels + channel] = values[i]!;
}

/**
 * Applies `transform` to every channel of every valid run, keeping the length and the mask;
 * missing samples are written as 0 so downstream arithmetic never sees NaN.
 */
export function mapRunsPerChannel(
  session: TimeSeriesSession,
  transform: (segment: Float64Array) => ArrayLike<number>,
): TimeSeriesSession {
  const out = new Float32Array(session.nSamples * session.nChannels);
  for (const run of validRuns(session.nSamples, session.gapMask)) {
    for (let c = 0; c < session.nChannels; c++) {
      writeChannel(
        out,
        session.nChannels,
        c,
        run.start,
        transform(readChannel(session, c, run.start, run.end)),
      );
    }
  }
  return { ...session, data: out, ...(session.gapMask ? { gapMask: session.gapMask.slice() } : {}) };
}
