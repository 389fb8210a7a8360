/**
 * Eigendecomposition of a real symmetric matrix, in float64.
 *
 * Two classical stages (Golub & Van Loan, "Matrix Computations", §8.3): Householder reduction to
 * tridiagonal form T = Zᵀ A Z, then implicit symmetric QR steps with Wilkinson shifts on T,
 * accumulating the Givens rotations into Z. About 9n³ flops; a 600 × 600 covariance takes on the
 * order of a second. The result is exact up to rounding (no iteration tolerance beyond machine
 * epsilon), which is what PCA needs for reproducible components.
 */

export interface SymmetricEigen {
  /** Eigenvalues in descending order. */
  values: Float64Array;
  /** n × n row-major; column j is the unit eigenvector of values[j] (vectors[i·n + j]). */
  vectors: Float64Array;
}

export class EigenConvergenceError extends Error {
  constructor(n: number) {
    super(`symmetric eigendecomposition of a ${n}×${n} matrix did not converge`);
    this.name = 'EigenConvergenceError';
  }
}

/** `matrix` is n × n row-major and must be symmetric (only its lower triangle is read). */
export function symmetricEigen(matrix: ArrayLike<number>, n: number): SymmetricEigen {
  if (!Number.isInteger(n) || n < 1)
    throw new RangeError(`matrix order must be a positive integer, got ${n}`);
  if (matrix.length !== n * n)
    throw new RangeError(`expected ${n * n} entries for a ${n}×${n} matrix, got ${matrix.length}`);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const v = matrix[i * n + j]!;
      if (!Number.isFinite(v)) throw new RangeError(`matrix entry (${i}, ${j}) is not finite`);
      a[i * n + j] = v;
      a[j * n + i] = v;
    }
  }
  const diag = new Float64Array(n);
  const off = new Float64Array(Math.max(n - 1, 1));
  const zt = tridiagonalise(a, n, diag, off);
  diagonaliseTridiagonal(diag, off, zt, n);
  return sortDescending(diag, zt, n);
}

/**
 * Householder reduction. Returns Zᵀ (row-major) where A = Z T Zᵀ; fills the diagonal and
 * off-diagonal of T. Works in place on `a`.
 */
function tridiagonalise(a: Float64Array, n: number, diag: Float64Array, off: Float64Array): Float64Array {
  const reflectors: Array<{ v: Float64Array; beta: number }> = [];
  const p = new Float64Array(n);
  const w = new Float64Array(n);
  // Only the lower triangle is kept up to date: the symmetric product and the rank-2 update each
  // touch half the matrix.
  for (let k = 0; k + 2 < n; k++) {
    const m = n - k - 1;
    const base = k + 1;
    const v = new Float64Array(m);
    let tail = 0;
    for (let i = 0; i < m; i++) {
      const x = a[(base + i) * n + k]!;
      v[i] = x;
      if (i > 0) tail += x * x;
    }
    if (tail === 0) {
      reflectors.push({ v, beta: 0 });
      continue;
    }
    const x0 = v[0]!;
    const norm = Math.sqrt(x0 * x0 + tail);
    const alpha = x0 > 0 ? -norm : norm;
    v[0] = x0 - alpha;
    const beta = 2 / (v[0]! * v[0]! + tail);
    // p = β B v on the trailing block B = a[base.., base..], from its lower triangle.
    p.fill(0, 0, m);
    for (let i = 0; i < m; i++) {
      const row = (base + i) * n + base;
      const vi = v[i]!;
      let s = 0;
      for (let j = 0; j < i; j++) {
        const aij = a[row + j]!;
        s += aij * v[j]!;
        p[j]! += aij * vi;
      }
      p[i]! += s + a[row + i]! * vi;
    }
    let pv = 0;
    for (let i = 0; i < m; i++) {
      p[i]! *= beta;
      pv += p[i]! * v[i]!;
    }
    const kHalf = 0.5 * beta * pv;
    for (let i = 0; i < m; i++) w[i] = p[i]! - kHalf * v[i]!;
    // B ← B − v wᵀ − w vᵀ (lower triangle).
    for (let i = 0; i < m; i++) {
      const row = (base + i) * n + base;
      const vi = v[i]!;
      const wi = w[i]!;
      for (let j = 0; j <= i; j++) a[row + j]! -= vi * w[j]! + wi * v[j]!;
    }
    a[base * n + k] = alpha;
    reflectors.push({ v, beta });
  }
  for (let i = 0; i < n; i++) diag[i] = a[i * n + i]!;
  for (let i = 0; i + 1 < n; i++) off[i] = a[(i + 1) * n + i]!;

  // Z = H_0 H_1 ⋯ H_{n−3}, accumulated from the right end so each product touches a shrinking block.
  const z = new Float64Array(n * n);
  for (let i = 0; i < n; i++) z[i * n + i] = 1;
  const u = new Float64Array(n);
  for (let k = reflectors.length - 1; k >= 0; k--) {
    const { v, beta } = reflectors[k]!;
    if (beta === 0) continue;
    const base = k + 1;
    const m = n - base;
    u.fill(0, base, n);
    for (let i = 0; i < m; i++) {
      const vi = v[i]!;
      const row = (base + i) * n;
      for (let j = base; j < n; j++) u[j]! += vi * z[row + j]!;
    }
    for (let i = 0; i < m; i++) {
      const f = beta * v[i]!;
      const row = (base + i) * n;
      for (let j = base; j < n; j++) z[row + j]! -= f * u[j]!;
    }
  }
  const zt = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) zt[j * n + i] = z[i * n + j]!;
  return zt;
}

/** Implicit symmetric QR with Wilkinson shifts; rotations are applied to the rows of Zᵀ. */
function diagonaliseTridiagonal(d: Float64Array, e: Float64Array, zt: Float64Array, n: number): void {
  const eps = Number.EPSILON;
  let iterations = 0;
  const maxIterations = 60 * n + 100;
  let q = n - 1;
  while (q > 0) {
    for (let i = 0; i < q; i++) {
      if (Math.abs(e[i]!) <= eps * (Math.abs(d[i]!) + Math.abs(d[i + 1]!)) || Math.abs(e[i]!) < 1e-300)
        e[i] = 0;
    }
    while (q > 0 && e[q - 1] === 0) q--;
    if (q === 0) break;
    let p = q - 1;
    while (p > 0 && e[p - 1] !== 0) p--;
    if (++iterations > maxIterations) throw new EigenConvergenceError(n);

    const dd = 0.5 * (d[q - 1]! - d[q]!);
    const eq = e[q - 1]!;
    const denom = dd + (dd >= 0 ? 1 : -1) * Math.hypot(dd, eq);
    const mu = d[q]! - (denom === 0 ? 0 : (eq * eq) / denom);
    let x = d[p]! - mu;
    let z = e[p]!;
    for (let k = p; k < q; k++) {
      const r = Math.hypot(x, z);
      const c = r === 0 ? 1 : x / r;
      const s = r === 0 ? 0 : z / r;
      if (k > p) e[k - 1] = r;
      const a = d[k]!;
      const b = e[k]!;
      const cc = d[k + 1]!;
      d[k] = c * c * a + 2 * c * s * b + s * s * cc;
      d[k + 1] = s * s * a - 2 * c * s * b + c * c * cc;
      e[k] = (c * c - s * s) * b + c * s * (cc - a);
      if (k + 1 < q) {
        const next = e[k + 1]!;
        z = s * next;
        e[k + 1] = c * next;
        x = e[k]!;
      }
      const rowK = k * n;
      const rowK1 = (k + 1) * n;
      for (let j = 0; j < n; j++) {
        const zk = zt[rowK + j]!;
        const zk1 = zt[rowK1 + j]!;
        zt[rowK + j] = c * zk + s * zk1;
        zt[rowK1 + j] = c * zk1 - s * zk;
      }
    }
  }
}

function sortDescending(d: Float64Array, zt: Float64Array, n: number): SymmetricEigen {
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => d[j]! - d[i]!);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((src, dst) => {
    values[dst] = d[src]!;
    for (let i = 0; i < n; i++) vectors[i * n + dst] = zt[src * n + i]!;
  });
  return { values, vectors };
}
