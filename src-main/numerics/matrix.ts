/** Dense row-major float64 matrix products used by preparation, simulation and tests. */

/** C = A·B with A m × k and B k × n, all row-major. */
export function multiply(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  m: number,
  k: number,
  n: number,
): Float64Array {
  if (a.length !== m * k || b.length !== k * n) {
    throw new RangeError(`cannot multiply ${m}×${k} by ${k}×${n}: got ${a.length} and ${b.length} entries`);
  }
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    const rowC = i * n;
    for (let p = 0; p < k; p++) {
      const aip = a[i * k + p]!;
      if (aip === 0) continue;
      const rowB = p * n;
      for (let j = 0; j < n; j++) c[rowC + j]! += aip * b[rowB + j]!;
    }
  }
  return c;
}

/** Aᵀ of an m × n row-major matrix. */
export function transpose(a: ArrayLike<number>, m: number, n: number): Float64Array {
  const t = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) t[j * m + i] = a[i * n + j]!;
  return t;
}

/** Aᵀ·A accumulated into `out` (n × n) for A with `rows` rows of n columns, row-major. */
export function accumulateGram(a: ArrayLike<number>, rows: number, n: number, out: Float64Array): void {
  for (let r = 0; r < rows; r++) {
    const row = r * n;
    for (let i = 0; i < n; i++) {
      const ai = a[row + i]!;
      if (ai === 0) continue;
      const rowOut = i * n;
      for (let j = 0; j <= i; j++) out[rowOut + j]! += ai * a[row + j]!;
    }
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) out[j * n + i] = out[i * n + j]!;
}
