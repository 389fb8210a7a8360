import * as tf from '@tensorflow/tfjs';
import type { ActivationType } from '../../../../src-shared/models/dynemo';
import type { SeededRandom } from '../../../numerics/random';

/** Keras' LayerNormalization/BatchNormalization epsilon and BatchNormalization momentum. */
export const NORM_EPSILON = 1e-3;
export const BATCH_NORM_MOMENTUM = 0.99;

export function activate(x: tf.Tensor, activation: ActivationType | null): tf.Tensor {
  switch (activation) {
    case null:
    case 'linear':
      return x;
    case 'relu':
      return tf.relu(x);
    case 'elu':
      return tf.elu(x);
    case 'selu':
      return tf.selu(x);
    case 'tanh':
      return tf.tanh(x);
    case 'sigmoid':
      return tf.sigmoid(x);
    case 'softplus':
      return tf.softplus(x);
    case 'swish':
      return x.mul(tf.sigmoid(x));
    case 'gelu':
      // The tanh approximation; Keras' default is the exact erf form, which differs by < 1e-3.
      return x.mul(0.5).mul(tf.tanh(x.add(x.pow(3).mul(0.044715)).mul(Math.sqrt(2 / Math.PI))).add(1));
  }
}

export interface BatchNormStats {
  mean: tf.Tensor1D;
  variance: tf.Tensor1D;
}

/**
 * Batch normalisation over every axis but the last. In training it uses (and returns) the batch
 * statistics so the caller can update the moving averages after the step; in prediction it uses
 * the moving averages.
 */
export function batchNorm(
  x: tf.Tensor,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  moving: BatchNormStats,
  training: boolean,
): { y: tf.Tensor; stats?: BatchNormStats } {
  if (!training) {
    return { y: x.sub(moving.mean).div(moving.variance.add(NORM_EPSILON).sqrt()).mul(gamma).add(beta) };
  }
  const axes = x.shape.slice(0, -1).map((_, i) => i);
  const { mean, variance } = tf.moments(x, axes);
  const y = x.sub(mean).div(variance.add(NORM_EPSILON).sqrt()).mul(gamma).add(beta);
  return { y, stats: { mean: mean as tf.Tensor1D, variance: variance as tf.Tensor1D } };
}

/** Inverted dropout with a mask drawn from the seeded generator; identity when rate is 0. */
export function dropout(x: tf.Tensor, rate: number, rng: SeededRandom | null): tf.Tensor {
  if (rate <= 0 || rng === null) return x;
  const keep = 1 - rate;
  const mask = new Float32Array(x.size);
  for (let i = 0; i < mask.length; i++) mask[i] = rng.uniform() < keep ? 1 / keep : 0;
  return x.mul(tf.tensor(mask, x.shape, 'float32'));
}

/** Standard normal deviates from the seeded generator as a tensor. */
export function seededNormal(shape: number[], rng: SeededRandom): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.normal();
  return tf.tensor(out, shape, 'float32');
}
