import { decodeArray } from '../../../src-shared/domain/encodedArray';
import type { AlphaWindow, RunAnalysisSummary } from '../../../src-shared/rpc/channels/analysis';
import { ChartDataError } from '../../charts/chartDataError';
import type { EnvelopeWindow } from '../../charts/envelope';

/**
 * What the Modes view draws, derived from the analysis answers: pure functions on typed arrays so
 * the view only wires them to charts.
 */

/** A served α window as the envelope window the stacked-area chart draws (same bucket convention). */
export function alphaWindowToEnvelope(window: AlphaWindow): EnvelopeWindow {
  const min = decodeArray(window.min);
  const max = decodeArray(window.max);
  const mean = decodeArray(window.mean);
  if (!(min instanceof Float32Array) || !(max instanceof Float32Array) || !(mean instanceof Float32Array)) {
    throw new ChartDataError(`α window arrays must be float32, got ${window.min.dtype}`);
  }
  const [points, nModes] = window.min.shape;
  if (window.min.shape.length !== 2 || nModes !== window.nModes || points === undefined) {
    throw new ChartDataError(
      `α window must be [points × ${window.nModes}], got ${JSON.stringify(window.min.shape)}`,
    );
  }
  if (max.length !== min.length || mean.length !== min.length) {
    throw new ChartDataError('α window min, max and mean differ in size');
  }
  return {
    startSample: window.startSample,
    endSample: window.endSample,
    step: window.step,
    nChannels: window.nModes,
    min,
    max,
    mean,
    gaps: window.gaps,
  };
}

/** The K covariance matrices ([K, C, C] row-major) as one C×C array each. */
export function covarianceMatrices(covariances: ArrayLike<number>, shape: readonly number[]): Float64Array[] {
  const [K, C, C2] = shape;
  if (
    shape.length !== 3 ||
    K === undefined ||
    C === undefined ||
    C !== C2 ||
    covariances.length !== K * C * C
  ) {
    throw new ChartDataError(`covariances must be [K, C, C], got ${JSON.stringify(shape)}`);
  }
  return Array.from({ length: K }, (_, k) =>
    Float64Array.from({ length: C * C }, (_, i) => covariances[k * C * C + i]!),
  );
}

/**
 * One colour limit for every mode's heatmap, symmetric about zero so white means zero and equal
 * colours mean equal values across modes: the largest absolute entry over all matrices.
 */
export function sharedSymmetricLimit(matrices: readonly ArrayLike<number>[]): number {
  let limit = 0;
  for (const m of matrices) {
    for (let i = 0; i < m.length; i++) {
      const v = Math.abs(m[i]!);
      if (Number.isFinite(v) && v > limit) limit = v;
    }
  }
  return limit > 0 ? limit : 1;
}

/**
 * The four statistics as shown. Lifetimes and intervals are stored in seconds but are tens of
 * milliseconds for typical switching (stay probability 0.9 at 250 Hz gives 40 ms), so they are
 * plotted in ms (`scale` multiplies the stored value).
 */
export const summaryStatistics = [
  {
    key: 'fractionalOccupancy',
    label: 'Fractional occupancy',
    yLabel: 'Fraction of time',
    testid: 'fo',
    scale: 1,
  },
  { key: 'meanLifetimeS', label: 'Mean lifetime', yLabel: 'Lifetime (ms)', testid: 'lifetime', scale: 1000 },
  { key: 'meanIntervalS', label: 'Mean interval', yLabel: 'Interval (ms)', testid: 'interval', scale: 1000 },
  {
    key: 'switchingRateHz',
    label: 'Switching rate',
    yLabel: 'Activations per second (Hz)',
    testid: 'switching',
    scale: 1,
  },
] as const;
export type SummaryStatisticKey = (typeof summaryStatistics)[number]['key'];

export interface SummaryBars {
  /** Mean over sessions, per mode, in the statistic's display unit (ms for lifetimes and intervals). */
  values: Float64Array;
  /** Standard deviation over sessions (population), per mode; null with one session. */
  errors: Float64Array | null;
  /** sessions × modes. */
  points: Float64Array[];
}

export function summaryBars(
  sessions: RunAnalysisSummary['sessions'],
  key: SummaryStatisticKey,
  nModes: number,
): SummaryBars {
  if (sessions.length === 0) throw new ChartDataError('no sessions to summarise');
  const scale = summaryStatistics.find((s) => s.key === key)?.scale ?? 1;
  const points = sessions.map((s) => {
    const row = s[key];
    if (row.length !== nModes)
      throw new ChartDataError(`${key} has ${row.length} values for ${nModes} modes`);
    return Float64Array.from(row, (v) => v * scale);
  });
  const values = new Float64Array(nModes);
  for (const p of points) for (let k = 0; k < nModes; k++) values[k] = values[k]! + p[k]! / points.length;
  let errors: Float64Array | null = null;
  if (points.length > 1) {
    errors = new Float64Array(nModes);
    for (const p of points)
      for (let k = 0; k < nModes; k++) errors[k] = errors[k]! + (p[k]! - values[k]!) ** 2 / points.length;
    for (let k = 0; k < nModes; k++) errors[k] = Math.sqrt(errors[k]!);
  }
  return { values, errors, points };
}

/**
 * Mode power spectra from psd [S, K, C, F]: per mode, one session or the mean over sessions, and
 * one channel or the mean over channels (osl-dynamics plots the channel average by default).
 */
export function modePowerSpectra(
  psd: ArrayLike<number>,
  shape: readonly number[],
  session: number | 'mean',
  channel: number | 'mean',
): Float64Array[] {
  const [S, K, C, F] = shape;
  if (
    shape.length !== 4 ||
    S === undefined ||
    K === undefined ||
    C === undefined ||
    F === undefined ||
    psd.length !== S * K * C * F
  ) {
    throw new ChartDataError(`psd must be [S, K, C, F], got ${JSON.stringify(shape)}`);
  }
  if (session !== 'mean' && !(session >= 0 && session < S))
    throw new ChartDataError(`session ${session} is not in 0..${S - 1}`);
  if (channel !== 'mean' && !(channel >= 0 && channel < C))
    throw new ChartDataError(`channel ${channel} is not in 0..${C - 1}`);
  const sessions = session === 'mean' ? Array.from({ length: S }, (_, s) => s) : [session];
  const channels = channel === 'mean' ? Array.from({ length: C }, (_, c) => c) : [channel];
  const weight = 1 / (sessions.length * channels.length);
  return Array.from({ length: K }, (_, k) => {
    const out = new Float64Array(F);
    for (const s of sessions) {
      for (const c of channels) {
        const offset = ((s * K + k) * C + c) * F;
        for (let f = 0; f < F; f++) out[f] = out[f]! + psd[offset + f]! * weight;
      }
    }
    return out;
  });
}

/** "0.83" for a score, "–" when undefined. */
export function formatScore(value: number | null): string {
  return value === null || !Number.isFinite(value) ? '–' : value.toFixed(2);
}

/**
 * The frequency axis name, with the analysed band when the spectra cover less than 0 Hz to Nyquist
 * (osl-dynamics style spectra are often cut to e.g. 0.5–45 Hz), so a flat end is not read as data.
 */
export function spectrumAxisLabel(frequencies: ArrayLike<number>, samplingRate: number): string {
  if (frequencies.length === 0) return 'Frequency (Hz)';
  if (!(samplingRate > 0)) throw new ChartDataError(`samplingRate must be positive, got ${samplingRate}`);
  const lo = frequencies[0]!;
  const hi = frequencies[frequencies.length - 1]!;
  const nyquist = samplingRate / 2;
  const resolution = frequencies.length > 1 ? Math.abs(frequencies[1]! - lo) : 0;
  const narrower = lo > resolution / 2 + 1e-9 || hi < nyquist - resolution / 2 - 1e-9;
  if (!narrower) return 'Frequency (Hz)';
  const fmt = (v: number) => String(+v.toPrecision(4));
  return `Frequency (Hz) · analysed band ${fmt(lo)}–${fmt(hi)} Hz (Nyquist ${fmt(nyquist)} Hz)`;
}
