import * as tf from '@tensorflow/tfjs';
import { cholesky } from '../../../numerics/cholesky';
import { choleskyCovariance } from '../../ops/choleskyCovariance';
import { softplusInverse, truncatedNormal } from './initialisers';
import type { SeededRandom } from '../../../numerics/random';

/**
 * Mode covariances parameterised as osl-dynamics does: free parameters fill the lower triangle of
 * L, the diagonal passes through softplus plus a small shift (tfp's FillScaleTriL default, 1e-5),
 * and D = L Lᵀ + ε I. Diagonal covariances are softplus(v) + ε.
 *
 * The free parameter is stored as a full [K, C, C] block of which only the lower triangle is used
 * (the rest gets zero gradient and stays zero); the fused choleskyCovariance op builds D from it.
 */
export const CHOLESKY_DIAGONAL_SHIFT = 1e-5;

export class CovarianceParameterisation {
  constructor(
    readonly modes: number,
    readonly channels: number,
    readonly diagonal: boolean,
    readonly epsilon: number,
  ) {}

  /** Shape of the free parameter: [K, C, C] (lower triangle used) or [K, C]. */
  get parameterShape(): number[] {
    return this.diagonal ? [this.modes, this.channels] : [this.modes, this.channels, this.channels];
  }

  /** [K, C, C] full covariances, or [K, C] variances when diagonal. */
  covariances(free: tf.Tensor): tf.Tensor {
    if (this.diagonal) return tf.softplus(free).add(this.epsilon);
    return choleskyCovariance(free, CHOLESKY_DIAGONAL_SHIFT, this.epsilon);
  }

  /** osl-dynamics' random start: diagonal matrices with entries ~ TN(1, 0.1) (0.05 if diagonal). */
  randomInitial(rng: SeededRandom): Float32Array {
    const K = this.modes;
    const C = this.channels;
    const d = truncatedNormal(rng, K * C, 1, this.diagonal ? 0.05 : 0.1);
    if (this.diagonal) return Float32Array.from(d, (v) => softplusInverse(Math.max(v, 1e-6)));
    const out = new Float32Array(K * C * C);
    for (let k = 0; k < K; k++)
      for (let i = 0; i < C; i++)
        out[(k * C + i) * C + i] = softplusInverse(
          Math.max(Math.sqrt(d[k * C + i]!) - CHOLESKY_DIAGONAL_SHIFT, 1e-6),
        );
    return out;
  }

  /** Identity covariances (osl-dynamics' start when covariances are not learnt). */
  identityInitial(): Float32Array {
    const K = this.modes;
    const C = this.channels;
    if (this.diagonal) return new Float32Array(K * C).fill(softplusInverse(1));
    const out = new Float32Array(K * C * C);
    const one = softplusInverse(1 - CHOLESKY_DIAGONAL_SHIFT);
    for (let k = 0; k < K; k++) for (let i = 0; i < C; i++) out[(k * C + i) * C + i] = one;
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
    const out = new Float32Array(K * C * C);
    for (let k = 0; k < K; k++) {
      const m = given[k] as number[][];
      const flat = new Float64Array(C * C);
      for (let i = 0; i < C; i++) for (let j = 0; j < C; j++) flat[i * C + j] = m[i]![j]!;
      const L = cholesky(flat, C);
      for (let i = 0; i < C; i++)
        for (let j = 0; j <= i; j++) {
          const v = L[i * C + j]!;
          out[(k * C + i) * C + j] =
            i === j ? softplusInverse(Math.max(v - CHOLESKY_DIAGONAL_SHIFT, 1e-9)) : v;
        }
    }
    return out;
  }
}
