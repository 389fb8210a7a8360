import { nativeKernelsOrWarn, type NativeKernels } from '../native/load';
import { requireLength } from './floatArrays';
import {
  layerNormBackwardReference,
  layerNormForwardReference,
  validateLayerNorm,
  type LayerNormForwardResult,
  type LayerNormGradients,
  type LayerNormParams,
  type LayerNormShape,
} from './layerNormReference';

/** float32 layer-normalisation kernels: native when loaded, else the TypeScript reference. */

export function layerNormForwardNative(
  native: NativeKernels,
  shape: LayerNormShape,
  p: LayerNormParams<Float32Array>,
): LayerNormForwardResult<Float32Array> {
  validateLayerNorm(shape, p);
  const { rows: M, features: F } = shape;
  const out = { y: new Float32Array(M * F), mean: new Float32Array(M), rstd: new Float32Array(M) };
  native.layerNormForward(M, F, shape.epsilon, p.x, p.gamma, p.beta, out.y, out.mean, out.rstd);
  return out;
}

export function layerNormBackwardNative(
  native: NativeKernels,
  shape: LayerNormShape,
  p: LayerNormParams<Float32Array>,
  forward: Pick<LayerNormForwardResult<Float32Array>, 'mean' | 'rstd'>,
  dy: Float32Array,
): LayerNormGradients<Float32Array> {
  validateLayerNorm(shape, p);
  const { rows: M, features: F } = shape;
  requireLength('dy', dy, M * F, `[${M}, ${F}]`);
  const g = { dx: new Float32Array(M * F), dGamma: new Float32Array(F), dBeta: new Float32Array(F) };
  native.layerNormBackward(M, F, p.x, p.gamma, forward.mean, forward.rstd, dy, g.dx, g.dGamma, g.dBeta);
  return g;
}

export function layerNormForwardKernel(
  shape: LayerNormShape,
  p: LayerNormParams<Float32Array>,
): LayerNormForwardResult<Float32Array> {
  const native = nativeKernelsOrWarn();
  return native ? layerNormForwardNative(native, shape, p) : layerNormForwardReference(shape, p);
}

export function layerNormBackwardKernel(
  shape: LayerNormShape,
  p: LayerNormParams<Float32Array>,
  forward: Pick<LayerNormForwardResult<Float32Array>, 'mean' | 'rstd'>,
  dy: Float32Array,
): LayerNormGradients<Float32Array> {
  const native = nativeKernelsOrWarn();
  return native
    ? layerNormBackwardNative(native, shape, p, forward, dy)
    : layerNormBackwardReference(shape, p, forward, dy);
}
