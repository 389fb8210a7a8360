import { nativeKernelsOrWarn, type NativeKernels } from '../native/load';
import { requireLength } from './floatArrays';
import { sigmoid, softplus } from './softplus';
import {
  choleskyCovarianceGradReference,
  choleskyCovarianceReference,
  validateCholeskyCovariance,
  type CholeskyCovarianceShape,
} from './choleskyCovarianceReference';

/**
 * float32 covariances from Cholesky parameters. With the native kernels the two C×C×C products per
 * mode (L·Lᵀ forward, (G + Gᵀ)·L backward) run in the native GEMM; the elementwise parts are cheap
 * JS loops over K·C² values. Without them, the TypeScript reference.
 */

function factorsAndTransposes(shape: CholeskyCovarianceShape, free: Float32Array) {
  const { modes: K, channels: C } = shape;
  const L = new Float32Array(K * C * C);
  const Lt = new Float32Array(K * C * C);
  for (let k = 0; k < K; k++) {
    const o = k * C * C;
    for (let i = 0; i < C; i++) {
      for (let j = 0; j < i; j++) {
        const v = free[o + i * C + j]!;
        L[o + i * C + j] = v;
        Lt[o + j * C + i] = v;
      }
      const d = softplus(free[o + i * C + i]!) + shape.diagonalShift;
      L[o + i * C + i] = d;
      Lt[o + i * C + i] = d;
    }
  }
  return { L, Lt };
}

const block = (a: Float32Array, k: number, size: number): Float32Array =>
  a.subarray(k * size, (k + 1) * size);

export function choleskyCovarianceNative(
  native: NativeKernels,
  shape: CholeskyCovarianceShape,
  free: Float32Array,
): Float32Array {
  validateCholeskyCovariance(shape, free);
  const { modes: K, channels: C } = shape;
  const { L, Lt } = factorsAndTransposes(shape, free);
  const D = new Float32Array(K * C * C);
  const n = C * C;
  for (let k = 0; k < K; k++)
    native.denseForward(C, C, C, block(L, k, n), block(Lt, k, n), null, block(D, k, n));
  if (shape.epsilon > 0)
    for (let k = 0; k < K; k++) for (let i = 0; i < C; i++) D[k * n + i * C + i]! += shape.epsilon;
  return D;
}

export function choleskyCovarianceGradNative(
  native: NativeKernels,
  shape: CholeskyCovarianceShape,
  free: Float32Array,
  dCovariances: Float32Array,
): Float32Array {
  validateCholeskyCovariance(shape, free);
  const { modes: K, channels: C } = shape;
  requireLength('dCovariances', dCovariances, K * C * C, `[${K}, ${C}, ${C}]`);
  const { L } = factorsAndTransposes(shape, free);
  const n = C * C;
  const S = new Float32Array(K * n);
  for (let k = 0; k < K; k++)
    for (let i = 0; i < C; i++)
      for (let j = 0; j < C; j++)
        S[k * n + i * C + j] = dCovariances[k * n + i * C + j]! + dCovariances[k * n + j * C + i]!;
  const dL = new Float32Array(K * n);
  for (let k = 0; k < K; k++)
    native.denseForward(C, C, C, block(S, k, n), block(L, k, n), null, block(dL, k, n));
  const dFree = new Float32Array(K * n);
  for (let k = 0; k < K; k++) {
    const o = k * n;
    for (let i = 0; i < C; i++) {
      for (let j = 0; j < i; j++) dFree[o + i * C + j] = dL[o + i * C + j]!;
      dFree[o + i * C + i] = dL[o + i * C + i]! * sigmoid(free[o + i * C + i]!);
    }
  }
  return dFree;
}

export function choleskyCovarianceKernel(shape: CholeskyCovarianceShape, free: Float32Array): Float32Array {
  const native = nativeKernelsOrWarn();
  return native ? choleskyCovarianceNative(native, shape, free) : choleskyCovarianceReference(shape, free);
}

export function choleskyCovarianceGradKernel(
  shape: CholeskyCovarianceShape,
  free: Float32Array,
  dCovariances: Float32Array,
): Float32Array {
  const native = nativeKernelsOrWarn();
  return native
    ? choleskyCovarianceGradNative(native, shape, free, dCovariances)
    : choleskyCovarianceGradReference(shape, free, dCovariances);
}
