import * as tf from '@tensorflow/tfjs';
import { covariancesEpsilon, type DynemoConfig } from '../../../../src-shared/models/dynemo';
import type { SeededRandom } from '../../../numerics/random';
import { mvnMixtureLogLik } from '../../ops/mvnMixtureLogLik';
import { bidirectionalRnnSequence } from '../../ops/bidirectionalRnn';
import { rnnSequence, type RnnWeights } from '../../ops/rnnSequence';
import { dense } from '../../ops/dense';
import { layerNormalization } from '../../ops/layerNorm';
import { sequenceGaussianKl } from '../../ops/sequenceGaussianKl';
import { glorotUniform, orthogonal, truncatedNormal } from './initialisers';
import {
  activate,
  batchNorm,
  BATCH_NORM_MOMENTUM,
  dropout,
  NORM_EPSILON,
  seededNormal,
  type BatchNormStats,
} from './layers';
import { CovarianceParameterisation } from './observationModel';

/**
 * DyNeMo (osl-dynamics' model, layer for layer):
 *   x → dropout → [bidirectional RNN → norm → activation → dropout] × n → inf_mu (dense),
 *   inf_sigma (dense + softplus) → θ = μ + (σ + ε)·z in training, μ in prediction →
 *   α = softmax(θ / temperature) → log N(x_t | Σ α m_k, Σ α D_k) →
 *   θ → dropout → [RNN → norm → activation → dropout] × n → mod_mu, mod_sigma →
 *   KL(q(θ_t) ‖ p(θ_t | θ_<t)) for t ≥ 2.
 * Weights live in named tf.Variables; every random draw comes from the caller's SeededRandom.
 */

export interface DynemoLossTerms {
  /** nll + klFactor · kl */
  loss: tf.Scalar;
  nll: tf.Scalar;
  kl: tf.Scalar;
}

export interface ForwardOptions {
  training: boolean;
  /** Required when training: reparameterisation noise and dropout masks. */
  rng?: SeededRandom;
  klFactor: number;
}

export interface InferenceOutputs {
  thetaMean: tf.Tensor3D;
  thetaStd: tf.Tensor3D;
  alpha: tf.Tensor3D;
}

interface ParamSpec {
  name: string;
  shape: number[];
  trainable: boolean;
  init: (rng: SeededRandom) => Float32Array;
}

const zeros = (n: number) => () => new Float32Array(n);
const ones = (n: number) => () => new Float32Array(n).fill(1);

function rnnParamSpecs(prefix: string, cell: 'lstm' | 'gru', inputSize: number, units: number): ParamSpec[] {
  const G = cell === 'lstm' ? 4 : 3;
  return [
    {
      name: `${prefix}/kernel`,
      shape: [inputSize, G * units],
      trainable: true,
      init: (rng) => glorotUniform(rng, inputSize, G * units),
    },
    {
      name: `${prefix}/recurrent_kernel`,
      shape: [units, G * units],
      trainable: true,
      init: (rng) => orthogonal(rng, units, G * units),
    },
    cell === 'lstm'
      ? {
          name: `${prefix}/bias`,
          shape: [4 * units],
          trainable: true,
          // Keras unit_forget_bias: the forget gate (second block) starts open.
          init: () => {
            const b = new Float32Array(4 * units);
            b.fill(1, units, 2 * units);
            return b;
          },
        }
      : { name: `${prefix}/bias`, shape: [2, 3 * units], trainable: true, init: zeros(6 * units) },
  ];
}

function normParamSpecs(prefix: string, kind: 'layer' | 'batch' | null, features: number): ParamSpec[] {
  if (kind === null) return [];
  const specs: ParamSpec[] = [
    { name: `${prefix}/gamma`, shape: [features], trainable: true, init: ones(features) },
    { name: `${prefix}/beta`, shape: [features], trainable: true, init: zeros(features) },
  ];
  if (kind === 'batch') {
    specs.push(
      { name: `${prefix}/moving_mean`, shape: [features], trainable: false, init: zeros(features) },
      { name: `${prefix}/moving_variance`, shape: [features], trainable: false, init: ones(features) },
    );
  }
  return specs;
}

function denseParamSpecs(prefix: string, inputs: number, units: number): ParamSpec[] {
  return [
    {
      name: `${prefix}/kernel`,
      shape: [inputs, units],
      trainable: true,
      init: (rng) => glorotUniform(rng, inputs, units),
    },
    { name: `${prefix}/bias`, shape: [units], trainable: true, init: zeros(units) },
  ];
}

/** tfjs variable names are global; each model instance gets its own prefix. */
let instanceCounter = 0;

export class DynemoModel {
  readonly config: DynemoConfig;
  /** Every weight, trainable or not, by name, in a fixed order. */
  readonly variables = new Map<string, tf.Variable>();
  /** The subset the optimiser updates. */
  readonly trainable = new Map<string, tf.Variable>();
  private readonly specs: ParamSpec[];
  private readonly covs: CovarianceParameterisation;
  private pendingBatchStats: Array<{ prefix: string; stats: BatchNormStats }> = [];

  constructor(config: DynemoConfig) {
    this.config = config;
    const c = config;
    const K = c.n_modes;
    const C = c.n_channels;
    this.covs = new CovarianceParameterisation(K, C, c.diagonal_covariances, covariancesEpsilon(c));
    const specs: ParamSpec[] = [];
    let inputs = C;
    for (let l = 0; l < c.inference_n_layers; l++) {
      specs.push(...rnnParamSpecs(`inf_rnn/${l}/forward`, c.inference_rnn, inputs, c.inference_n_units));
      specs.push(...rnnParamSpecs(`inf_rnn/${l}/backward`, c.inference_rnn, inputs, c.inference_n_units));
      inputs = 2 * c.inference_n_units;
      specs.push(...normParamSpecs(`inf_rnn/${l}/norm`, c.inference_normalization, inputs));
    }
    specs.push(...denseParamSpecs('inf_mu', inputs, K), ...denseParamSpecs('inf_sigma', inputs, K));
    specs.push({
      name: 'alpha/temperature',
      shape: [],
      trainable: c.learn_alpha_temperature,
      init: () => Float32Array.of(c.initial_alpha_temperature),
    });
    const initialMeans = c.initial_means;
    specs.push({
      name: 'means',
      shape: [K, C],
      trainable: c.learn_means,
      init: (rng) =>
        initialMeans !== null
          ? Float32Array.from(initialMeans.flat())
          : c.learn_means
            ? truncatedNormal(rng, K * C, 0, 0.02)
            : new Float32Array(K * C),
    });
    const initialCovs = c.initial_covariances;
    specs.push({
      name: 'covs',
      shape: this.covs.parameterShape,
      trainable: c.learn_covariances,
      init: (rng) =>
        initialCovs !== null
          ? this.covs.fromCovariances(initialCovs)
          : c.learn_covariances
            ? this.covs.randomInitial(rng)
            : this.covs.identityInitial(),
    });
    inputs = K;
    for (let l = 0; l < c.model_n_layers; l++) {
      specs.push(...rnnParamSpecs(`mod_rnn/${l}`, c.model_rnn, inputs, c.model_n_units));
      inputs = c.model_n_units;
      specs.push(...normParamSpecs(`mod_rnn/${l}/norm`, c.model_normalization, inputs));
    }
    specs.push(...denseParamSpecs('mod_mu', inputs, K), ...denseParamSpecs('mod_sigma', inputs, K));
    this.specs = specs;
    const prefix = `dynemo${instanceCounter++}`;
    for (const s of specs) {
      const v = tf.tidy(() => tf.variable(tf.zeros(s.shape), s.trainable, `${prefix}/${s.name}`));
      this.variables.set(s.name, v);
      if (s.trainable) this.trainable.set(s.name, v);
    }
  }

  /** Draws every weight afresh (osl-dynamics' reset), consuming `rng` in a fixed order. */
  initialise(rng: SeededRandom): void {
    for (const s of this.specs) {
      const v = this.variables.get(s.name)!;
      tf.tidy(() => v.assign(tf.tensor(s.init(rng), s.shape, 'float32')));
    }
  }

  getWeights(): Record<string, Float32Array> {
    const out: Record<string, Float32Array> = {};
    for (const [name, v] of this.variables) out[name] = Float32Array.from(v.dataSync() as Float32Array);
    return out;
  }

  setWeights(weights: Record<string, Float32Array>): void {
    for (const [name, v] of this.variables) {
      const w = weights[name];
      if (!w) throw new Error(`weights: '${name}' is missing`);
      if (w.length !== v.size)
        throw new Error(`weights: '${name}' has ${w.length} values, expected ${v.size}`);
    }
    for (const [name, v] of this.variables)
      tf.tidy(() => v.assign(tf.tensor(weights[name]!, v.shape, 'float32')));
  }

  private w(name: string): tf.Variable {
    const v = this.variables.get(name);
    if (!v) throw new Error(`no weight '${name}'`);
    return v;
  }

  private rnnWeights(prefix: string): RnnWeights {
    return {
      kernel: this.w(`${prefix}/kernel`) as tf.Tensor as tf.Tensor2D,
      recurrentKernel: this.w(`${prefix}/recurrent_kernel`) as tf.Tensor as tf.Tensor2D,
      bias: this.w(`${prefix}/bias`),
    };
  }

  private normalise(
    x: tf.Tensor,
    prefix: string,
    kind: 'layer' | 'batch' | null,
    training: boolean,
  ): tf.Tensor {
    if (kind === null) return x;
    const gamma = this.w(`${prefix}/gamma`) as tf.Tensor as tf.Tensor1D;
    const beta = this.w(`${prefix}/beta`) as tf.Tensor as tf.Tensor1D;
    if (kind === 'layer') return layerNormalization(x, gamma, beta, NORM_EPSILON);
    const moving = {
      mean: this.w(`${prefix}/moving_mean`) as tf.Tensor as tf.Tensor1D,
      variance: this.w(`${prefix}/moving_variance`) as tf.Tensor as tf.Tensor1D,
    };
    const { y, stats } = batchNorm(x, gamma, beta, moving, training);
    if (stats) {
      this.pendingBatchStats.push({
        prefix,
        stats: { mean: tf.keep(stats.mean.clone()), variance: tf.keep(stats.variance.clone()) },
      });
    }
    return y;
  }

  private inferencePosterior(x: tf.Tensor3D, training: boolean, rng: SeededRandom | null) {
    const c = this.config;
    let h: tf.Tensor = dropout(x, c.inference_dropout, rng);
    for (let l = 0; l < c.inference_n_layers; l++) {
      // The first layer reads the data, which needs no gradient.
      h = bidirectionalRnnSequence(
        h as tf.Tensor3D,
        this.rnnWeights(`inf_rnn/${l}/forward`),
        this.rnnWeights(`inf_rnn/${l}/backward`),
        c.inference_rnn,
        { inputGradient: l > 0 },
      );
      h = this.normalise(h, `inf_rnn/${l}/norm`, c.inference_normalization, training);
      h = activate(h, c.inference_activation);
      h = dropout(h, c.inference_dropout, rng);
    }
    const mu = dense(
      h,
      this.w('inf_mu/kernel') as tf.Tensor as tf.Tensor2D,
      this.w('inf_mu/bias') as tf.Tensor as tf.Tensor1D,
    );
    const sd = dense(
      h,
      this.w('inf_sigma/kernel') as tf.Tensor as tf.Tensor2D,
      this.w('inf_sigma/bias') as tf.Tensor as tf.Tensor1D,
      { activation: 'softplus', shift: c.theta_std_epsilon },
    );
    return { mu: mu as tf.Tensor3D, sd: sd as tf.Tensor3D };
  }

  private alphaFromTheta(theta: tf.Tensor): tf.Tensor3D {
    return tf.softmax(theta.div(this.w('alpha/temperature')), -1) as tf.Tensor3D;
  }

  private priorFromTheta(theta: tf.Tensor, training: boolean, rng: SeededRandom | null) {
    const c = this.config;
    let m: tf.Tensor = dropout(theta, c.model_dropout, rng);
    for (let l = 0; l < c.model_n_layers; l++) {
      m = rnnSequence(m as tf.Tensor3D, this.rnnWeights(`mod_rnn/${l}`), { cell: c.model_rnn });
      m = this.normalise(m, `mod_rnn/${l}/norm`, c.model_normalization, training);
      m = activate(m, c.model_activation);
      m = dropout(m, c.model_dropout, rng);
    }
    const mu = dense(
      m,
      this.w('mod_mu/kernel') as tf.Tensor as tf.Tensor2D,
      this.w('mod_mu/bias') as tf.Tensor as tf.Tensor1D,
    );
    const sd = dense(
      m,
      this.w('mod_sigma/kernel') as tf.Tensor as tf.Tensor2D,
      this.w('mod_sigma/bias') as tf.Tensor as tf.Tensor1D,
      { activation: 'softplus', shift: c.theta_std_epsilon },
    );
    return { mu, sd };
  }

  /** [K, C, C] (or [K, C] variances when diagonal) as a tensor. */
  covarianceTensor(): tf.Tensor {
    return this.covs.covariances(this.w('covs'));
  }

  private meansTensor(): tf.Tensor2D | undefined {
    const c = this.config;
    if (!c.learn_means && c.initial_means === null) return undefined;
    return this.w('means') as tf.Tensor as tf.Tensor2D;
  }

  /**
   * The loss terms for a batch x [B, T, C], reduced as osl-dynamics reports them ('mean': NLL
   * averaged over batch and time, KL summed over modes and averaged over batch and t ≥ 2; 'sum':
   * both summed over time and averaged over the batch). Call inside tf.tidy / variableGrads.
   */
  lossTerms(x: tf.Tensor3D, options: ForwardOptions): DynemoLossTerms {
    const { training, klFactor } = options;
    const rng = training ? (options.rng ?? null) : null;
    if (training && rng === null) throw new Error('training needs a seeded generator');
    const [B, T] = x.shape;
    const K = this.config.n_modes;
    const post = this.inferencePosterior(x, training, rng);
    const theta = training && rng ? post.mu.add(post.sd.mul(seededNormal([B, T, K], rng))) : post.mu;
    const alpha = this.alphaFromTheta(theta);
    const logLik = mvnMixtureLogLik(x, alpha, this.covarianceTensor(), {
      means: this.meansTensor(),
      dataGradient: false,
    });
    const sumCalc = this.config.loss_calc === 'sum';
    const nll = (sumCalc ? logLik.sum(1).mean() : logLik.mean()).neg() as tf.Scalar;
    let kl: tf.Scalar;
    if (T < 2) {
      kl = tf.scalar(0);
    } else {
      const prior = this.priorFromTheta(theta, training, rng);
      // The prior at t predicts θ_{t+1}: compare it with the posterior one step later.
      const klPerPoint = sequenceGaussianKl(
        post.mu,
        post.sd,
        prior.mu as tf.Tensor3D,
        prior.sd as tf.Tensor3D,
        1,
      );
      kl = (sumCalc ? klPerPoint.sum(1).mean() : klPerPoint.mean()) as tf.Scalar;
    }
    const loss = klFactor === 0 ? nll.add(kl.mul(0)) : nll.add(kl.mul(klFactor));
    return { loss: loss as tf.Scalar, nll, kl };
  }

  /** Applies the batch statistics gathered by the last training forward pass to the moving averages. */
  commitBatchNormStats(): void {
    for (const { prefix, stats } of this.pendingBatchStats) {
      tf.tidy(() => {
        const mm = this.w(`${prefix}/moving_mean`);
        const mv = this.w(`${prefix}/moving_variance`);
        mm.assign(mm.mul(BATCH_NORM_MOMENTUM).add(stats.mean.mul(1 - BATCH_NORM_MOMENTUM)));
        mv.assign(mv.mul(BATCH_NORM_MOMENTUM).add(stats.variance.mul(1 - BATCH_NORM_MOMENTUM)));
      });
      tf.dispose([stats.mean, stats.variance]);
    }
    this.pendingBatchStats = [];
  }

  /** Drops batch statistics of a failed step. */
  discardBatchNormStats(): void {
    for (const { stats } of this.pendingBatchStats) tf.dispose([stats.mean, stats.variance]);
    this.pendingBatchStats = [];
  }

  /** Posterior mean and std of θ and α = softmax(μ / temperature) for windows x [B, T, C]. */
  infer(x: tf.Tensor3D): InferenceOutputs {
    return tf.tidy(() => {
      const post = this.inferencePosterior(x, false, null);
      return { thetaMean: post.mu, thetaStd: post.sd, alpha: this.alphaFromTheta(post.mu) };
    });
  }

  means(): Float32Array {
    const m = this.meansTensor();
    return m
      ? Float32Array.from(m.dataSync() as Float32Array)
      : new Float32Array(this.config.n_modes * this.config.n_channels);
  }

  /** [K × C × C] row-major, full matrices also when the model is diagonal. */
  covariances(): Float32Array {
    const K = this.config.n_modes;
    const C = this.config.n_channels;
    const d = tf.tidy(() => this.covarianceTensor().dataSync() as Float32Array);
    if (!this.config.diagonal_covariances) return Float32Array.from(d);
    const out = new Float32Array(K * C * C);
    for (let k = 0; k < K; k++) for (let i = 0; i < C; i++) out[(k * C + i) * C + i] = d[k * C + i]!;
    return out;
  }

  temperature(): number {
    return this.w('alpha/temperature').dataSync()[0]!;
  }

  dispose(): void {
    this.discardBatchNormStats();
    for (const v of this.variables.values()) v.dispose();
  }
}
