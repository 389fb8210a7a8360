/** Seeded synthetic data for the chart gallery (development page and end-to-end tests). */

/** mulberry32: small, fast, seeded; enough for test pictures. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Softmax of slowly drifting logits: a [T × K] α that sums to one per sample, like DyNeMo's. */
export function syntheticAlpha(nSamples: number, nModes: number, seed = 1): Float32Array {
  const rand = seededRandom(seed);
  const alpha = new Float32Array(nSamples * nModes);
  const logits = new Float64Array(nModes);
  const drift = Array.from({ length: nModes }, () => 0.002 + rand() * 0.004);
  const phase = Array.from({ length: nModes }, () => rand() * Math.PI * 2);
  for (let t = 0; t < nSamples; t++) {
    let peak = Number.NEGATIVE_INFINITY;
    for (let k = 0; k < nModes; k++) {
      logits[k] = 0.995 * logits[k]! + 0.08 * (rand() - 0.5) + 0.02 * Math.sin(t * drift[k]! + phase[k]!);
      peak = Math.max(peak, 4 * logits[k]!);
    }
    let sum = 0;
    for (let k = 0; k < nModes; k++) {
      const e = Math.exp(4 * logits[k]! - peak);
      alpha[t * nModes + k] = e;
      sum += e;
    }
    for (let k = 0; k < nModes; k++) alpha[t * nModes + k]! /= sum;
  }
  return alpha;
}

/** A [T × C] EEG-like signal (alpha-band bursts plus noise) with a NaN gap. */
export function syntheticSignal(
  nSamples: number,
  nChannels: number,
  samplingRate: number,
  gap: { start: number; end: number } | null,
  seed = 2,
): Float32Array {
  const rand = seededRandom(seed);
  const x = new Float32Array(nSamples * nChannels);
  const state = new Float64Array(nChannels);
  for (let t = 0; t < nSamples; t++) {
    const s = t / samplingRate;
    const burst = 0.5 + 0.5 * Math.sin(2 * Math.PI * 0.05 * s);
    for (let c = 0; c < nChannels; c++) {
      state[c] = 0.97 * state[c]! + (rand() - 0.5);
      x[t * nChannels + c] = 20 * burst * Math.sin(2 * Math.PI * (9 + c * 0.3) * s + c) + 4 * state[c]!;
    }
  }
  if (gap) x.fill(Number.NaN, gap.start * nChannels, gap.end * nChannels);
  return x;
}

/** A symmetric matrix with a positive diagonal and mixed-sign off-diagonals, like a mode covariance. */
export function syntheticCovariance(n: number, seed = 3): Float64Array {
  const rand = seededRandom(seed);
  const a = Array.from({ length: n * n }, () => rand() - 0.5);
  const c = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += a[i * n + k]! * a[j * n + k]!;
      c[i * n + j] = s - (i === j ? 0 : 0.15);
    }
  }
  return c;
}
