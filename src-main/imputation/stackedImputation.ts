/**
 * Stacked imputation: the per-channel GP fill and the multichannel autoregressive fill combined
 * entry by entry, with a weight that depends on how far the entry lies from its channel's nearest
 * observed sample and on whether other channels are observed at that time.
 *
 * The two fills fail in different places. Near the edge of an all-channel gap the autoregressive
 * model wins: its short lags carry every channel's last observed values across, and volume
 * conduction makes those informative. A few tens of milliseconds in, its order-p memory is spent
 * and the GP, which continues each channel's own oscillation with a one-second autocovariance,
 * wins. The weight of the GP is a logistic curve w(d) = σ(a + b·d) in the distance d (samples),
 * one curve for entries whose whole time point is missing and one for entries where other channels
 * are observed. The curves are fitted by least squares on synthetic stretches hidden in observed
 * data (stackingCalibration.ts), so they are learned, not tuned on the evaluation's hidden values.
 */
import { autoregressiveImputation } from './autoregressiveImputation';
import { gaussianProcessFill } from './gaussianProcessInterpolation';
import { requireImputable, type MaskedSession } from './missingEntries';

/** Weight of the GP fill at distance d: σ(intercept + slope·d); the autoregressive fill gets the rest. */
export interface StackingCurve {
  intercept: number;
  slope: number;
  /** Calibration values behind the fit (0: not calibrated, the other kind's curve is used). */
  values: number;
}

export interface StackingCurves {
  /** Entries of time points where every channel is missing. */
  gap: StackingCurve;
  /** Entries of time points where some other channel is observed (dropouts, partial gaps). */
  dropout: StackingCurve;
}

export type StackingEntryKind = keyof StackingCurves;

export function gaussianProcessWeight(curve: StackingCurve, distance: number): number {
  return 1 / (1 + Math.exp(-(curve.intercept + curve.slope * distance)));
}

export interface StackingFeatures {
  /** [T × C]: samples from the entry to its channel's nearest observed sample, minus one (0 at a run's edge); −1 where observed. */
  distance: Int32Array;
  /** [T]: 1 where every channel is missing. */
  allMissing: Uint8Array;
}

export function stackingFeatures(s: MaskedSession): StackingFeatures {
  const T = s.nSamples;
  const C = s.nChannels;
  const missing = s.missing;
  const distance = new Int32Array(T * C).fill(-1);
  const allMissing = new Uint8Array(T);
  if (!missing) return { distance, allMissing };
  for (let t = 0; t < T; t++) {
    let all = 1;
    for (let c = 0; c < C && all; c++) if (!missing[t * C + c]) all = 0;
    allMissing[t] = all;
  }
  for (let c = 0; c < C; c++) {
    let start = -1;
    for (let t = 0; t <= T; t++) {
      const m = t < T && missing[t * C + c] !== 0;
      if (m && start < 0) start = t;
      if (!m && start >= 0) {
        const end = t;
        for (let u = start; u < end; u++) {
          // A run at a session edge has observed data on one side only.
          const left = start > 0 ? u - start : Infinity;
          const right = end < T ? end - 1 - u : Infinity;
          const d = Math.min(left, right);
          distance[u * C + c] = Number.isFinite(d) ? d : end - start;
        }
        start = -1;
      }
    }
  }
  return { distance, allMissing };
}

/** The curve that applies to an entry; a kind without calibration values borrows the other's. */
export function curveFor(curves: StackingCurves, kind: StackingEntryKind): StackingCurve {
  const own = curves[kind];
  if (own.values > 0) return own;
  return kind === 'gap' ? curves.dropout : curves.gap;
}

export interface StackedImputationOptions {
  /** The GP's context on each side (samples). */
  contextSamples: number;
  /** The autoregressive model's order (fitted to the session's observed values). */
  order: number;
  curves: StackingCurves;
  /** Posterior draws of the autoregressive part for the std; 0 skips the std. */
  samples?: number;
  seed?: number;
}

export interface StackedImputation {
  imputed: Float32Array;
  missing: Uint8Array;
  /**
   * Per-entry w·sd_GP + (1 − w)·sd_AR: by Minkowski's inequality an upper bound on the std of the
   * combined error whatever the two fills' errors' correlation; null when no draws were asked for.
   */
  std: Float32Array | null;
}

export function stackedImputation(
  s: MaskedSession,
  options: StackedImputationOptions,
  label = 'session',
): StackedImputation {
  requireImputable(s, label);
  const withStd = (options.samples ?? 0) > 0;
  const gp = gaussianProcessFill(s, { contextSamples: options.contextSamples, withStd });
  const ar = autoregressiveImputation(
    s,
    { order: options.order, samples: options.samples ?? 0, seed: options.seed },
    label,
  );
  const C = s.nChannels;
  const { distance, allMissing } = stackingFeatures(s);
  const gapCurve = curveFor(options.curves, 'gap');
  const dropoutCurve = curveFor(options.curves, 'dropout');
  const imputed = Float32Array.from(s.data);
  const std = withStd ? new Float32Array(s.data.length) : null;
  for (let i = 0; i < imputed.length; i++) {
    const d = distance[i]!;
    if (d < 0) continue;
    const w = gaussianProcessWeight(allMissing[Math.floor(i / C)] ? gapCurve : dropoutCurve, d);
    imputed[i] = w * gp.imputed[i]! + (1 - w) * ar.imputed[i]!;
    if (std) std[i] = w * gp.std![i]! + (1 - w) * ar.std![i]!;
  }
  return { imputed, missing: ar.missing, std };
}
