import * as tf from '@tensorflow/tfjs';
import { float32Values, tensorFromValues } from './tensorValues';
import {
  mvnMixtureLogLikForTraining,
  mvnMixtureLogLikGradKernel,
  mvnMixtureLogLikKernel,
} from './mvnMixtureKernels';
import { ShapeError } from './floatArrays';
import type { MvnMixtureParams, MvnMixtureShape } from './mvnMixtureReference';

/**
 * log N(x_t | Σ_k α_tk μ_k, Σ_k α_tk D_k) per time point as one tfjs op, [B, T]. Covariances are
 * [K, C, C] (full, symmetric) or [K, C] (diagonal variances). Masked time points (mask 0) give 0 and
 * no gradient. A non-positive-definite mixture throws NotPositiveDefiniteError.
 */
export interface MvnMixtureLogLikOptions {
  /** [K, C]; zero means when absent. */
  means?: tf.Tensor2D;
  /** [B, T]; 1 = observed. */
  mask?: tf.Tensor2D;
  /**
   * false when x is data rather than a function of trained parameters: the backward pass then
   * skips dL/dx and reports zeros for it.
   */
  dataGradient?: boolean;
}

const f32 = float32Values;

/** Whether a gradient tape is recording (inside tf.grads, tf.variableGrads, optimizer.minimize). */
function recordingGradients(): boolean {
  const state = (tf.engine() as unknown as { state?: { gradientDepth?: number } }).state;
  return (state?.gradientDepth ?? 0) > 0;
}

export function mvnMixtureLogLik(
  x: tf.Tensor3D,
  alpha: tf.Tensor3D,
  covariances: tf.Tensor,
  options: MvnMixtureLogLikOptions = {},
): tf.Tensor2D {
  if (x.rank !== 3 || alpha.rank !== 3)
    throw new ShapeError('mvnMixtureLogLik expects x [B, T, C] and alpha [B, T, K]');
  if (covariances.rank !== 2 && covariances.rank !== 3) {
    throw new ShapeError(`covariances must be [K, C, C] or [K, C], got rank ${covariances.rank}`);
  }
  const [B, T, C] = x.shape;
  const K = alpha.shape[2];
  const shape: MvnMixtureShape = {
    batch: B,
    steps: T,
    channels: C,
    modes: K,
    diagonal: covariances.rank === 2,
  };
  const mask = options.mask ? f32(options.mask.toFloat()) : undefined;
  const hasMeans = options.means !== undefined;
  const wantDx = options.dataGradient !== false;
  const inputs: tf.Tensor[] = [x, alpha, covariances];
  if (options.means) inputs.push(options.means);

  const op = tf.customGrad((...args) => {
    const ts = args.slice(0, inputs.length) as tf.Tensor[];
    const params: MvnMixtureParams<Float32Array> = {
      x: f32(ts[0]!),
      alpha: f32(ts[1]!),
      covariances: f32(ts[2]!),
      means: hasMeans ? f32(ts[3]!) : undefined,
      mask,
    };
    // Under tf.grads / minimize the backward pass follows: keep the factors for it.
    const training = recordingGradients() ? mvnMixtureLogLikForTraining(shape, params) : null;
    const logLik = training ? training.logLik : mvnMixtureLogLikKernel(shape, params);
    return {
      value: tensorFromValues(logLik, [B, T]) as tf.Tensor2D,
      gradFunc: (dy: tf.Tensor) => {
        const g = training
          ? training.backward(f32(dy), wantDx)
          : mvnMixtureLogLikGradKernel(shape, params, f32(dy));
        const grads: tf.Tensor[] = [
          wantDx ? tf.tensor(g.dx, ts[0]!.shape) : tf.zeros(ts[0]!.shape),
          tensorFromValues(g.dAlpha, ts[1]!.shape),
          tf.tensor(g.dCovariances, ts[2]!.shape),
        ];
        if (hasMeans) grads.push(tf.tensor(g.dMeans, ts[3]!.shape));
        return grads;
      },
    };
  });
  return op(...inputs) as tf.Tensor2D;
}
