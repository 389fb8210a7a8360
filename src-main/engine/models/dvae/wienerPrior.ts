import * as tf from '@tensorflow/tfjs';

/**
 * KL divergence from a diagonal Gaussian posterior over a latent sequence to independent Wiener
 * processes (Bayer & Osendorfer, section 3.3): under the increment map
 * g_W(z) = (z_0, z_1 − z_0, …, z_{T−1} − z_{T−2}) the prior becomes white, N(0, v_0) for z_0 and
 * N(0, v) for every increment. g_W is linear with unit determinant, so the posterior stays
 * Gaussian with mean g_W(μ) and covariance A·diag(s²)·Aᵀ, and the KL is analytic:
 *
 *   KL = ½ Σ_t [ (Var_q(d_t) + E_q(d_t)²) / v_t − 1 + log v_t ] − Σ_t log s_t,
 *
 * with E_q(d_t) = μ_t − μ_{t−1}, Var_q(d_t) = s_t² + s_{t−1}² (t ≥ 1), and for t = 0: μ_0, s_0².
 * The trace uses only the diagonal of A·S·Aᵀ; the log-determinant is log|S| because |A| = 1. This
 * is exactly KL(q(z) ‖ Wiener prior) over the sampled times, not an approximation.
 */
export interface WienerPrior {
  initialVariance: number;
  incrementVariance: number;
}

/** Summed KL over batch, time and latent dimensions. mu, sd: [B, T, Z]. */
export function wienerKl(mu: tf.Tensor3D, sd: tf.Tensor3D, prior: WienerPrior): tf.Scalar {
  return tf.tidy(() => {
    const [B, T, Z] = mu.shape;
    const v0 = prior.initialVariance;
    const v = prior.incrementVariance;
    const var_ = sd.square();
    const mu0 = mu.slice([0, 0, 0], [B, 1, Z]);
    const var0 = var_.slice([0, 0, 0], [B, 1, Z]);
    let quad = var0.add(mu0.square()).div(v0).sum();
    let logPrior = Math.log(v0) * B * Z;
    if (T > 1) {
      const dMu = mu.slice([0, 1, 0], [B, T - 1, Z]).sub(mu.slice([0, 0, 0], [B, T - 1, Z]));
      const dVar = var_.slice([0, 1, 0], [B, T - 1, Z]).add(var_.slice([0, 0, 0], [B, T - 1, Z]));
      quad = quad.add(dVar.add(dMu.square()).div(v).sum());
      logPrior += Math.log(v) * B * (T - 1) * Z;
    }
    const logQ = sd.log().sum().mul(2);
    return quad
      .sub(B * T * Z)
      .add(logPrior)
      .sub(logQ)
      .mul(0.5) as tf.Scalar;
  });
}

/** The same KL in float64 from plain arrays, for one latent dimension (test oracle). */
export function wienerKlReference(mu: ArrayLike<number>, sd: ArrayLike<number>, prior: WienerPrior): number {
  let kl = 0;
  for (let t = 0; t < mu.length; t++) {
    const v = t === 0 ? prior.initialVariance : prior.incrementVariance;
    const m = t === 0 ? mu[0]! : mu[t]! - mu[t - 1]!;
    const s2 = t === 0 ? sd[0]! ** 2 : sd[t]! ** 2 + sd[t - 1]! ** 2;
    kl += 0.5 * ((s2 + m * m) / v - 1 + Math.log(v)) - Math.log(sd[t]!);
  }
  return kl;
}
