import { ChartDataError } from './chartDataError';
import { envelopePoints, type EnvelopeWindow } from './envelope';

/**
 * Chart points as one flat array [x0, y0, x1, y1, …] (seconds, value), NaN where a trace breaks at
 * a gap. ECharts takes typed arrays as series data without cloning them or allocating a small
 * array per point, which is most of the cost of redrawing a window.
 */
export type FlatPoints = Float64Array;

/** Number of [x, y] points in a flat array. */
export function pointCount(points: FlatPoints): number {
  return points.length / 2;
}

function checkChannel(window: EnvelopeWindow, channel: number): void {
  if (!Number.isInteger(channel) || channel < 0 || channel >= window.nChannels) {
    throw new ChartDataError(`channel ${channel} is outside the window's ${window.nChannels} channels`);
  }
}

function checkRate(samplingRate: number): void {
  if (!(samplingRate > 0) || !Number.isFinite(samplingRate)) {
    throw new ChartDataError(`samplingRate must be a positive number, got ${samplingRate}`);
  }
}

/**
 * One channel of an envelope as a polyline: a vertical stroke from min to max in every bucket, so
 * the drawn band covers every extreme of the samples behind it. Undecimated windows (step 1) give
 * one point per sample. At most 2 points per bucket, hence ≤ 2 × maxPoints per series.
 */
export function envelopeTrace(
  window: EnvelopeWindow,
  channel: number,
  samplingRate: number,
  offset = 0,
): FlatPoints {
  checkChannel(window, channel);
  checkRate(samplingRate);
  const points = envelopePoints(window);
  const nc = window.nChannels;
  const { min, max, step, startSample, endSample } = window;
  const out = new Float64Array(points * 4);
  let n = 0;
  for (let p = 0; p < points; p++) {
    const lo = min[p * nc + channel]!;
    const hi = max[p * nc + channel]!;
    const t0 = (startSample + p * step) / samplingRate;
    if (lo !== lo || hi !== hi) {
      out[n++] = t0;
      out[n++] = Number.NaN;
      continue;
    }
    if (step === 1 || lo === hi) {
      out[n++] = t0;
      out[n++] = lo + offset;
      continue;
    }
    // The second stroke end sits at the bucket's last sample so strokes do not overlap in time.
    const tEnd = (Math.min(endSample, startSample + (p + 1) * step) - 1) / samplingRate;
    const rising = p % 2 === 0;
    out[n++] = t0;
    out[n++] = (rising ? lo : hi) + offset;
    out[n++] = tEnd;
    out[n++] = (rising ? hi : lo) + offset;
  }
  return out.slice(0, n);
}

/**
 * One value per bucket for stacked areas, where a band cannot stack: the bucket mean when the window
 * carries one, else the middle of min and max. Gaps are NaN.
 */
export function envelopeCentreline(
  window: EnvelopeWindow,
  channel: number,
  samplingRate: number,
): FlatPoints {
  checkChannel(window, channel);
  checkRate(samplingRate);
  const points = envelopePoints(window);
  const nc = window.nChannels;
  const out = new Float64Array(points * 2);
  for (let p = 0; p < points; p++) {
    const i = p * nc + channel;
    out[2 * p] = (window.startSample + (p + 0.5) * window.step) / samplingRate;
    out[2 * p + 1] = window.mean ? window.mean[i]! : (window.min[i]! + window.max[i]!) / 2;
  }
  return out;
}

/**
 * Stacked-area outlines: for each channel k, the running sum of the centrelines of the visible
 * channels up to k (hidden channels add nothing, so the stack closes up). Drawn as areas filled to
 * zero with channel 0 in front, they look like ECharts' stacked areas without its per-point
 * stacking pass. A gap in any visible channel is a gap in every outline above it.
 */
export function stackedCentrelines(
  window: EnvelopeWindow,
  samplingRate: number,
  visible: readonly boolean[] = [],
): FlatPoints[] {
  checkRate(samplingRate);
  const nc = window.nChannels;
  const points = envelopePoints(window);
  const running = new Float64Array(points);
  const out: FlatPoints[] = [];
  for (let k = 0; k < nc; k++) {
    const line = envelopeCentreline(window, k, samplingRate);
    const shown = visible[k] ?? true;
    for (let p = 0; p < points; p++) {
      if (shown) running[p]! += line[2 * p + 1]!;
      line[2 * p + 1] = running[p]!;
    }
    out.push(line);
  }
  return out;
}

/**
 * Stacked-area outlines drawn as steps: each bucket's running sum held flat from the bucket's first
 * sample to the start of the next bucket. α of a switching model jumps between states; joining
 * bucket centres with slanted lines would draw every switch as a triangle, steps draw it as a
 * switch. Two points per bucket; a gap (NaN) breaks the outline for the whole bucket.
 */
export function stackedSteps(
  window: EnvelopeWindow,
  samplingRate: number,
  visible: readonly boolean[] = [],
): FlatPoints[] {
  const centres = stackedCentrelines(window, samplingRate, visible);
  const points = envelopePoints(window);
  const { startSample, endSample, step } = window;
  return centres.map((line) => {
    const out = new Float64Array(points * 4);
    for (let p = 0; p < points; p++) {
      const y = line[2 * p + 1]!;
      out[4 * p] = (startSample + p * step) / samplingRate;
      out[4 * p + 1] = y;
      out[4 * p + 2] = Math.min(endSample, startSample + (p + 1) * step) / samplingRate;
      out[4 * p + 3] = y;
    }
    return out;
  });
}
