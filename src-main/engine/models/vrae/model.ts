import * as tf from '@tensorflow/tfjs';
import type { VraeConfig } from '../../../../src-shared/models/vrae';
import { bidirectionalRnnSequence } from '../../ops/bidirectionalRnn';
import type { RnnWeights } from '../../ops/rnnSequence';
import { applyDense, ParameterSet } from '../dvae/parameters';
import type { Emission, LatentSequenceModel, Posterior } from '../dvae/sequenceModel';
import type { WienerPrior } from '../dvae/wienerPrior';

/**
 * Variational recurrent auto-encoder (Bayer & Osendorfer, section 3.1): a bidirectional
 * recognition RNN maps the whole sequence to q(z_t | x_{1:T}) = N(μ_t, s_t²) per time step; a
 * bidirectional generating RNN maps z_{1:T} to a Gaussian emission per time step, with a
 * softplus standard deviation (or a fixed one).
 */
export class VraeModel implements LatentSequenceModel {
  readonly kind = 'vrae' as const;
  readonly params = new ParameterSet();
  readonly nChannels: number;
  readonly sequenceLength: number;
  readonly latentDim: number;
  readonly prior: WienerPrior;
  private readonly cell: 'gru' | 'lstm';
  private readonly recForward: RnnWeights;
  private readonly recBackward: RnnWeights;
  private readonly zMean;
  private readonly zStd;
  private readonly genForward: RnnWeights;
  private readonly genBackward: RnnWeights;
  private readonly xMean;
  private readonly xStd;
  private readonly config: VraeConfig;

  constructor(c: VraeConfig) {
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
    this.recForward = p.rnn('recognition/forward', c.rnn_type, 2 * c.n_channels, H);
    this.recBackward = p.rnn('recognition/backward', c.rnn_type, 2 * c.n_channels, H);
    this.zMean = p.dense('recognition/z_mean', 2 * H, c.latent_dim);
    this.zStd = p.dense('recognition/z_std', 2 * H, c.latent_dim);
    this.genForward = p.rnn('generation/forward', c.rnn_type, c.latent_dim, H);
    this.genBackward = p.rnn('generation/backward', c.rnn_type, c.latent_dim, H);
    this.xMean = p.dense('generation/x_mean', 2 * H, c.n_channels);
    this.xStd = c.emission_std === 'learned' ? p.dense('generation/x_std', 2 * H, c.n_channels) : null;
  }

  recognise(features: tf.Tensor3D): { posterior: Posterior; context: null } {
    const h = bidirectionalRnnSequence(features, this.recForward, this.recBackward, this.cell, {
      inputGradient: false,
    });
    const mu = applyDense(h, this.zMean) as tf.Tensor3D;
    const sd = tf.softplus(applyDense(h, this.zStd)).add(1e-4) as tf.Tensor3D;
    return { posterior: { mu, sd }, context: null };
  }

  emit(z: tf.Tensor3D): Emission {
    const h = bidirectionalRnnSequence(z, this.genForward, this.genBackward, this.cell);
    const mean = applyDense(h, this.xMean) as tf.Tensor3D;
    const std = this.xStd
      ? (tf.softplus(applyDense(h, this.xStd)).add(this.config.min_std) as tf.Tensor3D)
      : this.config.fixed_std;
    return { mean, std };
  }
}
