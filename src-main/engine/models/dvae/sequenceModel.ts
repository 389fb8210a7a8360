import * as tf from '@tensorflow/tfjs';
import type { SeededRandom } from '../../../numerics/random';
import type { ParameterSet } from './parameters';
import { wienerKl, type WienerPrior } from './wienerPrior';

/**
 * What the VRAE and the VOSP share: a recognition model q(z_{1:T} | x) that is a diagonal
 * Gaussian per time step, a Gaussian emission p(x_t | ·), and a Wiener prior on z. Inputs reach
 * the recognition RNN as [values with missing entries zeroed, missing flags] (2C features), so a
 * missing value is distinguishable from an observed zero.
 */
export interface Posterior {
  mu: tf.Tensor3D;
  sd: tf.Tensor3D;
}

export interface Emission {
  mean: tf.Tensor3D;
  std: tf.Tensor3D | number;
}

export interface LatentSequenceModel {
  readonly kind: 'vrae' | 'vosp';
  readonly params: ParameterSet;
  readonly nChannels: number;
  readonly sequenceLength: number;
  readonly latentDim: number;
  readonly prior: WienerPrior;
  /** Recognition features [B, T, 2C] → posterior, plus whatever the emission needs from it. */
  recognise(features: tf.Tensor3D): { posterior: Posterior; context: tf.Tensor3D | null };
  emit(z: tf.Tensor3D, context: tf.Tensor3D | null): Emission;
}

/** [values · (1 − flag), flag] along the feature axis. */
export function recognitionFeatures(values: tf.Tensor3D, flags: tf.Tensor3D): tf.Tensor3D {
  return tf.concat([values.mul(tf.scalar(1).sub(flags)), flags], 2) as tf.Tensor3D;
}

export interface LossTerms {
  loss: tf.Scalar;
  nll: tf.Scalar;
  kl: tf.Scalar;
}

/**
 * Negative ELBO of the seed, −E_q[log p(x|z)] + KL(q ‖ Wiener), with one reparameterised sample
 * for the expectation and the analytic KL. The likelihood covers only entries with weight 1
 * (known values: observed, or hidden from the recognition model by training masks); entries
 * missing from the data have weight 0. Terms are divided by B·T, a loss per time point.
 */
export function negativeElbo(
  model: LatentSequenceModel,
  batch: { features: tf.Tensor3D; targets: tf.Tensor3D; weights: tf.Tensor3D },
  klFactor: number,
  rng: SeededRandom | null,
): LossTerms {
  const [B, T] = batch.targets.shape;
  const { posterior, context } = model.recognise(batch.features);
  const z = rng ? sampleLatent(posterior, rng) : posterior.mu;
  const em = model.emit(z, context);
  const nllSum = gaussianNll(batch.targets, em, batch.weights);
  const klSum = wienerKl(posterior.mu, posterior.sd, model.prior);
  const scale = 1 / (B * T);
  const nll = nllSum.mul(scale) as tf.Scalar;
  const kl = klSum.mul(scale) as tf.Scalar;
  return { loss: nll.add(kl.mul(klFactor)) as tf.Scalar, nll, kl };
}

export function sampleLatent(p: Posterior, rng: SeededRandom): tf.Tensor3D {
  const n = p.mu.size;
  const eps = new Float32Array(n);
  for (let i = 0; i < n; i++) eps[i] = rng.normal();
  return p.mu.add(p.sd.mul(tf.tensor(eps, p.mu.shape))) as tf.Tensor3D;
}

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** Σ weights · −log N(x | mean, std²). */
export function gaussianNll(x: tf.Tensor3D, em: Emission, weights: tf.Tensor3D): tf.Scalar {
  const r = x.sub(em.mean);
  const perEntry =
    typeof em.std === 'number'
      ? r
          .square()
          .mul(0.5 / (em.std * em.std))
          .add(Math.log(em.std) + HALF_LOG_2PI)
      : r.div(em.std).square().mul(0.5).add(em.std.log()).add(HALF_LOG_2PI);
  return perEntry.mul(weights).sum() as tf.Scalar;
}
