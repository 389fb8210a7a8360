import type { SeededRandom } from '../../../numerics/random';

/**
 * Keras' default initialisers, drawn from our seeded generator so a seed fixes every weight:
 * glorot_uniform for kernels, orthogonal for recurrent kernels, truncated normals (redrawn
 * beyond two standard deviations) for osl-dynamics' means and covariance diagonals.
 */
export function glorotUniform(rng: SeededRandom, fanIn: number, fanOut: number): Float32Array {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  const out = new Float32Array(fanIn * fanOut);
  for (let i = 0; i < out.length; i++) out[i] = (2 * rng.uniform() - 1) * limit;
  return out;
}

/** A [rows × cols] matrix with orthonormal rows (rows ≤ cols) or columns (rows > cols). */
export function orthogonal(rng: SeededRandom, rows: number, cols: number): Float32Array {
  const n = Math.min(rows, cols);
  const len = Math.max(rows, cols);
  // n vectors of length len, made orthonormal by modified Gram–Schmidt in float64.
  const v: Float64Array[] = [];
  for (let i = 0; i < n; i++) {
    const a = new Float64Array(len);
    for (let j = 0; j < len; j++) a[j] = rng.normal();
    for (const q of v) {
      let dot = 0;
      for (let j = 0; j < len; j++) dot += a[j]! * q[j]!;
      for (let j = 0; j < len; j++) a[j]! -= dot * q[j]!;
    }
    let norm = 0;
    for (let j = 0; j < len; j++) norm += a[j]! * a[j]!;
    norm = Math.sqrt(norm);
    for (let j = 0; j < len; j++) a[j]! /= norm;
    v.push(a);
  }
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < cols; j++) out[i * cols + j] = rows <= cols ? v[i]![j]! : v[j]![i]!;
  return out;
}

export function truncatedNormal(rng: SeededRandom, n: number, mean: number, std: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let z: number;
    do z = rng.normal();
    while (Math.abs(z) > 2);
    out[i] = mean + std * z;
  }
  return out;
}

export function softplusInverse(y: number): number {
  if (!(y > 0)) throw new RangeError(`softplus⁻¹ needs a positive value, got ${y}`);
  // log(e^y − 1), written to stay accurate for small and large y.
  return y > 20 ? y + Math.log1p(-Math.exp(-y)) : Math.log(Math.expm1(y));
}
