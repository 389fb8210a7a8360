/**
 * Multichannel (vector) autoregressive model of order p, x_t = Σ_k A_k x_{t−k} + ε_t with
 * ε_t ~ N(0, Σ), fitted by Yule–Walker from the observed values of one or more sessions.
 *
 * Why Yule–Walker and not least squares over fully observed rows: the lag covariances come from
 * the biased estimator on the zero-filled, mean-removed signal (as the per-channel GP's
 * autocovariance), so the block-Toeplitz system is positive semidefinite whatever the missing
 * pattern, the fitted model is stable, and the cost is one pass over the data per lag instead of a
 * p·C-column regression.
 *
 * The model is linear-Gaussian: its stacked-lag state-space form is a linear Kalman model with
 * noiseless observations, and the conditional mean of missing entries given the observed ones is
 * what a Kalman smoother would return (autoregressiveImputation.ts solves it directly).
 */
import { cholesky, NotPositiveDefiniteError } from '../numerics/cholesky';
import { ImputationInputError, validateMaskedSession, type MaskedSession } from './missingEntries';

export interface AutoregressionOptions {
  /** Lags p (samples). */
  order: number;
  /** Added to the diagonal of the lag-covariance system, relative to the mean channel variance. */
  ridge?: number;
}

export interface MultichannelAutoregression {
  order: number;
  nChannels: number;
  /** A_1 … A_p, each C × C row-major: x_t = Σ_k A_k x_{t−k} + ε_t (mean removed). */
  coefficients: Float64Array[];
  /** Σ, C × C row-major. */
  noiseCovariance: Float64Array;
  /**
   * Γ_d = Σ_m D_{m+d}ᵀ D_m for d = 0 … p with D_0 = W, D_k = −W A_k and Wᵀ W = Σ⁻¹: the blocks of
   * the process's precision, x_uᵀ Γ_{v−u} x_v for v ≥ u (see precisionBlock).
   */
  precisionBlocks: Float64Array[];
  /** D_0 … D_p, kept for the truncated blocks near a session's edges. */
  whitenedResidualCoefficients: Float64Array[];
}

/** Per-channel means of the observed values. */
export function observedMeans(s: MaskedSession): Float64Array {
  const C = s.nChannels;
  const sum = new Float64Array(C);
  const count = new Float64Array(C);
  for (let t = 0; t < s.nSamples; t++)
    for (let c = 0; c < C; c++) {
      const i = t * C + c;
      if (s.missing?.[i]) continue;
      sum[c]! += s.data[i]!;
      count[c]!++;
    }
  for (let c = 0; c < C; c++) sum[c] = count[c]! > 0 ? sum[c]! / count[c]! : 0;
  return sum;
}

/**
 * R_d = (1/N) Σ_t z_t z_{t−d}ᵀ for d = 0 … p, pooled over sessions, z the mean-removed signal with
 * missing entries at zero and N the number of samples with anything observed.
 */
function lagCovariances(sessions: readonly MaskedSession[], p: number, C: number): Float64Array[] {
  const R = Array.from({ length: p + 1 }, () => new Float64Array(C * C));
  let N = 0;
  for (const s of sessions) {
    const T = s.nSamples;
    const mu = observedMeans(s);
    const z = new Float64Array(T * C);
    for (let t = 0; t < T; t++) {
      let any = false;
      for (let c = 0; c < C; c++) {
        const i = t * C + c;
        if (s.missing?.[i]) continue;
        z[i] = s.data[i]! - mu[c]!;
        any = true;
      }
      if (any) N++;
    }
    for (let d = 0; d <= p; d++) {
      const Rd = R[d]!;
      for (let t = d; t < T; t++) {
        const a = t * C;
        const b = (t - d) * C;
        for (let i = 0; i < C; i++) {
          const zi = z[a + i]!;
          if (zi === 0) continue;
          const row = i * C;
          for (let j = 0; j < C; j++) Rd[row + j]! += zi * z[b + j]!;
        }
      }
    }
  }
  for (const Rd of R) for (let i = 0; i < Rd.length; i++) Rd[i]! /= N;
  return R;
}

export function fitMultichannelAutoregression(
  sessions: readonly MaskedSession[],
  options: AutoregressionOptions,
): MultichannelAutoregression {
  const p = options.order;
  const ridge = options.ridge ?? 1e-4;
  if (!Number.isInteger(p) || p < 1 || p > 256)
    throw new ImputationInputError(`the autoregressive order must be an integer from 1 to 256, got ${p}`);
  if (!(ridge >= 0)) throw new ImputationInputError(`the ridge must be zero or positive, got ${ridge}`);
  if (sessions.length === 0)
    throw new ImputationInputError('the autoregressive model needs at least one session to fit');
  const C = sessions[0]!.nChannels;
  let observedRows = 0;
  sessions.forEach((s, i) => {
    validateMaskedSession(s, `session ${i + 1}`);
    if (s.nChannels !== C)
      throw new ImputationInputError(`session ${i + 1} has ${s.nChannels} channels, session 1 has ${C}`);
    for (let t = 0; t < s.nSamples; t++) {
      let all = true;
      for (let c = 0; c < C && all; c++) all = !s.missing?.[t * C + c];
      if (all) observedRows++;
    }
  });
  // Fewer fully observed samples than unknowns per equation leaves the lag system to the ridge.
  if (observedRows < 2 * p * C)
    throw new ImputationInputError(
      `an autoregressive model of order ${p} on ${C} channels has ${p * C * C} coefficients and needs at least ${2 * p * C} samples with every channel observed; there are ${observedRows}. Lower the order.`,
    );

  const R = lagCovariances(sessions, p, C);
  const n = p * C;
  // G[i][j] = E[x_{t−1−i} x_{t−1−j}ᵀ] = R_{j−i} (j ≥ i) or R_{i−j}ᵀ; rhs block k = E[x_{t−1−k} x_tᵀ] = R_{k+1}ᵀ.
  const G = new Float64Array(n * n);
  let trace = 0;
  for (let c = 0; c < C; c++) trace += R[0]![c * C + c]!;
  const lambda = (ridge * trace) / C;
  for (let bi = 0; bi < p; bi++)
    for (let bj = 0; bj < p; bj++) {
      const d = bj - bi;
      const Rd = R[Math.abs(d)]!;
      for (let i = 0; i < C; i++)
        for (let j = 0; j < C; j++)
          G[(bi * C + i) * n + bj * C + j] = d >= 0 ? Rd[i * C + j]! : Rd[j * C + i]!;
    }
  for (let i = 0; i < n; i++) G[i * n + i]! += lambda + 1e-12 * trace;
  const L = choleskyOrRefuse(
    G,
    n,
    'the lag covariances of the observed values are singular (a constant or duplicated channel?); raise the ridge or drop the channel',
  );
  // Solve G X = rhs column by column; X's block k (C × C) is A_kᵀ.
  const X = new Float64Array(n * C);
  const col = new Float64Array(n);
  for (let j = 0; j < C; j++) {
    for (let k = 0; k < p; k++) {
      const Rk1 = R[k + 1]!;
      for (let i = 0; i < C; i++) col[k * C + i] = Rk1[j * C + i]!; // (R_{k+1}ᵀ)[i][j]
    }
    const y = forwardBack(L, n, col);
    for (let i = 0; i < n; i++) X[i * C + j] = y[i]!;
  }
  const coefficients: Float64Array[] = [];
  for (let k = 0; k < p; k++) {
    const A = new Float64Array(C * C);
    for (let i = 0; i < C; i++) for (let j = 0; j < C; j++) A[i * C + j] = X[(k * C + j) * C + i]!;
    coefficients.push(A);
  }
  // Σ = R_0 − Σ_k A_k R_{k+1}ᵀ, symmetrised.
  const S = Float64Array.from(R[0]!);
  for (let k = 0; k < p; k++) {
    const A = coefficients[k]!;
    const Rk1 = R[k + 1]!;
    for (let i = 0; i < C; i++)
      for (let j = 0; j < C; j++) {
        let s = 0;
        for (let m = 0; m < C; m++) s += A[i * C + m]! * Rk1[j * C + m]!;
        S[i * C + j]! -= s;
      }
  }
  for (let i = 0; i < C; i++)
    for (let j = 0; j < i; j++) {
      const v = 0.5 * (S[i * C + j]! + S[j * C + i]!);
      S[i * C + j] = v;
      S[j * C + i] = v;
    }
  return withPrecision(p, C, coefficients, S);
}

/** Cholesky factor, or the user-facing refusal `message` when the matrix is not positive definite. */
function choleskyOrRefuse(a: Float64Array, n: number, message: string): Float64Array {
  try {
    return cholesky(a, n);
  } catch (e) {
    if (e instanceof NotPositiveDefiniteError) throw new ImputationInputError(message);
    throw e;
  }
}

function forwardBack(L: Float64Array, n: number, b: Float64Array): Float64Array {
  const y = Float64Array.from(b);
  for (let i = 0; i < n; i++) {
    let s = y[i]!;
    for (let k = 0; k < i; k++) s -= L[i * n + k]! * y[k]!;
    y[i] = s / L[i * n + i]!;
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i]!;
    for (let k = i + 1; k < n; k++) s -= L[k * n + i]! * y[k]!;
    y[i] = s / L[i * n + i]!;
  }
  return y;
}

/** Builds the whitened residual coefficients and precision blocks of a model given A_k and Σ. */
export function withPrecision(
  order: number,
  C: number,
  coefficients: Float64Array[],
  noiseCovariance: Float64Array,
): MultichannelAutoregression {
  let trace = 0;
  for (let c = 0; c < C; c++) trace += noiseCovariance[c * C + c]!;
  const jittered = Float64Array.from(noiseCovariance);
  for (let c = 0; c < C; c++) jittered[c * C + c]! += 1e-10 * trace;
  const Ls = choleskyOrRefuse(
    jittered,
    C,
    'the autoregressive residual covariance is singular (channels that are exact copies or sums of others?); raise the ridge',
  );
  // W = L⁻¹ (lower triangular), so that Wᵀ W = Σ⁻¹.
  const W = new Float64Array(C * C);
  for (let j = 0; j < C; j++) {
    W[j * C + j] = 1 / Ls[j * C + j]!;
    for (let i = j + 1; i < C; i++) {
      let s = 0;
      for (let k = j; k < i; k++) s += Ls[i * C + k]! * W[k * C + j]!;
      W[i * C + j] = -s / Ls[i * C + i]!;
    }
  }
  const D: Float64Array[] = [W];
  for (const A of coefficients) {
    const Dk = new Float64Array(C * C);
    for (let i = 0; i < C; i++)
      for (let k = 0; k <= i; k++) {
        const w = W[i * C + k]!;
        if (w === 0) continue;
        for (let j = 0; j < C; j++) Dk[i * C + j]! -= w * A[k * C + j]!;
      }
    D.push(Dk);
  }
  const precisionBlocks: Float64Array[] = [];
  for (let d = 0; d <= order; d++) precisionBlocks.push(residualProduct(D, d, 0, order - d, C));
  return {
    order,
    nChannels: C,
    coefficients,
    noiseCovariance,
    precisionBlocks,
    whitenedResidualCoefficients: D,
  };
}

/** Σ_{m=mFrom}^{mTo} D_{m+d}ᵀ D_m. */
export function residualProduct(
  D: Float64Array[],
  d: number,
  mFrom: number,
  mTo: number,
  C: number,
): Float64Array {
  const out = new Float64Array(C * C);
  for (let m = mFrom; m <= mTo; m++) {
    const Da = D[m + d]!;
    const Db = D[m]!;
    for (let r = 0; r < C; r++) {
      const ra = r * C;
      for (let i = 0; i < C; i++) {
        const a = Da[ra + i]!;
        if (a === 0) continue;
        const row = i * C;
        for (let j = 0; j < C; j++) out[row + j]! += a * Db[ra + j]!;
      }
    }
  }
  return out;
}
