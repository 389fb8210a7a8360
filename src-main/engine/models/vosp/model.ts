import * as tf from '@tensorflow/tfjs';
import type { VospConfig } from '../../../../src-shared/models/vosp';
import { rnnSequence, type RnnWeights } from '../../ops/rnnSequence';
import { applyDense, ParameterSet } from '../dvae/parameters';
import type { Emission, LatentSequenceModel, Posterior } from '../dvae/sequenceModel';
import type { WienerPrior } from '../dvae/wienerPrior';

/**
 * Variational one-step predictor (Bayer & Osendorfer, section 3.2): a forward-only recognition RNN
 * summarises x_{1:t} in h_t, q(z_t | x_{1:t}) is read from h_t, and the emission
 * p(x_t | h_{t−1}, z_t) is an MLP on the previous summary and the current latent, so the past
 * flows deterministically into the prediction and nothing uses the future.
 */
export class VospModel implements LatentSequenceModel {
  readonly kind = 'vosp' as const;
  readonly params = new ParameterSet();
  readonly nChannels: number;
  readonly sequenceLength: number;
  readonly latentDim: number;
  readonly prior: WienerPrior;
  private readonly cell: 'gru' | 'lstm';
  private readonly rec: RnnWeights;
  private readonly zMean;
  private readonly zStd;
  private readonly hidden;
  private readonly xMean;
  private readonly xStd;
  private readonly config: VospConfig;

  constructor(c: VospConfig) {
    this.config = c;
    this.cell = c.rnn_type;
    this.nChannels = c.n_channels;
    this.sequenceLength = c.sequence_length;
    this.latentDim = c.latent_dim;
    this.prior = {
      initialVariance: c.wiener.initial_variance,
      incrementVariance: c.wiener.increment_variance,
    };
    const H = c.n_units;
    const p = this.params;
    this.rec = p.rnn('recognition/forward', c.rnn_type, 2 * c.n_channels, H);
    this.zMean = p.dense('recognition/z_mean', H, c.latent_dim);
    this.zStd = p.dense('recognition/z_std', H, c.latent_dim);
    this.hidden = p.dense('emission/hidden', H + c.latent_dim, c.n_emission_units);
    this.xMean = p.dense('emission/x_mean', c.n_emission_units, c.n_channels);
    this.xStd =
      c.emission_std === 'learned' ? p.dense('emission/x_std', c.n_emission_units, c.n_channels) : null;
  }

  recognise(features: tf.Tensor3D): { posterior: Posterior; context: tf.Tensor3D } {
    const h = rnnSequence(features, this.rec, { cell: this.cell, inputGradient: false });
    const [B, T, H] = h.shape;
    const mu = applyDense(h, this.zMean) as tf.Tensor3D;
    const sd = tf.softplus(applyDense(h, this.zStd)).add(1e-4) as tf.Tensor3D;
    // h_{t−1}, with a zero state before the first sample.
    const previous = tf.concat([tf.zeros([B, 1, H]), h.slice([0, 0, 0], [B, T - 1, H])], 1) as tf.Tensor3D;
    return { posterior: { mu, sd }, context: previous };
  }

  emit(z: tf.Tensor3D, context: tf.Tensor3D | null): Emission {
    if (!context) throw new Error('VOSP emission needs the previous recognition states');
    const g = tf.tanh(applyDense(tf.concat([context, z], 2), this.hidden));
    const mean = applyDense(g, this.xMean) as tf.Tensor3D;
    const std = this.xStd
      ? (tf.softplus(applyDense(g, this.xStd)).add(this.config.min_std) as tf.Tensor3D)
      : this.config.fixed_std;
    return { mean, std };
  }
}
