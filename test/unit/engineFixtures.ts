/** Seeded inputs and comparisons shared by the engine tests. */

/** mulberry32: small, fast and good enough for reproducible test inputs. */
export function seededUniform(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomArray(
  n: number,
  seed: number,
  scale = 1,
  precision: 'f32' | 'f64' = 'f64',
): Float64Array | Float32Array {
  const u = seededUniform(seed);
  const out = precision === 'f64' ? new Float64Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (2 * u() - 1) * scale;
  return out;
}

export function random64(n: number, seed: number, scale = 1): Float64Array {
  return randomArray(n, seed, scale, 'f64') as Float64Array;
}

export function random32(n: number, seed: number, scale = 1): Float32Array {
  return randomArray(n, seed, scale, 'f32') as Float32Array;
}

/** ‖a − b‖∞ / max(‖b‖∞, floor): relative error that tolerates entries near zero. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1e-12): number {
  if (a.length !== b.length) throw new Error(`length mismatch ${a.length} vs ${b.length}`);
  let diff = 0;
  let scale = floor;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return diff / scale;
}

/** Central finite differences of a scalar function with respect to every entry of `param`. */
export function finiteDifferences(param: Float64Array, f: () => number, eps = 1e-6): Float64Array {
  const out = new Float64Array(param.length);
  for (let i = 0; i < param.length; i++) {
    const keep = param[i]!;
    param[i] = keep + eps;
    const up = f();
    param[i] = keep - eps;
    const down = f();
    param[i] = keep;
    out[i] = (up - down) / (2 * eps);
  }
  return out;
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** K random symmetric positive-definite C×C matrices A Aᵀ / C + shift·I, row-major [K, C, C]. */
export function randomSpd(K: number, C: number, seed: number, shift = 0.5): Float64Array {
  const a = random64(K * C * C, seed);
  const out = new Float64Array(K * C * C);
  for (let k = 0; k < K; k++) {
    for (let i = 0; i < C; i++) {
      for (let j = 0; j < C; j++) {
        let s = i === j ? shift : 0;
        for (let l = 0; l < C; l++) s += (a[(k * C + i) * C + l]! * a[(k * C + j) * C + l]!) / C;
        out[(k * C + i) * C + j] = s;
      }
    }
  }
  return out;
}

/** Rows of a softmax over K random logits, [N, K]. */
export function randomSimplex(N: number, K: number, seed: number): Float64Array {
  const z = random64(N * K, seed, 2);
  const out = new Float64Array(N * K);
  for (let n = 0; n < N; n++) {
    let sum = 0;
    for (let k = 0; k < K; k++) sum += out[n * K + k] = Math.exp(z[n * K + k]!);
    for (let k = 0; k < K; k++) out[n * K + k]! /= sum;
  }
  return out;
}
