import * as tf from '@tensorflow/tfjs';
import { float32Values, tensorFromValues } from './tensorValues';
import { denseGradKernel, denseKernel } from './denseKernels';
import { ShapeError } from './floatArrays';
import type { DenseParams, DenseShape } from './denseReference';

/**
 * x · W + b over the last axis of x ([..., K] → [..., N]) as one op with a custom gradient. The
 * tfjs matMul gradient on the wasm backend goes through generic transposes and is slower than the
 * whole forward; this runs both passes in the native GEMM.
 *
 * With `activation: 'softplus'` the output is softplus(x · W + b) + shift (a positive standard
 * deviation head), applied inside the op rather than as two more tfjs kernels each way.
 */
export interface DenseOptions {
  activation?: 'linear' | 'softplus';
  /** Added after the activation. */
  shift?: number;
}

const f32 = float32Values;

export function dense<R extends tf.Rank>(
  x: tf.Tensor<R>,
  kernel: tf.Tensor2D,
  bias?: tf.Tensor1D,
  options: DenseOptions = {},
): tf.Tensor<R> {
  const soft = options.activation === 'softplus';
  const shift = options.shift ?? 0;
  const [K, N] = kernel.shape;
  if (x.rank < 2 || x.shape[x.rank - 1] !== K) {
    throw new ShapeError(
      `dense expects x [..., ${K}] for a kernel [${K}, ${N}], got [${x.shape.join(', ')}]`,
    );
  }
  if (bias && (bias.rank !== 1 || bias.shape[0] !== N)) {
    throw new ShapeError(`dense bias must be [${N}], got [${bias.shape.join(', ')}]`);
  }
  const outShape = [...x.shape.slice(0, -1), N];
  const M = x.size / K;
  const shape: DenseShape = { rows: M, inputs: K, outputs: N };
  const inputs: tf.Tensor[] = [x, kernel];
  if (bias) inputs.push(bias);
  const op = tf.customGrad((...args) => {
    const ts = args.slice(0, inputs.length) as tf.Tensor[];
    const params: DenseParams<Float32Array> = {
      x: f32(ts[0]!),
      kernel: f32(ts[1]!),
      bias: bias ? f32(ts[2]!) : undefined,
    };
    const z = denseKernel(shape, params);
    let y = z;
    // softplus'(z) = sigmoid(z), kept from the forward pass: both from one exp per element.
    let slope: Float32Array | null = null;
    if (soft || shift !== 0) {
      y = new Float32Array(z.length);
      if (soft) slope = new Float32Array(z.length);
      for (let i = 0; i < z.length; i++) {
        const v = z[i]!;
        if (slope) {
          const e = Math.exp(-Math.abs(v));
          y[i] = (v > 0 ? v : 0) + Math.log1p(e) + shift;
          slope[i] = v >= 0 ? 1 / (1 + e) : e / (1 + e);
        } else {
          y[i] = v + shift;
        }
      }
    }
    return {
      value: tensorFromValues(y, outShape),
      gradFunc: (dy: tf.Tensor) => {
        let dz = f32(dy);
        if (slope) {
          const dOut = dz;
          dz = new Float32Array(z.length);
          for (let i = 0; i < z.length; i++) dz[i] = dOut[i]! * slope[i]!;
        }
        const g = denseGradKernel(shape, params, dz);
        const grads = [tensorFromValues(g.dx, ts[0]!.shape), tf.tensor(g.dKernel, [K, N])];
        if (bias) grads.push(tf.tensor(g.dBias, [N]));
        return grads;
      },
    };
  });
  return op(...inputs) as tf.Tensor<R>;
}
