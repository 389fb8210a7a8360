/**
 * Cholesky factorisation of symmetric positive-definite band matrices in float64: A = L Lᵀ with
 * L lower triangular of the same lower bandwidth. Storage is row by row, `bandwidth + 1` values a
 * row: entry (i, j) for i − bandwidth ≤ j ≤ i sits at i·(w+1) + (j − i + w). Cost n·w², memory
 * n·w, so the joint solves of long missing stretches stay linear in their length.
 */
import { NotPositiveDefiniteError } from './cholesky';

export interface BandMatrix {
  n: number;
  bandwidth: number;
  /** n × (bandwidth + 1), row-major as described above. */
  values: Float64Array;
}

export function bandMatrix(n: number, bandwidth: number): BandMatrix {
  return { n, bandwidth, values: new Float64Array(n * (bandwidth + 1)) };
}

/** Index of (i, j), j ≤ i, i − j ≤ bandwidth. */
export function bandIndex(m: BandMatrix, i: number, j: number): number {
  return i * (m.bandwidth + 1) + (j - i + m.bandwidth);
}

/** Factorises in place: on return `m.values` holds L. Throws NotPositiveDefiniteError on a non-positive pivot. */
export function bandedCholesky(m: BandMatrix): BandMatrix {
  const { n, bandwidth: w, values: a } = m;
  const stride = w + 1;
  for (let i = 0; i < n; i++) {
    const rowI = i * stride - i + w; // a[rowI + j] is entry (i, j)
    const j0 = Math.max(0, i - w);
    for (let j = j0; j <= i; j++) {
      const rowJ = j * stride - j + w;
      let s = a[rowI + j]!;
      for (let k = Math.max(j0, j - w); k < j; k++) s -= a[rowI + k]! * a[rowJ + k]!;
      if (j === i) {
        if (!(s > 0)) throw new NotPositiveDefiniteError(n, i);
        a[rowI + i] = Math.sqrt(s);
      } else {
        a[rowI + j] = s / a[rowJ + j]!;
      }
    }
  }
  return m;
}

/** Solves L y = b in place (b becomes y). */
export function bandedSolveLower(l: BandMatrix, b: Float64Array): void {
  const { n, bandwidth: w, values: a } = l;
  const stride = w + 1;
  for (let i = 0; i < n; i++) {
    const rowI = i * stride - i + w;
    let s = b[i]!;
    for (let k = Math.max(0, i - w); k < i; k++) s -= a[rowI + k]! * b[k]!;
    b[i] = s / a[rowI + i]!;
  }
}

/** Solves Lᵀ x = y in place (y becomes x). */
export function bandedSolveUpperTransposed(l: BandMatrix, y: Float64Array): void {
  const { n, bandwidth: w, values: a } = l;
  const stride = w + 1;
  for (let i = n - 1; i >= 0; i--) {
    const rowI = i * stride - i + w;
    const xi = y[i]! / a[rowI + i]!;
    y[i] = xi;
    // Column i of Lᵀ above the diagonal is row i of L left of it.
    for (let k = Math.max(0, i - w); k < i; k++) y[k]! -= a[rowI + k]! * xi;
  }
}

/** Solves A x = b with A = L Lᵀ, in place. */
export function bandedCholeskySolve(l: BandMatrix, b: Float64Array): void {
  bandedSolveLower(l, b);
  bandedSolveUpperTransposed(l, b);
}
