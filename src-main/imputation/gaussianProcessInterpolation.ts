/**
 * Per-channel Gaussian-process interpolation: each channel is treated as a stationary process
 * whose covariance is its own empirical autocovariance (estimated from the observed values of the
 * session), and a missing run is filled with the conditional mean given the observed samples
 * within `contextSamples` on each side, solved through a Cholesky factorisation of the context
 * covariance. This is the best linear interpolator per channel under that covariance, a much
 * stronger reference than straight lines on oscillatory signals.
 */
import { cholesky, choleskySolve, NotPositiveDefiniteError, solveLower } from '../numerics/cholesky';
import { missingRuns, type MaskedSession, type MissingRun } from './missingEntries';
import { observedChannelMeans } from './baselines';

export interface GaussianProcessOptions {
  /** Observed samples used on each side of a run (one second of data is the usual choice). */
  contextSamples: number;
  /** Added to the diagonal, relative to the variance, so that the context covariance stays positive definite. */
  jitter?: number;
  /** Fill only the runs this accepts (the others keep their values); every run by default. */
  fillRun?: (run: MissingRun) => boolean;
  /** Also return each filled entry's posterior standard deviation (one triangular solve per entry). */
  withStd?: boolean;
}

export interface GaussianProcessFill {
  imputed: Float32Array;
  /** Posterior std of the filled entries (0 elsewhere); null unless `withStd`. */
  std: Float32Array | null;
}

/**
 * Autocovariance of channel c at lags 0..maxLag: the biased estimator of the mean-removed signal
 * with missing values set to zero, divided by the number of observed samples. It is the
 * autocorrelation of one finite sequence and therefore positive semidefinite at every size, which
 * the per-pair average is not.
 */
export function observedAutocovariance(
  s: MaskedSession,
  c: number,
  mean: number,
  maxLag: number,
): Float64Array {
  const C = s.nChannels;
  const T = s.nSamples;
  const x = new Float64Array(T);
  let observed = 0;
  for (let t = 0; t < T; t++) {
    if (s.missing?.[t * C + c]) continue;
    x[t] = s.data[t * C + c]! - mean;
    observed++;
  }
  const out = new Float64Array(maxLag + 1);
  for (let k = 0; k <= maxLag && k < T; k++) {
    let sum = 0;
    for (let t = 0; t + k < T; t++) sum += x[t]! * x[t + k]!;
    out[k] = observed > 0 ? sum / observed : 0;
  }
  return out;
}

export function gaussianProcessInterpolation(
  s: MaskedSession,
  options: GaussianProcessOptions,
): Float32Array {
  return gaussianProcessFill(s, { ...options, withStd: false }).imputed;
}

export function gaussianProcessFill(s: MaskedSession, options: GaussianProcessOptions): GaussianProcessFill {
  const C = s.nChannels;
  const T = s.nSamples;
  const L = options.contextSamples;
  const jitter = options.jitter ?? 1e-4;
  const out = Float32Array.from(s.data);
  const std = options.withStd ? new Float32Array(s.data.length) : null;
  const runs = options.fillRun ? missingRuns(s).filter(options.fillRun) : missingRuns(s);
  if (runs.length === 0) return { imputed: out, std };
  const means = observedChannelMeans(s);
  const longest = runs.reduce((m, r) => Math.max(m, r.end - r.start), 0);
  const maxLag = Math.min(T - 1, 2 * L + longest);
  const acov = new Map<number, Float64Array>();
  for (const r of runs) {
    const c = r.channel;
    let gamma = acov.get(c);
    if (!gamma) {
      gamma = observedAutocovariance(s, c, means[c]!, maxLag);
      acov.set(c, gamma);
    }
    const context: number[] = [];
    for (let t = Math.max(0, r.start - L); t < r.start; t++) if (!s.missing?.[t * C + c]) context.push(t);
    for (let t = r.end; t < Math.min(T, r.end + L); t++) if (!s.missing?.[t * C + c]) context.push(t);
    const mu = means[c]!;
    if (context.length === 0) {
      for (let t = r.start; t < r.end; t++) {
        out[t * C + c] = mu;
        if (std) std[t * C + c] = Math.sqrt(gamma[0]!);
      }
      continue;
    }
    const n = context.length;
    const K = new Float64Array(n * n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j <= i; j++) {
        const v = gamma[Math.abs(context[i]! - context[j]!)]!;
        K[i * n + j] = v;
        K[j * n + i] = v;
      }
    for (let i = 0; i < n; i++) K[i * n + i]! += jitter * gamma[0]! + 1e-12;
    let chol: Float64Array;
    try {
      chol = cholesky(K, n);
    } catch (e) {
      if (!(e instanceof NotPositiveDefiniteError)) throw e;
      for (let i = 0; i < n; i++) K[i * n + i]! += 1e-2 * gamma[0]!;
      chol = cholesky(K, n);
    }
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) y[i] = s.data[context[i]! * C + c]! - mu;
    const w = choleskySolve(chol, n, y);
    for (let t = r.start; t < r.end; t++) {
      let v = 0;
      for (let i = 0; i < n; i++) v += gamma[Math.abs(t - context[i]!)]! * w[i]!;
      out[t * C + c] = mu + v;
      if (std) {
        // Var = γ(0) − kᵀK⁻¹k = γ(0) − ‖L⁻¹k‖².
        const k = new Float64Array(n);
        for (let i = 0; i < n; i++) k[i] = gamma[Math.abs(t - context[i]!)]!;
        const h = solveLower(chol, n, k);
        let explained = 0;
        for (let i = 0; i < n; i++) explained += h[i]! * h[i]!;
        std[t * C + c] = Math.sqrt(Math.max(gamma[0]! - explained, 0));
      }
    }
  }
  return { imputed: out, std };
}
