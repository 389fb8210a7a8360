/** Cholesky factorisation A = L Lᵀ of symmetric positive-definite matrices, in float64. */

export class NotPositiveDefiniteError extends Error {
  readonly pivot: number;
  constructor(n: number, pivot: number) {
    super(`matrix (${n}×${n}) is not positive definite: pivot ${pivot} is not positive`);
    this.name = 'NotPositiveDefiniteError';
    this.pivot = pivot;
  }
}

/** Returns L (n × n row-major, lower triangular, zeros above the diagonal). Reads A's lower triangle. */
export function cholesky(a: ArrayLike<number>, n: number): Float64Array {
  if (a.length !== n * n)
    throw new RangeError(`expected ${n * n} entries for a ${n}×${n} matrix, got ${a.length}`);
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const rowI = i * n;
    for (let j = 0; j <= i; j++) {
      const rowJ = j * n;
      let s = a[rowI + j]!;
      for (let k = 0; k < j; k++) s -= l[rowI + k]! * l[rowJ + k]!;
      if (i === j) {
        if (!(s > 0)) throw new NotPositiveDefiniteError(n, i);
        l[rowI + i] = Math.sqrt(s);
      } else {
        l[rowI + j] = s / l[rowJ + j]!;
      }
    }
  }
  return l;
}

/** log det A from its Cholesky factor: 2 Σ log L_ii. */
export function logDeterminantFromCholesky(l: ArrayLike<number>, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.log(l[i * n + i]!);
  return 2 * s;
}

/** Solves L y = b (forward substitution). */
export function solveLower(l: ArrayLike<number>, n: number, b: ArrayLike<number>): Float64Array {
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= l[i * n + k]! * y[k]!;
    y[i] = s / l[i * n + i]!;
  }
  return y;
}

/** Solves Lᵀ x = y (back substitution with the transpose of a lower factor). */
export function solveUpperTransposed(l: ArrayLike<number>, n: number, y: ArrayLike<number>): Float64Array {
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i]!;
    for (let k = i + 1; k < n; k++) s -= l[k * n + i]! * x[k]!;
    x[i] = s / l[i * n + i]!;
  }
  return x;
}

/** Solves A x = b given A's Cholesky factor L. */
export function choleskySolve(l: ArrayLike<number>, n: number, b: ArrayLike<number>): Float64Array {
  return solveUpperTransposed(l, n, solveLower(l, n, b));
}
