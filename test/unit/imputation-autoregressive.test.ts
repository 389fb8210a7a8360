import { describe, expect, it } from 'vitest';
import {
  bandedCholesky,
  bandedCholeskySolve,
  bandIndex,
  bandMatrix,
} from '../../src-main/numerics/bandedCholesky';
import { cholesky, choleskySolve, NotPositiveDefiniteError } from '../../src-main/numerics/cholesky';
import { SeededRandom } from '../../src-main/numerics/random';
import { autoregressiveImputation } from '../../src-main/imputation/autoregressiveImputation';
import { gaussianProcessInterpolation } from '../../src-main/imputation/gaussianProcessInterpolation';
import { ImputationInputError, type MaskedSession } from '../../src-main/imputation/missingEntries';
import { withMissing } from '../helpers/maskedSessions';
import {
  fitMultichannelAutoregression,
  observedMeans,
  withPrecision,
  type MultichannelAutoregression,
} from '../../src-main/imputation/multichannelAutoregression';

/** A stable VAR(2) on three mixed channels: a damped 10 Hz-like oscillator shared by all of them. */
const A1 = [1.2, 0.3, 0.0, -0.2, 0.9, 0.1, 0.05, 0.0, 0.6];
const A2 = [-0.55, 0.0, 0.0, 0.1, -0.3, 0.0, 0.0, 0.05, 0.1];
const SIGMA = [1.0, 0.3, 0.2, 0.3, 0.8, 0.1, 0.2, 0.1, 0.5];

function simulateVar(T: number, seed: number, mean = [0, 0, 0]): MaskedSession {
  const C = 3;
  const rng = new SeededRandom(seed);
  const L = cholesky(SIGMA, C);
  const burn = 200;
  const x = new Float64Array((T + burn) * C);
  for (let t = 2; t < T + burn; t++) {
    const e = [rng.normal(), rng.normal(), rng.normal()];
    for (let i = 0; i < C; i++) {
      let v = 0;
      for (let j = 0; j <= i; j++) v += L[i * C + j]! * e[j]!;
      for (let j = 0; j < C; j++)
        v += A1[i * C + j]! * x[(t - 1) * C + j]! + A2[i * C + j]! * x[(t - 2) * C + j]!;
      x[t * C + i] = v;
    }
  }
  const data = new Float32Array(T * C);
  for (let i = 0; i < T * C; i++) data[i] = x[burn * C + i]! + mean[i % C]!;
  return { data, nSamples: T, nChannels: C };
}

/**
 * Dense reference: the whitened residual matrix B (one row block per residual time t ≥ p, one
 * column per entry) gives the precision Q = Bᵀ B of the whole session; the conditional mean of the
 * missing entries is −Q_UU⁻¹ Q_UK x_K and their covariance Q_UU⁻¹.
 */
function denseConditional(model: MultichannelAutoregression, s: MaskedSession) {
  const { order: p, nChannels: C } = model;
  const T = s.nSamples;
  const N = T * C;
  const D = model.whitenedResidualCoefficients;
  const Q = new Float64Array(N * N);
  for (let t = p; t < T; t++) {
    const B = new Float64Array(C * N); // rows: residual components of time t
    for (let k = 0; k <= p; k++)
      for (let r = 0; r < C; r++) for (let c = 0; c < C; c++) B[r * N + (t - k) * C + c] = D[k]![r * C + c]!;
    for (let r = 0; r < C; r++)
      for (let i = 0; i < N; i++) {
        const bi = B[r * N + i]!;
        if (bi === 0) continue;
        for (let j = 0; j < N; j++) Q[i * N + j]! += bi * B[r * N + j]!;
      }
  }
  const mu = observedMeans(s);
  const U: number[] = [];
  const K: number[] = [];
  for (let i = 0; i < N; i++) (s.missing![i] ? U : K).push(i);
  const n = U.length;
  const Quu = new Float64Array(n * n);
  const rhs = new Float64Array(n);
  U.forEach((i, a) => {
    U.forEach((j, b) => (Quu[a * n + b] = Q[i * N + j]!));
    let acc = 0;
    for (const j of K) acc += Q[i * N + j]! * (s.data[j]! - mu[j % C]!);
    rhs[a] = -acc;
  });
  const L = cholesky(Quu, n);
  const mean = choleskySolve(L, n, rhs);
  const variance = U.map((_, a) => {
    const e = new Float64Array(n);
    e[a] = 1;
    return choleskySolve(L, n, e)[a]!;
  });
  return { U, mean: U.map((i, a) => mean[a]! + mu[i % C]!), variance };
}

describe('banded Cholesky', () => {
  it('solves a symmetric positive-definite band system like the dense factorisation', () => {
    const n = 37;
    const w = 5;
    const rng = new SeededRandom(3);
    const dense = new Float64Array(n * n);
    for (let i = 0; i < n; i++)
      for (let j = Math.max(0, i - w); j < i; j++) {
        const v = rng.normal() * 0.3;
        dense[i * n + j] = v;
        dense[j * n + i] = v;
      }
    for (let i = 0; i < n; i++) dense[i * n + i] = 2 * w * 0.3 + 1 + rng.uniform();
    const band = bandMatrix(n, w);
    for (let i = 0; i < n; i++)
      for (let j = Math.max(0, i - w); j <= i; j++) band.values[bandIndex(band, i, j)] = dense[i * n + j]!;
    const b = Float64Array.from({ length: n }, () => rng.normal());
    const expected = choleskySolve(cholesky(dense, n), n, b);
    const x = Float64Array.from(b);
    bandedCholeskySolve(bandedCholesky(band), x);
    for (let i = 0; i < n; i++) expect(x[i]).toBeCloseTo(expected[i]!, 10);
  });

  it('refuses a matrix that is not positive definite', () => {
    const band = bandMatrix(3, 1);
    band.values.set([0, 1, 2, 1, 0, 1]); // [[1,2,0],[2,1,0],[0,0,1]]: indefinite
    expect(() => bandedCholesky(band)).toThrow(NotPositiveDefiniteError);
  });
});

describe('multichannel autoregression (Yule–Walker)', () => {
  it('recovers the coefficients and noise covariance of a simulated VAR(2)', () => {
    const s = simulateVar(40_000, 1, [5, -3, 1]);
    const m = fitMultichannelAutoregression([s], { order: 2, ridge: 0 });
    for (let i = 0; i < 9; i++) {
      expect(m.coefficients[0]![i]).toBeCloseTo(A1[i]!, 1);
      expect(Math.abs(m.coefficients[0]![i]! - A1[i]!)).toBeLessThan(0.03);
      expect(Math.abs(m.coefficients[1]![i]! - A2[i]!)).toBeLessThan(0.03);
      expect(Math.abs(m.noiseCovariance[i]! - SIGMA[i]!)).toBeLessThan(0.04);
    }
  });

  it('refuses an order the observed samples cannot support, and bad settings', () => {
    const s = simulateVar(100, 2);
    expect(() => fitMultichannelAutoregression([s], { order: 20 })).toThrow(
      /order 20 on 3 channels .* needs at least 120 samples with every channel observed; there are 100/,
    );
    expect(() => fitMultichannelAutoregression([s], { order: 0 })).toThrow(ImputationInputError);
    expect(() => fitMultichannelAutoregression([s], { order: 2, ridge: -1 })).toThrow(/ridge/);
    const other: MaskedSession = { data: new Float32Array(200), nSamples: 100, nChannels: 2 };
    expect(() => fitMultichannelAutoregression([s, other], { order: 2 })).toThrow(
      /session 2 has 2 channels, session 1 has 3/,
    );
  });
});

describe('autoregressive imputation', () => {
  const truth = simulateVar(90, 7, [2, 0, -1]);
  // Two clusters: an all-channel gap plus a dropout next to it, and entries at both session edges.
  const s = withMissing(
    truth,
    (t, c) =>
      (t >= 30 && t < 36) || (c === 1 && t >= 37 && t < 41) || (t === 0 && c === 2) || (t >= 88 && c !== 1),
  );
  const model = withPrecision(2, 3, [Float64Array.from(A1), Float64Array.from(A2)], Float64Array.from(SIGMA));

  it('returns the exact conditional mean of the missing entries (dense Gaussian reference)', () => {
    const ref = denseConditional(model, s);
    const out = autoregressiveImputation(s, { model });
    ref.U.forEach((i, a) => expect(out.imputed[i]).toBeCloseTo(ref.mean[a]!, 4));
    for (let i = 0; i < s.data.length; i++) if (!s.missing![i]) expect(out.imputed[i]).toBe(s.data[i]);
    expect(Array.from(out.missing)).toEqual(Array.from(s.missing!));
  });

  it('draws posterior samples whose spread matches the conditional variance', () => {
    const ref = denseConditional(model, s);
    const out = autoregressiveImputation(s, { model, samples: 3000, seed: 5 });
    ref.U.forEach((i, a) => {
      const expected = Math.sqrt(ref.variance[a]!);
      expect(Math.abs(out.std![i]! - expected) / expected).toBeLessThan(0.06);
    });
    for (let i = 0; i < s.data.length; i++) if (!s.missing![i]) expect(out.std![i]).toBe(0);
  });

  it('beats per-channel GP interpolation on all-channel gaps of a cross-correlated process', () => {
    const long = simulateVar(6000, 11);
    const gapStarts = Array.from({ length: 20 }, (_, k) => 150 + k * 290);
    const hidden = withMissing(long, (t) => gapStarts.some((g) => t >= g && t < g + 12));
    const ar = autoregressiveImputation(hidden, { order: 4 }).imputed;
    const gp = gaussianProcessInterpolation(hidden, { contextSamples: 100 });
    let seAr = 0;
    let seGp = 0;
    for (let i = 0; i < long.data.length; i++)
      if (hidden.missing![i]) {
        seAr += (ar[i]! - long.data[i]!) ** 2;
        seGp += (gp[i]! - long.data[i]!) ** 2;
      }
    // Data from the model class itself: the joint conditional mean must do better than a
    // per-channel one that ignores the other channels' context.
    expect(seAr).toBeLessThan(0.97 * seGp);
  });

  it('refuses sessions it cannot impute with specific messages', () => {
    expect(() => autoregressiveImputation(truth, { order: 2 })).toThrow(/nothing to impute/);
    const twoChannels = withMissing(
      { data: new Float32Array(200).map((_, i) => Math.sin(i)), nSamples: 100, nChannels: 2 },
      (t) => t === 50,
    );
    expect(() => autoregressiveImputation(twoChannels, { model })).toThrow(
      /has 2 channels, the autoregressive model was fitted on 3/,
    );
    expect(() => autoregressiveImputation(s, { order: 40 })).toThrow(/Lower the order/);
  });

  it('refuses a missing stretch too long to solve jointly before allocating for it', () => {
    const C = 64;
    const T = 3000;
    const rng = new SeededRandom(1);
    const data = Float32Array.from({ length: T * C }, () => rng.normal());
    const wide = withMissing({ data, nSamples: T, nChannels: C }, (t) => t >= 1000 && t < 1950);
    expect(() => autoregressiveImputation(wide, { order: 8 })).toThrow(
      /from sample 1000 to 1949 .* too long to solve jointly with an autoregressive model of order 8 on 64 channels/,
    );
  });
});
