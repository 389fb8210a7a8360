import * as tf from '@tensorflow/tfjs';
import { float32Values, tensorFromValues } from './tensorValues';
import { ShapeError } from './floatArrays';
import {
  sequenceKlGradReference,
  sequenceKlReference,
  type SequenceKlParams,
  type SequenceKlShape,
} from './sequenceGaussianKlReference';

/**
 * Σ_k KL(q(θ_{t+lag}) ‖ p(θ_t)) per batch and time, [B, T − lag], from posterior and prior means and
 * standard deviations [B, T, K], as one op with a custom gradient. Built from tfjs ops it was four
 * slices (and their padded gradients), logs, squares and divisions: some thirty small kernels.
 */
const f32 = float32Values;

export function sequenceGaussianKl(
  muQ: tf.Tensor3D,
  sdQ: tf.Tensor3D,
  muP: tf.Tensor3D,
  sdP: tf.Tensor3D,
  lag: number,
): tf.Tensor2D {
  const s = muQ.shape;
  for (const [name, t] of [
    ['sdQ', sdQ],
    ['muP', muP],
    ['sdP', sdP],
  ] as const) {
    if (t.rank !== 3 || t.shape.some((v, i) => v !== s[i]))
      throw new ShapeError(
        `sequenceGaussianKl: ${name} must be [${s.join(', ')}] like muQ, got [${t.shape.join(', ')}]`,
      );
  }
  const [B, T, K] = s;
  const shape: SequenceKlShape = { batch: B, steps: T, modes: K, lag };
  const op = tf.customGrad((a, b, c, d) => {
    const params: SequenceKlParams<Float32Array> = {
      muQ: f32(a as tf.Tensor),
      sdQ: f32(b as tf.Tensor),
      muP: f32(c as tf.Tensor),
      sdP: f32(d as tf.Tensor),
    };
    return {
      value: tf.tensor2d(sequenceKlReference(shape, params), [B, T - lag]),
      gradFunc: (dy: tf.Tensor) => {
        const g = sequenceKlGradReference(shape, params, f32(dy));
        return [g.dMuQ, g.dSdQ, g.dMuP, g.dSdP].map((v) => tensorFromValues(v, [B, T, K]));
      },
    };
  });
  return op(muQ, sdQ, muP, sdP) as tf.Tensor2D;
}
