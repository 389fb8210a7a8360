import { sigmoid, softplus } from './softplus';
import { allocLike, requireLength, requirePositiveInteger, ShapeError, type FloatArray } from './floatArrays';

/**
 * Covariances from free Cholesky parameters, as osl-dynamics parameterises them: for each of K
 * blocks F [C, C], L = strict lower triangle of F + diag(softplus(diag F) + shift) (the upper
 * triangle of F is ignored), and D = L·Lᵀ + ε·I. Plain TypeScript fallback and test oracle.
 */
export interface CholeskyCovarianceShape {
  modes: number;
  channels: number;
  /** Added to the softplus of the diagonal of L. */
  diagonalShift: number;
  /** Added to the diagonal of D. */
  epsilon: number;
}

export function validateCholeskyCovariance(shape: CholeskyCovarianceShape, free: ArrayLike<number>): void {
  const { modes: K, channels: C } = shape;
  requirePositiveInteger('modes', K);
  requirePositiveInteger('channels', C);
  for (const [name, v] of [
    ['diagonalShift', shape.diagonalShift],
    ['epsilon', shape.epsilon],
  ] as const) {
    if (!(v >= 0) || !Number.isFinite(v))
      throw new ShapeError(`${name} must be a finite number ≥ 0, got ${v}`);
  }
  requireLength('free', free, K * C * C, `[${K}, ${C}, ${C}]`);
}

/** The lower-triangular factors L [K, C, C] (zeros above the diagonal). */
export function choleskyFactorsReference<A extends FloatArray>(shape: CholeskyCovarianceShape, free: A): A {
  validateCholeskyCovariance(shape, free);
  const { modes: K, channels: C } = shape;
  const L = allocLike(free, K * C * C);
  for (let k = 0; k < K; k++) {
    const o = k * C * C;
    for (let i = 0; i < C; i++) {
      for (let j = 0; j < i; j++) L[o + i * C + j] = free[o + i * C + j]!;
      L[o + i * C + i] = softplus(free[o + i * C + i]!) + shape.diagonalShift;
    }
  }
  return L;
}

export function choleskyCovarianceReference<A extends FloatArray>(
  shape: CholeskyCovarianceShape,
  free: A,
): A {
  const { modes: K, channels: C } = shape;
  const L = choleskyFactorsReference(shape, free);
  const D = allocLike(free, K * C * C);
  for (let k = 0; k < K; k++) {
    const o = k * C * C;
    for (let i = 0; i < C; i++) {
      for (let j = 0; j <= i; j++) {
        let s = i === j ? shape.epsilon : 0;
        for (let l = 0; l <= j; l++) s += L[o + i * C + l]! * L[o + j * C + l]!;
        D[o + i * C + j] = s;
        D[o + j * C + i] = s;
      }
    }
  }
  return D;
}

/**
 * dL = (G + Gᵀ)·L restricted to the lower triangle, then through the softplus on the diagonal;
 * the ignored upper triangle of the free parameters gets zero.
 */
export function choleskyCovarianceGradReference<A extends FloatArray>(
  shape: CholeskyCovarianceShape,
  free: A,
  dCovariances: A,
): A {
  const { modes: K, channels: C } = shape;
  requireLength('dCovariances', dCovariances, K * C * C, `[${K}, ${C}, ${C}]`);
  const L = choleskyFactorsReference(shape, free);
  const dFree = allocLike(free, K * C * C);
  for (let k = 0; k < K; k++) {
    const o = k * C * C;
    for (let i = 0; i < C; i++) {
      for (let l = 0; l <= i; l++) {
        let s = 0;
        for (let j = l; j < C; j++)
          s += (dCovariances[o + i * C + j]! + dCovariances[o + j * C + i]!) * L[o + j * C + l]!;
        dFree[o + i * C + l] = l === i ? s * sigmoid(free[o + i * C + i]!) : s;
      }
    }
  }
  return dFree;
}
