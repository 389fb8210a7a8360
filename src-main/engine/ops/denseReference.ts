import { allocLike, requireLength, requirePositiveInteger, type FloatArray } from './floatArrays';

/**
 * out = x · W + b for x [M, K], W [K, N], b [N]: plain TypeScript fallback and test oracle of the
 * native dense kernel.
 */
export interface DenseShape {
  rows: number;
  inputs: number;
  outputs: number;
}

export interface DenseParams<A extends FloatArray> {
  x: A;
  kernel: A;
  bias?: A | undefined;
}

export interface DenseGradients<A extends FloatArray> {
  dx: A;
  dKernel: A;
  /** Zero-length without a bias. */
  dBias: A;
}

export function validateDense<A extends FloatArray>(shape: DenseShape, p: DenseParams<A>): void {
  const { rows: M, inputs: K, outputs: N } = shape;
  requirePositiveInteger('rows', M);
  requirePositiveInteger('inputs', K);
  requirePositiveInteger('outputs', N);
  requireLength('x', p.x, M * K, `[${M}, ${K}]`);
  requireLength('kernel', p.kernel, K * N, `[${K}, ${N}]`);
  if (p.bias) requireLength('bias', p.bias, N, `[${N}]`);
}

export function denseReference<A extends FloatArray>(shape: DenseShape, p: DenseParams<A>): A {
  validateDense(shape, p);
  const { rows: M, inputs: K, outputs: N } = shape;
  const out = allocLike(p.x, M * N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = p.bias ? p.bias[j]! : 0;
      for (let k = 0; k < K; k++) s += p.x[i * K + k]! * p.kernel[k * N + j]!;
      out[i * N + j] = s;
    }
  }
  return out;
}

export function denseGradReference<A extends FloatArray>(
  shape: DenseShape,
  p: DenseParams<A>,
  dOut: A,
): DenseGradients<A> {
  validateDense(shape, p);
  const { rows: M, inputs: K, outputs: N } = shape;
  requireLength('dOut', dOut, M * N, `[${M}, ${N}]`);
  const dx = allocLike(p.x, M * K);
  const dKernel = allocLike(p.x, K * N);
  const dBias = allocLike(p.x, p.bias ? N : 0);
  for (let i = 0; i < M; i++) {
    for (let k = 0; k < K; k++) {
      let s = 0;
      for (let j = 0; j < N; j++) s += dOut[i * N + j]! * p.kernel[k * N + j]!;
      dx[i * K + k] = s;
    }
  }
  for (let k = 0; k < K; k++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let i = 0; i < M; i++) s += p.x[i * K + k]! * dOut[i * N + j]!;
      dKernel[k * N + j] = s;
    }
  }
  if (p.bias) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let i = 0; i < M; i++) s += dOut[i * N + j]!;
      dBias[j] = s;
    }
  }
  return { dx, dKernel, dBias };
}
