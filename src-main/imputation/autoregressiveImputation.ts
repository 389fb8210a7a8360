/**
 * Imputation under a multichannel autoregressive model: the missing entries get their conditional
 * mean given every observed value, across all channels at once. For a VAR(p) the joint density is
 * exp(−½ Σ_t ‖Σ_k D_k x_{t−k}‖²), so the precision is block-banded (p samples wide) and missing
 * entries more than p samples apart are conditionally independent. Each cluster of missing
 * entries is solved jointly, Q_UU x_U = −Q_UK x_K, through a banded Cholesky factorisation; draws
 * x_U = mean + L⁻ᵀ ε give the per-entry posterior spread.
 *
 * Unlike the per-channel GP, the other channels' context informs each channel (EEG channels share
 * sources through volume conduction), and for single-channel dropouts the simultaneous values of
 * the other channels do too.
 */
import {
  bandedCholesky,
  bandedSolveUpperTransposed,
  bandedCholeskySolve,
  bandIndex,
  bandMatrix,
} from '../numerics/bandedCholesky';
import { NotPositiveDefiniteError } from '../numerics/cholesky';
import { SeededRandom } from '../numerics/random';
import { ImputationInputError, requireImputable, type MaskedSession } from './missingEntries';
import {
  fitMultichannelAutoregression,
  observedMeans,
  residualProduct,
  type MultichannelAutoregression,
} from './multichannelAutoregression';

export interface AutoregressiveImputationOptions {
  /** Lags of the model fitted to the session's own observed values (ignored when `model` is given). */
  order?: number;
  ridge?: number;
  /** A model fitted elsewhere (e.g. on several sessions); by default one is fitted to this session. */
  model?: MultichannelAutoregression;
  /** Posterior draws for the per-entry std; 0 skips it. */
  samples?: number;
  seed?: number;
  /**
   * Solve only the clusters of missing entries that contain an entry marked here ([T × C]); the
   * others keep their (missing) values. Calibration uses it to score a few stretches cheaply.
   */
  solveOnly?: Uint8Array;
}

export const AUTOREGRESSIVE_DEFAULT_ORDER = 8;
/** Doubles one jointly solved cluster may take (256 MiB). */
const MAX_BAND_VALUES = 2 ** 25;

export interface AutoregressiveImputation {
  imputed: Float32Array;
  missing: Uint8Array;
  std: Float32Array | null;
  model: MultichannelAutoregression;
}

/** Missing entries grouped so that no precision block links two groups. */
interface MissingCluster {
  /** Entry indices t·C + c in time-major order. */
  entries: number[];
}

function missingClusters(s: MaskedSession, p: number): MissingCluster[] {
  const C = s.nChannels;
  const out: MissingCluster[] = [];
  let current: number[] | null = null;
  let lastTime = -Infinity;
  for (let t = 0; t < s.nSamples; t++) {
    let any = false;
    for (let c = 0; c < C; c++) if (s.missing![t * C + c]) any = true;
    if (!any) continue;
    if (current === null || t - lastTime > p) {
      current = [];
      out.push({ entries: current });
    }
    for (let c = 0; c < C; c++) if (s.missing![t * C + c]) current.push(t * C + c);
    lastTime = t;
  }
  return out;
}

/**
 * Block Q[u, v] (C × C, rows for x_u, columns for x_v) of the precision of a session of T samples:
 * the residual terms t that exist (t ≥ p, t < T) and involve both times.
 */
function precisionBlockFor(
  model: MultichannelAutoregression,
  T: number,
  u: number,
  v: number,
  cache: Map<string, Float64Array>,
): { block: Float64Array; transposed: boolean } | null {
  const p = model.order;
  const d = Math.abs(v - u);
  if (d > p) return null;
  const late = Math.max(u, v);
  // Residual times t ∈ [late, earlier + p] ∩ [p, T − 1], written m = t − late.
  const mFrom = Math.max(0, p - late);
  const mTo = Math.min(p - d, T - 1 - late);
  if (mFrom > mTo) return null;
  // The block is Σ_m D_{m+d}ᵀ D_m with rows for the earlier time; transpose when u is the later.
  const transposed = u > v;
  if (mFrom === 0 && mTo === p - d) return { block: model.precisionBlocks[d]!, transposed };
  const key = `${d}:${mFrom}:${mTo}`;
  let block = cache.get(key);
  if (!block) {
    block = residualProduct(model.whitenedResidualCoefficients, d, mFrom, mTo, model.nChannels);
    cache.set(key, block);
  }
  return { block, transposed };
}

export function autoregressiveImputation(
  s: MaskedSession,
  options: AutoregressiveImputationOptions = {},
  label = 'session',
): AutoregressiveImputation {
  requireImputable(s, label);
  const C = s.nChannels;
  const T = s.nSamples;
  const model =
    options.model ??
    fitMultichannelAutoregression([s], {
      order: options.order ?? AUTOREGRESSIVE_DEFAULT_ORDER,
      ridge: options.ridge,
    });
  if (model.nChannels !== C)
    throw new ImputationInputError(
      `${label} has ${C} channels, the autoregressive model was fitted on ${model.nChannels}`,
    );
  const p = model.order;
  const missing = s.missing!;
  const mu = observedMeans(s);
  const z = new Float64Array(T * C);
  for (let i = 0; i < z.length; i++) if (!missing[i]) z[i] = s.data[i]! - mu[i % C]!;
  const imputed = Float32Array.from(s.data);
  const samples = options.samples ?? 0;
  const std = samples > 0 ? new Float32Array(T * C) : null;
  const rng = new SeededRandom(options.seed ?? 0);
  const cache = new Map<string, Float64Array>();

  for (const cluster of missingClusters(s, p)) {
    const idx = cluster.entries;
    if (options.solveOnly && !idx.some((e) => options.solveOnly![e])) continue;
    const n = idx.length;
    // Bandwidth: the furthest later entry within p samples of each entry.
    let bandwidth = 0;
    for (let a = 0, b = 0; a < n; a++) {
      const limit = Math.floor(idx[a]! / C) + p;
      if (b < a) b = a;
      while (b + 1 < n && Math.floor(idx[b + 1]! / C) <= limit) b++;
      bandwidth = Math.max(bandwidth, b - a);
    }
    if (n * (bandwidth + 1) > MAX_BAND_VALUES) {
      const t0 = Math.floor(idx[0]! / C);
      const t1 = Math.floor(idx[n - 1]! / C);
      throw new ImputationInputError(
        `${label}: the missing stretch from sample ${t0} to ${t1} (${n} missing values) is too long to solve jointly with an autoregressive model of order ${p} on ${C} channels; use a lower order, fewer channels, or cut the stretch out of the session`,
      );
    }
    const Q = bandMatrix(n, bandwidth);
    const rhs = new Float64Array(n);
    const position = new Map<number, number>();
    idx.forEach((e, k) => position.set(e, k));
    for (let a = 0; a < n; a++) {
      const ea = idx[a]!;
      const u = Math.floor(ea / C);
      const ca = ea % C;
      let acc = 0;
      for (let v = Math.max(0, u - p); v <= Math.min(T - 1, u + p); v++) {
        const q = precisionBlockFor(model, T, u, v, cache);
        if (!q) continue;
        const { block, transposed } = q;
        for (let cb = 0; cb < C; cb++) {
          const coef = transposed ? block[cb * C + ca]! : block[ca * C + cb]!;
          if (coef === 0) continue;
          const eb = v * C + cb;
          if (missing[eb]) {
            const b = position.get(eb)!;
            if (b <= a) Q.values[bandIndex(Q, a, b)] = coef;
          } else {
            acc += coef * z[eb]!;
          }
        }
      }
      rhs[a] = -acc;
    }
    try {
      bandedCholesky(Q);
    } catch (e) {
      if (e instanceof NotPositiveDefiniteError)
        throw new ImputationInputError(
          `${label}: the autoregressive model does not determine the missing values near sample ${Math.floor(idx[0]! / C)}; raise the ridge or lower the order`,
        );
      throw e;
    }
    bandedCholeskySolve(Q, rhs);
    for (let a = 0; a < n; a++) imputed[idx[a]!] = rhs[a]! + mu[idx[a]! % C]!;
    if (std) {
      const sq = new Float64Array(n);
      const draw = new Float64Array(n);
      for (let k = 0; k < samples; k++) {
        for (let a = 0; a < n; a++) draw[a] = rng.normal();
        bandedSolveUpperTransposed(Q, draw);
        for (let a = 0; a < n; a++) sq[a]! += draw[a]! * draw[a]!;
      }
      for (let a = 0; a < n; a++) std[idx[a]!] = Math.sqrt(sq[a]! / samples);
    }
  }
  return { imputed, missing: Uint8Array.from(missing), std, model };
}
