import * as tf from '@tensorflow/tfjs';
import { cholesky } from '../../../numerics/cholesky';
import { softplusInverse, truncatedNormal } from './initialisers';
import type { SeededRandom } from '../../../numerics/random';

/**
 * Mode covariances parameterised as osl-dynamics does: a free vector per mode fills the lower
 * triangle of L (row-major here), the diagonal passes through softplus plus a small shift (tfp's
 * FillScaleTriL default, 1e-5), and D = L Lᵀ + ε I. Diagonal covariances are softplus(v) + ε.
 */
export const CHOLESKY_DIAGONAL_SHIFT = 1e-5;

export function triangleSize(channels: number): number {
  return (channels * (channels + 1)) / 2;
}

const lowerIndex = (i: number, j: number) => (i * (i + 1)) / 2 + j;

export class CovarianceParameterisation {
  private readonly gatherIndex: tf.Tensor1D;
  private readonly diagonalMask: tf.Tensor1D;
  private readonly identity: tf.Tensor2D;

  constructor(
    readonly modes: number,
    readonly channels: number,
    readonly diagonal: boolean,
    readonly epsilon: number,
  ) {
    const C = channels;
    const P = triangleSize(C);
    if (diagonal) {
      this.gatherIndex = tf.tensor1d([], 'int32');
      this.diagonalMask = tf.tensor1d([]);
    } else {
      // Entries above the diagonal gather from an appended zero at index P.
      const index = new Int32Array(C * C).fill(P);
      const mask = new Float32Array(P);
      for (let i = 0; i < C; i++) {
        for (let j = 0; j <= i; j++) index[i * C + j] = lowerIndex(i, j);
        mask[lowerIndex(i, i)] = 1;
      }
      this.gatherIndex = tf.tensor1d(index, 'int32');
      this.diagonalMask = tf.tensor1d(mask);
    }
    this.identity = tf.eye(C);
  }

  /** Shape of the free parameter: [K, C(C+1)/2] or [K, C]. */
  get parameterShape(): [number, number] {
    return [this.modes, this.diagonal ? this.channels : triangleSize(this.channels)];
  }

  /** [K, C, C] full covariances, or [K, C] variances when diagonal. */
  covariances(free: tf.Tensor2D): tf.Tensor {
    if (this.diagonal) return tf.softplus(free).add(this.epsilon);
    const K = this.modes;
    const C = this.channels;
    const diag = tf.softplus(free).add(CHOLESKY_DIAGONAL_SHIFT);
    const flat = free.mul(tf.scalar(1).sub(this.diagonalMask)).add(diag.mul(this.diagonalMask));
    const padded = tf.concat([flat, tf.zeros([K, 1])], 1);
    const L = tf.gather(padded, this.gatherIndex, 1).reshape([K, C, C]) as tf.Tensor3D;
    const D = tf.matMul(L, L, false, true);
    return this.epsilon > 0 ? D.add(this.identity.mul(this.epsilon)) : D;
  }

  /** osl-dynamics' random start: diagonal matrices with entries ~ TN(1, 0.1) (0.05 if diagonal). */
  randomInitial(rng: SeededRandom): Float32Array {
    const K = this.modes;
    const C = this.channels;
    const d = truncatedNormal(rng, K * C, 1, this.diagonal ? 0.05 : 0.1);
    if (this.diagonal) return Float32Array.from(d, (v) => softplusInverse(Math.max(v, 1e-6)));
    const out = new Float32Array(K * triangleSize(C));
    for (let k = 0; k < K; k++)
      for (let i = 0; i < C; i++)
        out[k * triangleSize(C) + lowerIndex(i, i)] = softplusInverse(
          Math.max(Math.sqrt(d[k * C + i]!) - CHOLESKY_DIAGONAL_SHIFT, 1e-6),
        );
    return out;
  }

  /** Identity covariances (osl-dynamics' start when covariances are not learnt). */
  identityInitial(): Float32Array {
    const K = this.modes;
    const C = this.channels;
    if (this.diagonal) return new Float32Array(K * C).fill(softplusInverse(1));
    const out = new Float32Array(K * triangleSize(C));
    const one = softplusInverse(1 - CHOLESKY_DIAGONAL_SHIFT);
    for (let k = 0; k < K; k++) for (let i = 0; i < C; i++) out[k * triangleSize(C) + lowerIndex(i, i)] = one;
    return out;
  }

  /** Free parameters giving the given covariances ([K][C][C], or [K][C] diagonals when diagonal). */
  fromCovariances(given: number[][][] | number[][]): Float32Array {
    const K = this.modes;
    const C = this.channels;
    if (this.diagonal) {
      const out = new Float32Array(K * C);
      for (let k = 0; k < K; k++) {
        const m = given[k]!;
        for (let i = 0; i < C; i++) {
          const v = Array.isArray(m[0]) ? (m as number[][])[i]![i]! : (m as number[])[i]!;
          out[k * C + i] = softplusInverse(v);
        }
      }
      return out;
    }
    const P = triangleSize(C);
    const out = new Float32Array(K * P);
    for (let k = 0; k < K; k++) {
      const m = given[k] as number[][];
      const flat = new Float64Array(C * C);
      for (let i = 0; i < C; i++) for (let j = 0; j < C; j++) flat[i * C + j] = m[i]![j]!;
      const L = cholesky(flat, C);
      for (let i = 0; i < C; i++)
        for (let j = 0; j <= i; j++) {
          const v = L[i * C + j]!;
          out[k * P + lowerIndex(i, j)] =
            i === j ? softplusInverse(Math.max(v - CHOLESKY_DIAGONAL_SHIFT, 1e-9)) : v;
        }
    }
    return out;
  }

  dispose(): void {
    tf.dispose([this.gatherIndex, this.diagonalMask, this.identity]);
  }
}
