import * as tf from '@tensorflow/tfjs';
import { float32Values } from './tensorValues';
import { ShapeError } from './floatArrays';
import { choleskyCovarianceGradKernel, choleskyCovarianceKernel } from './choleskyCovarianceKernels';
import type { CholeskyCovarianceShape } from './choleskyCovarianceReference';

/**
 * D = L·Lᵀ + ε·I for K free Cholesky parameter blocks [K, C, C] (see choleskyCovarianceReference)
 * as one op with a custom gradient. From tfjs ops this was masks, softplus and a batched matMul
 * whose two-product backward pass is slow on the wasm backend.
 */
const f32 = float32Values;

export function choleskyCovariance(free: tf.Tensor, diagonalShift: number, epsilon: number): tf.Tensor3D {
  if (free.rank !== 3 || free.shape[1] !== free.shape[2])
    throw new ShapeError(
      `choleskyCovariance expects free parameters [K, C, C], got [${free.shape.join(', ')}]`,
    );
  const [K, C] = free.shape as [number, number, number];
  const shape: CholeskyCovarianceShape = { modes: K, channels: C, diagonalShift, epsilon };
  const op = tf.customGrad((fv) => {
    const values = f32(fv as tf.Tensor);
    return {
      value: tf.tensor3d(choleskyCovarianceKernel(shape, values), [K, C, C]),
      gradFunc: (dy: tf.Tensor) =>
        tf.tensor3d(choleskyCovarianceGradKernel(shape, values, f32(dy)), [K, C, C]),
    };
  });
  return op(free) as tf.Tensor3D;
}
