/**
 * Multivariate-normal observation model shared by the simulations (osl-dynamics `MVN`):
 * per-mode means and covariances, random ones generated the osl-dynamics way, and sampling with
 * the covariance of each time point's mixture Σ_k α_tk D_k.
 */
import { cholesky, NotPositiveDefiniteError } from '../../numerics/cholesky';
import type { SeededRandom } from '../../numerics/random';
import { SimulationError } from './errors';

export interface ObservationModel {
  nModes: number;
  nChannels: number;
  /** nModes × nChannels. */
  means: Float64Array;
  /** nModes × nChannels × nChannels. */
  covariances: Float64Array;
}

/**
 * Random positive-definite covariances W Wᵀ + εI with W ~ N(0, 0.1²), plus a boost to a few
 * randomly chosen rows of W per mode so modes differ in which channels carry power
 * (osl-dynamics MVN.create_covariances).
 */
export function randomCovariances(
  rng: SeededRandom,
  nModes: number,
  nChannels: number,
  nActivations: number,
): Float64Array {
  const C = nChannels;
  const w = new Float64Array(nModes * C * C);
  for (let i = 0; i < w.length; i++) w[i] = 0.1 * rng.normal();
  const nActive = Math.max(1, Math.floor((2 * C) / nModes));
  for (let j = 0; j < nActivations; j++) {
    const multiplier = nActivations === 1 ? 1 : 1 + (4 * j) / (nActivations - 1);
    for (let k = 0; k < nModes; k++) {
      const active = new Set<number>();
      for (let a = 0; a < nActive; a++) active.add(rng.integerBelow(C));
      for (const row of active)
        for (let col = 0; col < C; col++) w[(k * C + row) * C + col]! += multiplier / C;
    }
  }
  const covariances = new Float64Array(nModes * C * C);
  for (let k = 0; k < nModes; k++) {
    const base = k * C * C;
    for (let i = 0; i < C; i++) {
      for (let j = 0; j <= i; j++) {
        let s = 0;
        for (let m = 0; m < C; m++) s += w[base + i * C + m]! * w[base + j * C + m]!;
        if (i === j) s += 1e-6;
        covariances[base + i * C + j] = s;
        covariances[base + j * C + i] = s;
      }
    }
  }
  return covariances;
}

export function buildObservationModel(
  rng: SeededRandom,
  spec: {
    n_channels: number;
    means: 'zero' | 'random' | number[][];
    covariances: 'random' | number[][][];
    n_covariances_act: number;
  },
  nModes: number,
): ObservationModel {
  const C = spec.n_channels;
  const means = new Float64Array(nModes * C);
  if (spec.means === 'random') for (let i = 0; i < means.length; i++) means[i] = 0.2 * rng.normal();
  else if (Array.isArray(spec.means)) spec.means.forEach((row, k) => means.set(row, k * C));
  let covariances: Float64Array;
  if (spec.covariances === 'random') {
    covariances = randomCovariances(rng, nModes, C, spec.n_covariances_act);
  } else {
    covariances = new Float64Array(nModes * C * C);
    spec.covariances.forEach((m, k) => m.forEach((row, i) => covariances.set(row, (k * C + i) * C)));
    for (let k = 0; k < nModes; k++) {
      try {
        cholesky(covariances.subarray(k * C * C, (k + 1) * C * C), C);
      } catch (e) {
        if (e instanceof NotPositiveDefiniteError)
          throw new SimulationError(`covariance ${k} is not positive definite`);
        throw e;
      }
    }
  }
  return { nModes, nChannels: C, means, covariances };
}

/**
 * Draws x_t ~ N(Σ_k α_tk μ_k, Σ_k α_tk D_k) (+ observation error). Time points that share the same
 * α row (all of them, for one-hot state time courses) reuse one Cholesky factor.
 */
export function sampleObservations(
  rng: SeededRandom,
  model: ObservationModel,
  alpha: Float32Array,
  nSamples: number,
  observationError: number,
): Float32Array {
  const { nModes: K, nChannels: C, means, covariances } = model;
  const out = new Float32Array(nSamples * C);
  const factors = new Map<string, { l: Float64Array; mean: Float64Array }>();
  const z = new Float64Array(C);
  const mixed = new Float64Array(C * C);
  for (let t = 0; t < nSamples; t++) {
    const a = alpha.subarray(t * K, (t + 1) * K);
    const oneHot = a.every((v) => v === 0 || v === 1);
    const key = oneHot ? a.join(',') : '';
    let entry = oneHot ? factors.get(key) : undefined;
    if (!entry) {
      mixed.fill(0);
      const mean = new Float64Array(C);
      for (let k = 0; k < K; k++) {
        const w = a[k]!;
        if (w === 0) continue;
        for (let i = 0; i < C * C; i++) mixed[i]! += w * covariances[k * C * C + i]!;
        for (let i = 0; i < C; i++) mean[i]! += w * means[k * C + i]!;
      }
      entry = { l: cholesky(mixed, C), mean };
      if (oneHot) factors.set(key, entry);
    }
    for (let i = 0; i < C; i++) z[i] = rng.normal();
    const row = t * C;
    for (let i = 0; i < C; i++) {
      let s = entry.mean[i]!;
      for (let j = 0; j <= i; j++) s += entry.l[i * C + j]! * z[j]!;
      if (observationError > 0) s += observationError * rng.normal();
      out[row + i] = s;
    }
  }
  return out;
}
