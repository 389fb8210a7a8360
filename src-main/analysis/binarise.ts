/**
 * Binary state time courses from mixing coefficients: argmax (one state per sample, as for an
 * HMM) or a per-mode two-component Gaussian mixture (several modes may be on at once), following
 * osl-dynamics' `modes.argmax_time_courses` and `modes.gmm_time_courses`.
 */
import { AnalysisInputError } from './errors';
import { checkMixingCoefficients } from './inputChecks';
import {
  fitTwoComponentGaussianMixture,
  type TwoComponentFit,
  type TwoComponentFitOptions,
} from './variationalGaussianMixture';

/** One-hot [nSamples × nModes]: the largest coefficient at each sample (the first on ties). */
export function argmaxBinarise(alpha: ArrayLike<number>, nModes: number): Uint8Array {
  const nSamples = checkMixingCoefficients(alpha, nModes);
  const out = new Uint8Array(alpha.length);
  for (let t = 0; t < nSamples; t++) {
    let best = 0;
    let bestValue = alpha[t * nModes]!;
    for (let k = 1; k < nModes; k++) {
      const v = alpha[t * nModes + k]!;
      if (v > bestValue) {
        bestValue = v;
        best = k;
      }
    }
    out[t * nModes + best] = 1;
  }
  return out;
}

export interface GmmBinariseOptions extends TwoComponentFitOptions {
  /**
   * α is clamped to [ε, 1 − ε] before the logit so that coefficients of exactly 0 or 1 (float32
   * softmax saturates) map to finite values; osl-dynamics instead replaces infinite logits by the
   * mean of the finite ones. Default 1e-6.
   */
  logitClamp?: number;
  /** Fit on logit(α) (default, as osl-dynamics) or on α itself. */
  logitTransform?: boolean;
  /**
   * 'threshold' (default): on at or above the first crossing, as described on gmmBinarise.
   * 'responsibility': on wherever the higher-mean component's responsibility exceeds 0.5, sample
   * by sample (may be non-monotone in α when the components' variances differ).
   */
  decision?: 'threshold' | 'responsibility';
  /**
   * Fit only these modes (default: all). The others are reported like constant modes (never on,
   * no fit). Lets a caller fit one mode at a time and yield in between on long recordings.
   */
  modes?: readonly number[];
}

export interface ModeThreshold {
  /** The smallest α that counts as on; Infinity when the mode is never on. */
  threshold: number;
  /** The same threshold on the standardised (logit) scale the mixture was fitted on. */
  standardisedThreshold: number;
  /** Null when the transformed time course is constant (nothing to fit; the mode is never on). */
  fit: TwoComponentFit | null;
}

export interface GmmBinarisation {
  /** [nSamples × nModes], 1 where the mode is on. */
  states: Uint8Array;
  modes: ModeThreshold[];
}

export function logit(value: number, clamp: number): number {
  const p = Math.min(Math.max(value, clamp), 1 - clamp);
  return Math.log(p / (1 - p));
}

/**
 * Each mode's α (logit-transformed, then standardised as osl-dynamics does) gets its own mixture.
 * The threshold is the smallest sample value at or above the lower component's mean whose
 * posterior responsibility for the higher-mean component exceeds 0.5; the mode is on at every
 * sample at or above it. Using one threshold (osl-dynamics' rule) rather than the responsibility
 * of each sample keeps "on" monotone in α: a narrow "on" component would otherwise hand the far
 * right tail back to a wide "off" component, and a wide "on" component the far left tail.
 * (osl-dynamics then compares α > threshold, excluding the threshold sample itself; here it is
 * included, so every sample whose responsibility passes 0.5 is on.)
 */
export function gmmBinarise(
  alpha: ArrayLike<number>,
  nModes: number,
  options: GmmBinariseOptions = {},
): GmmBinarisation {
  const nSamples = checkMixingCoefficients(alpha, nModes);
  const clamp = options.logitClamp ?? 1e-6;
  if (!(clamp > 0 && clamp < 0.5)) {
    throw new AnalysisInputError('logitClamp', `must lie strictly between 0 and 0.5, got ${clamp}`);
  }
  const useLogit = options.logitTransform ?? true;
  const decision = options.decision ?? 'threshold';
  if (decision !== 'threshold' && decision !== 'responsibility') {
    throw new AnalysisInputError(
      'decision',
      `must be 'threshold' or 'responsibility', got ${String(decision)}`,
    );
  }
  if (useLogit) {
    for (let i = 0; i < alpha.length; i++) {
      if (alpha[i]! > 1) {
        throw new AnalysisInputError(
          'alpha',
          `entry at sample ${Math.floor(i / nModes)}, mode ${i % nModes} is ${alpha[i]} > 1; the logit needs coefficients in [0, 1]`,
        );
      }
    }
  }
  if (nSamples < 2) throw new AnalysisInputError('alpha', `needs at least 2 samples, got ${nSamples}`);

  const only = options.modes === undefined ? null : new Set(options.modes);
  for (const k of only ?? []) {
    if (!Number.isInteger(k) || k < 0 || k >= nModes) {
      throw new AnalysisInputError('modes', `holds ${k}, which is not a mode index in 0..${nModes - 1}`);
    }
  }
  const states = new Uint8Array(alpha.length);
  const modes: ModeThreshold[] = [];
  const column = new Float64Array(nSamples);
  for (let k = 0; k < nModes; k++) {
    if (only && !only.has(k)) {
      modes.push({ threshold: Infinity, standardisedThreshold: Infinity, fit: null });
      continue;
    }
    let mean = 0;
    for (let t = 0; t < nSamples; t++) {
      const a = alpha[t * nModes + k]!;
      column[t] = useLogit ? logit(a, clamp) : a;
      mean += column[t]!;
    }
    mean /= nSamples;
    let variance = 0;
    for (let t = 0; t < nSamples; t++) variance += (column[t]! - mean) ** 2;
    const sd = Math.sqrt(variance / nSamples);
    // A constant column's mean carries rounding error, so its spread is tiny but not zero (and
    // would standardise every sample to exactly 1): treat a spread at rounding level as none.
    if (!(sd > 1e-12 * Math.max(1, Math.abs(mean)))) {
      modes.push({ threshold: Infinity, standardisedThreshold: Infinity, fit: null });
      continue;
    }
    for (let t = 0; t < nSamples; t++) column[t] = (column[t]! - mean) / sd;
    const fit = fitTwoComponentGaussianMixture(column, options);
    const lowMean = fit.components[0].mean;
    let standardisedThreshold = Infinity;
    let threshold = Infinity;
    for (let t = 0; t < nSamples; t++) {
      const z = column[t]!;
      if (z >= lowMean && fit.responsibilityHigh[t]! > 0.5 && z < standardisedThreshold) {
        standardisedThreshold = z;
        threshold = alpha[t * nModes + k]!;
      }
    }
    const byResponsibility = options.decision === 'responsibility';
    for (let t = 0; t < nSamples; t++) {
      const on = byResponsibility ? fit.responsibilityHigh[t]! > 0.5 : column[t]! >= standardisedThreshold;
      if (on) states[t * nModes + k] = 1;
    }
    modes.push({ threshold, standardisedThreshold, fit });
  }
  return { states, modes };
}
