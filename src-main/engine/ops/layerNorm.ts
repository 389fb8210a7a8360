import * as tf from '@tensorflow/tfjs';
import { float32Values, tensorFromValues } from './tensorValues';
import { ShapeError } from './floatArrays';
import { layerNormBackwardKernel, layerNormForwardKernel } from './layerNormKernels';
import type { LayerNormParams, LayerNormShape } from './layerNormReference';

/**
 * Layer normalisation over the last axis of x with per-feature scale γ and shift β, as one op with
 * a custom gradient. Built from tfjs ops it is about a dozen kernels forward and more backward,
 * each a pass over [B, T, F] on the wasm backend; here each direction is one pass in the kernels.
 */
const f32 = float32Values;

export function layerNormalization<R extends tf.Rank>(
  x: tf.Tensor<R>,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  epsilon: number,
): tf.Tensor<R> {
  const F = x.shape[x.rank - 1];
  if (x.rank < 1 || F === undefined || F < 1)
    throw new ShapeError(`layerNormalization expects x [..., features], got [${x.shape.join(', ')}]`);
  if (gamma.rank !== 1 || gamma.shape[0] !== F || beta.rank !== 1 || beta.shape[0] !== F) {
    throw new ShapeError(
      `layerNormalization: gamma and beta must be [${F}], got [${gamma.shape.join(', ')}] and [${beta.shape.join(', ')}]`,
    );
  }
  const shape: LayerNormShape = { rows: x.size / F, features: F, epsilon };
  const op = tf.customGrad((xv, gv, bv) => {
    const params: LayerNormParams<Float32Array> = {
      x: f32(xv as tf.Tensor),
      gamma: f32(gv as tf.Tensor),
      beta: f32(bv as tf.Tensor),
    };
    const forward = layerNormForwardKernel(shape, params);
    return {
      value: tensorFromValues(forward.y, x.shape),
      gradFunc: (dy: tf.Tensor) => {
        const g = layerNormBackwardKernel(shape, params, forward, f32(dy));
        return [tensorFromValues(g.dx, x.shape), tf.tensor(g.dGamma, [F]), tf.tensor(g.dBeta, [F])];
      },
    };
  });
  return op(x, gamma, beta) as tf.Tensor<R>;
}
