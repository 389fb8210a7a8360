import { ChartDataError } from './chartDataError';

/**
 * A window of a [time × channels] signal reduced to one min/max pair per bucket and channel. Bucket p
 * covers samples [startSample + p·step, startSample + (p+1)·step), the same convention as the
 * datasets preview served by the backend, so a chart treats local and served windows alike.
 */
export interface EnvelopeWindow {
  startSample: number;
  endSample: number;
  /** Samples per bucket. */
  step: number;
  nChannels: number;
  /** float32 [points × nChannels]; NaN where a bucket holds no finite sample (a gap). */
  min: Float32Array;
  max: Float32Array;
  /** Optional bucket means (same layout); stacked areas use them when present. */
  mean?: Float32Array;
  /** Missing sample ranges [start, end) inside the window. */
  gaps?: readonly { start: number; end: number }[];
}

export type NumericArray = Float32Array | Float64Array;

/** Number of buckets in a window. */
export function envelopePoints(window: EnvelopeWindow): number {
  return window.nChannels === 0 ? 0 : window.min.length / window.nChannels;
}

function checkWindowArgs(nSamples: number, startSample: number, endSample: number, maxPoints: number): void {
  if (!Number.isInteger(startSample) || !Number.isInteger(endSample)) {
    throw new ChartDataError(`sample range [${startSample}, ${endSample}) must be integers`);
  }
  if (startSample < 0 || endSample > nSamples || endSample <= startSample) {
    throw new ChartDataError(
      `sample range [${startSample}, ${endSample}) is empty or outside the ${nSamples} samples`,
    );
  }
  if (!Number.isInteger(maxPoints) || maxPoints < 1) {
    throw new ChartDataError(`maxPoints must be a positive integer, got ${maxPoints}`);
  }
}

/**
 * Min/max decimation of samples [startSample, endSample) of a row-major [T × nChannels] array to at
 * most maxPoints buckets. NaN samples are skipped, so a bucket made only of missing samples stays
 * NaN (the trace breaks there) while a bucket that is partly observed keeps its observed extremes.
 * Every sample lands in a bucket, so no extreme is ever dropped.
 */
export function decimateMinMax(
  data: NumericArray,
  nChannels: number,
  startSample: number,
  endSample: number,
  maxPoints: number,
): EnvelopeWindow {
  if (!Number.isInteger(nChannels) || nChannels < 1) {
    throw new ChartDataError(`nChannels must be a positive integer, got ${nChannels}`);
  }
  if (data.length % nChannels !== 0) {
    throw new ChartDataError(
      `data holds ${data.length} values, which is not a whole number of rows of ${nChannels} channels`,
    );
  }
  const nSamples = data.length / nChannels;
  checkWindowArgs(nSamples, startSample, endSample, maxPoints);
  const n = endSample - startSample;
  const step = Math.max(1, Math.ceil(n / maxPoints));
  const points = Math.ceil(n / step);
  const min = new Float32Array(points * nChannels).fill(Number.NaN);
  const max = new Float32Array(points * nChannels).fill(Number.NaN);
  const mean = new Float32Array(points * nChannels).fill(Number.NaN);
  // Bucket by bucket, one channel at a time: a bucket's rows stay in cache across the channel
  // passes, and the running min/max/sum live in locals rather than array slots.
  for (let p = 0; p < points; p++) {
    const s0 = startSample + p * step;
    const s1 = Math.min(endSample, s0 + step);
    const out = p * nChannels;
    for (let c = 0; c < nChannels; c++) {
      let lo = Number.POSITIVE_INFINITY;
      let hi = Number.NEGATIVE_INFINITY;
      // float64 sum: a bucket can hold many thousands of samples.
      let sum = 0;
      let count = 0;
      const last = s1 * nChannels + c;
      for (let i = s0 * nChannels + c; i < last; i += nChannels) {
        const v = data[i]!;
        if (v !== v) continue;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
        sum += v;
        count++;
      }
      if (count === 0) continue;
      min[out + c] = lo;
      max[out + c] = hi;
      mean[out + c] = sum / count;
    }
  }
  return { startSample, endSample, step, nChannels, min, max, mean };
}

/** Missing sample ranges [start, end) where every channel is NaN, clipped to [startSample, endSample). */
export function nanGapRanges(
  data: NumericArray,
  nChannels: number,
  startSample: number,
  endSample: number,
): { start: number; end: number }[] {
  const gaps: { start: number; end: number }[] = [];
  let open = -1;
  for (let s = startSample; s < endSample; s++) {
    let missing = true;
    const row = s * nChannels;
    for (let c = 0; c < nChannels; c++) {
      const v = data[row + c]!;
      if (v === v) {
        missing = false;
        break;
      }
    }
    if (missing && open < 0) open = s;
    if (!missing && open >= 0) {
      gaps.push({ start: open, end: s });
      open = -1;
    }
  }
  if (open >= 0) gaps.push({ start: open, end: endSample });
  return gaps;
}
