import { ChartDataError } from './chartDataError';
import { envelopePoints, type EnvelopeWindow } from './envelope';

/** An ECharts line point: [seconds, value], value null where the trace breaks at a gap. */
export type TracePoint = [number, number | null];

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
): TracePoint[] {
  if (!Number.isInteger(channel) || channel < 0 || channel >= window.nChannels) {
    throw new ChartDataError(`channel ${channel} is outside the window's ${window.nChannels} channels`);
  }
  if (!(samplingRate > 0) || !Number.isFinite(samplingRate)) {
    throw new ChartDataError(`samplingRate must be a positive number, got ${samplingRate}`);
  }
  const points = envelopePoints(window);
  const nc = window.nChannels;
  const out: TracePoint[] = [];
  const { min, max, step, startSample } = window;
  for (let p = 0; p < points; p++) {
    const lo = min[p * nc + channel]!;
    const hi = max[p * nc + channel]!;
    const t0 = (startSample + p * step) / samplingRate;
    if (lo !== lo || hi !== hi) {
      out.push([t0, null]);
      continue;
    }
    if (step === 1 || lo === hi) {
      out.push([t0, lo + offset]);
      continue;
    }
    // The second stroke end sits at the bucket's last sample so strokes do not overlap in time.
    const tEnd = (startSample + Math.min(window.endSample, startSample + (p + 1) * step) - 1) / samplingRate;
    const rising = p % 2 === 0;
    out.push([t0, (rising ? lo : hi) + offset], [tEnd, (rising ? hi : lo) + offset]);
  }
  return out;
}

/**
 * One value per bucket for stacked areas, where a band cannot stack: the bucket mean when the window
 * carries one, else the middle of min and max. Gaps are null.
 */
export function envelopeCentreline(
  window: EnvelopeWindow,
  channel: number,
  samplingRate: number,
): TracePoint[] {
  if (!Number.isInteger(channel) || channel < 0 || channel >= window.nChannels) {
    throw new ChartDataError(`channel ${channel} is outside the window's ${window.nChannels} channels`);
  }
  const points = envelopePoints(window);
  const nc = window.nChannels;
  const out: TracePoint[] = new Array(points);
  for (let p = 0; p < points; p++) {
    const i = p * nc + channel;
    const v = window.mean ? window.mean[i]! : (window.min[i]! + window.max[i]!) / 2;
    const t = (window.startSample + (p + 0.5) * window.step) / samplingRate;
    out[p] = [t, v === v ? v : null];
  }
  return out;
}
