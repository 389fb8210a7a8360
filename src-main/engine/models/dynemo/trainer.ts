import * as tf from '@tensorflow/tfjs';
import {
  checkDynemoConfigAgainstData,
  parseDynemoConfig,
  type DynemoConfig,
} from '../../../../src-shared/models/dynemo';
import { SeededRandom, type RandomState } from '../../../numerics/random';
import { Adam, type AdamState, type GradientClip } from '../../training/adam';
import {
  initialKlFactor,
  klFactorAfterEpoch,
  learningRateForEpoch,
  type KlAnnealing,
  type LearningRateSchedule,
} from '../../training/schedules';
import {
  batches,
  gapFreeSegments,
  gatherSequences,
  longestSegment,
  shuffled,
  trainingSequences,
  validateSessions,
  type Segment,
  type SequenceRef,
  type SessionInput,
} from '../../training/sequences';
import { DynemoModel } from './model';
import { inferSessions, type SessionInference } from './predict';

/**
 * The DyNeMo training procedure of osl-dynamics' ModelBase.train, as a resumable state machine:
 * for each of best_of runs, random-subset initialisation (n_init short fits of n_init_epochs on
 * init_take of the batches, keep the lowest final loss), then the full fit of n_epochs, then the
 * free energy; the run with the lowest free energy wins. Everything random comes from one seeded
 * generator whose state is part of every checkpoint, so a run restored from the checkpoint of
 * epoch k continues exactly as the uninterrupted run would.
 *
 * Deliberate difference: after initialisation the full fit starts with fresh Adam moments and
 * the configured learning rate (osl-dynamics carries the last initialisation's optimiser over).
 */

export type TrainingPhase = 'init' | 'fit' | 'done';

export interface BatchReport {
  run: number;
  phase: TrainingPhase;
  /** Initialisation index during 'init'. */
  init: number | null;
  epoch: number;
  batch: number;
  n_batches: number;
  loss: number;
  nll: number;
  kl: number;
  kl_factor: number;
  lr: number;
}

export interface EpochRecord {
  run: number;
  phase: TrainingPhase;
  init: number | null;
  epoch: number;
  /** Means over the epoch's batches, as Keras reports them. */
  loss: number;
  nll: number;
  kl: number;
  /** The factor the epoch trained with. */
  kl_factor: number;
  lr: number;
}

export interface NanReport {
  run: number;
  phase: TrainingPhase;
  init: number | null;
  epoch: number;
  /** What happened: a non-finite loss, or a mixture covariance that was not positive definite. */
  reason: string;
  /** 'retry': the epoch restarts from the last checkpoint at new_lr; 'skip_init': that initialisation is dropped. */
  action: 'retry' | 'skip_init';
  new_lr: number | null;
}

export interface FreeEnergy {
  free_energy: number;
  nll: number;
  kl: number;
}

export interface DynemoTrainerCallbacks {
  onBatch?: (r: BatchReport) => void;
  /** Called after every epoch with the record and the checkpoint at that boundary. */
  onEpoch?: (r: EpochRecord, checkpoint: DynemoTrainerState) => void | Promise<void>;
  onNan?: (r: NanReport) => void;
  onRunEnd?: (r: { run: number; free_energy: FreeEnergy }) => void;
  onInitEnd?: (r: { run: number; init: number; loss: number | null; chosen: boolean }) => void;
}

export interface DynemoTrainerOptions extends DynemoTrainerCallbacks {
  signal?: AbortSignal;
  /** Restarts allowed per epoch after a NaN before training gives up. */
  maxNanRetries?: number;
  /** The learning rate is multiplied by this after a NaN. */
  nanLrFactor?: number;
}

export interface DataSignature {
  n_sessions: number;
  n_channels: number;
  samples: number[];
  n_sequences: number;
}

export interface DynemoTrainerState {
  version: 1;
  config: DynemoConfig;
  data: DataSignature;
  weights: Record<string, Float32Array>;
  adam: AdamState;
  rng: RandomState;
  kl_factor: number;
  /** Multiplier on the schedule from NaN recoveries. */
  lr_scale: number;
  /** The rate the next epoch will use. */
  lr: number;
  run: number;
  phase: TrainingPhase;
  init: number;
  /** Epochs completed in the current fit (initialisation or full). */
  epoch: number;
  /** The weights must be drawn afresh before the next epoch. */
  needs_reset: boolean;
  best_init: { init: number; loss: number; weights: Record<string, Float32Array> } | null;
  best_run: { run: number; free_energy: number; weights: Record<string, Float32Array> } | null;
  history: EpochRecord[];
  run_free_energies: FreeEnergy[];
}

export interface DynemoTrainingResult {
  status: 'completed' | 'cancelled';
  /** Per epoch, initialisation epochs included (phase 'init'). */
  history: EpochRecord[];
  run_free_energies: FreeEnergy[];
  best_run: number | null;
}

export interface DynemoOutputs {
  /** Per session [T × K]; NaN inside gaps. */
  alpha: Float32Array[];
  theta_mean: Float32Array[];
  theta_std: Float32Array[];
  /** [K × C] */
  means: Float32Array;
  /** [K × C × C] */
  covariances: Float32Array;
  alpha_temperature: number;
  free_energy: FreeEnergy;
  history: EpochRecord[];
}

export class TrainingDivergedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrainingDivergedError';
  }
}

export class CheckpointMismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointMismatchError';
  }
}

class NonFiniteLoss extends Error {}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

function isNumericalFailure(e: unknown): boolean {
  return e instanceof NonFiniteLoss || (e instanceof Error && e.name === 'NotPositiveDefiniteError');
}

export class DynemoTrainer {
  readonly config: DynemoConfig;
  readonly model: DynemoModel;
  private readonly sessions: readonly SessionInput[];
  private readonly segments: Segment[];
  private readonly sequences: SequenceRef[];
  private readonly signature: DataSignature;
  private readonly options: DynemoTrainerOptions;
  private rng: SeededRandom;
  private adam: Adam;
  private s: Omit<DynemoTrainerState, 'version' | 'config' | 'data' | 'weights' | 'adam' | 'rng'>;
  private checkpoint: DynemoTrainerState;

  constructor(config: unknown, sessions: readonly SessionInput[], options: DynemoTrainerOptions = {}) {
    this.config = parseDynemoConfig(config);
    const c = this.config;
    validateSessions(sessions, c.n_channels);
    this.sessions = sessions;
    this.segments = gapFreeSegments(sessions);
    checkDynemoConfigAgainstData(c, {
      nChannels: sessions[0]!.nChannels,
      longestSegment: longestSegment(this.segments),
    });
    this.sequences = trainingSequences(this.segments, c.sequence_length);
    this.signature = {
      n_sessions: sessions.length,
      n_channels: c.n_channels,
      samples: sessions.map((x) => x.nSamples),
      n_sequences: this.sequences.length,
    };
    this.options = options;
    this.rng = new SeededRandom(c.seed);
    this.model = new DynemoModel(c);
    this.adam = new Adam(this.model.trainable);
    this.s = {
      kl_factor: initialKlFactor(this.annealing()),
      lr_scale: 1,
      lr: c.learning_rate,
      run: 0,
      phase: this.initEnabled() ? 'init' : 'fit',
      init: 0,
      epoch: 0,
      needs_reset: true,
      best_init: null,
      best_run: null,
      history: [],
      run_free_energies: [],
    };
    this.checkpoint = this.capture();
  }

  private initEnabled(): boolean {
    return this.config.init_method === 'random_subset' && this.config.n_init > 0;
  }

  private annealing(): KlAnnealing {
    const c = this.config;
    return {
      enabled: c.do_kl_annealing,
      curve: c.kl_annealing_curve,
      sharpness: c.kl_annealing_sharpness,
      epochs: c.n_kl_annealing_epochs,
    };
  }

  private lrSchedule(): LearningRateSchedule {
    const c = this.config;
    return {
      learningRate: c.learning_rate,
      decay: c.lr_decay,
      decayStartEpoch: c.do_kl_annealing ? c.n_kl_annealing_epochs : 0,
    };
  }

  private clip(): GradientClip {
    const c = this.config;
    return c.gradient_clip === null ? null : { norm: c.gradient_clip, mode: c.gradient_clip_mode };
  }

  private capture(): DynemoTrainerState {
    return {
      version: 1,
      config: this.config,
      data: this.signature,
      weights: this.model.getWeights(),
      adam: this.adam.getState(),
      rng: this.rng.getState(),
      ...structuredClone(this.s),
    };
  }

  /** The checkpoint at the last epoch boundary (or the start): what a resume continues from. */
  getState(): DynemoTrainerState {
    return this.checkpoint;
  }

  /** Restores a checkpoint taken from a trainer with the same config and data. */
  setState(state: DynemoTrainerState): void {
    if (state.version !== 1)
      throw new CheckpointMismatchError(`unknown checkpoint version ${String(state.version)}`);
    if (JSON.stringify(state.config) !== JSON.stringify(this.config))
      throw new CheckpointMismatchError('the checkpoint was made with a different model configuration');
    if (JSON.stringify(state.data) !== JSON.stringify(this.signature))
      throw new CheckpointMismatchError(
        `the checkpoint was made on different data (${state.data.n_sessions} sessions, ${state.data.samples.join('+')} samples; now ${this.signature.n_sessions} sessions, ${this.signature.samples.join('+')} samples)`,
      );
    this.model.setWeights(state.weights);
    this.adam.setState(state.adam);
    this.rng.setState(state.rng);
    const { version: _v, config: _c, data: _d, weights: _w, adam: _a, rng: _r, ...rest } = state;
    this.s = structuredClone(rest);
    this.checkpoint = state;
  }

  private resetForNewFit(): void {
    this.model.initialise(this.rng);
    this.adam.dispose();
    this.adam = new Adam(this.model.trainable);
    this.s.kl_factor = initialKlFactor(this.annealing());
    this.s.needs_reset = false;
  }

  /** Runs (or continues) the whole procedure. Resolves 'cancelled' when the signal aborts between batches. */
  async train(): Promise<DynemoTrainingResult> {
    const c = this.config;
    while (this.s.run < c.best_of) {
      if (this.s.phase === 'init') {
        while (this.s.init < c.n_init) {
          if (this.s.needs_reset) this.resetForNewFit();
          let failed = false;
          while (this.s.epoch < c.n_init_epochs) {
            const outcome = await this.runEpoch(this.initSubset.bind(this));
            if (outcome === 'cancelled') return this.result('cancelled');
            if (outcome === 'failed') {
              failed = true;
              break;
            }
          }
          const last = this.s.history[this.s.history.length - 1];
          const loss = failed || !last ? null : last.loss;
          const chosen = loss !== null && (this.s.best_init === null || loss < this.s.best_init.loss);
          if (chosen) this.s.best_init = { init: this.s.init, loss: loss, weights: this.model.getWeights() };
          this.options.onInitEnd?.({ run: this.s.run, init: this.s.init, loss, chosen });
          this.s.init += 1;
          this.s.epoch = 0;
          this.s.needs_reset = true;
          this.checkpoint = this.capture();
        }
        if (this.s.best_init === null)
          throw new TrainingDivergedError(
            `no valid initialisation: all ${c.n_init} random-subset initialisations had a non-finite loss`,
          );
        this.model.setWeights(this.s.best_init.weights);
        this.adam.dispose();
        this.adam = new Adam(this.model.trainable);
        this.s.kl_factor = initialKlFactor(this.annealing());
        this.s.best_init = null;
        this.s.phase = 'fit';
        this.s.epoch = 0;
        this.s.needs_reset = false;
        this.checkpoint = this.capture();
      }
      if (this.s.needs_reset) this.resetForNewFit();
      while (this.s.epoch < c.n_epochs) {
        const outcome = await this.runEpoch(() => this.sequences);
        if (outcome === 'cancelled') return this.result('cancelled');
        if (outcome === 'failed') throw new TrainingDivergedError('training failed');
      }
      const fe = this.freeEnergy();
      this.s.run_free_energies.push(fe);
      this.options.onRunEnd?.({ run: this.s.run, free_energy: fe });
      if (this.s.best_run === null || fe.free_energy < this.s.best_run.free_energy) {
        this.s.best_run = { run: this.s.run, free_energy: fe.free_energy, weights: this.model.getWeights() };
      }
      this.s.run += 1;
      this.s.phase = this.s.run < c.best_of ? (this.initEnabled() ? 'init' : 'fit') : 'done';
      this.s.init = 0;
      this.s.epoch = 0;
      this.s.needs_reset = this.s.run < c.best_of;
      this.checkpoint = this.capture();
    }
    if (this.s.best_run && this.s.best_run.run !== c.best_of - 1)
      this.model.setWeights(this.s.best_run.weights);
    this.s.phase = 'done';
    this.checkpoint = this.capture();
    return this.result('completed');
  }

  private result(status: DynemoTrainingResult['status']): DynemoTrainingResult {
    return {
      status,
      history: this.s.history.slice(),
      run_free_energies: this.s.run_free_energies.slice(),
      best_run: this.s.best_run?.run ?? null,
    };
  }

  /** osl-dynamics' random subset: the first round(n_batches · init_take) batches of a fresh shuffle. */
  private initSubset(shuffledSeqs: SequenceRef[]): SequenceRef[] {
    const c = this.config;
    if (c.init_take >= 1) return shuffledSeqs;
    const nBatches = Math.ceil(shuffledSeqs.length / c.batch_size);
    const keep = Math.max(Math.round(nBatches * c.init_take), 1);
    return shuffledSeqs.slice(0, keep * c.batch_size);
  }

  /**
   * One epoch from the current checkpoint. A numerical failure restores the checkpoint: in the
   * full fit the epoch is retried at a lower rate; in an initialisation the initialisation is
   * dropped (as osl-dynamics skips a failed one).
   */
  private async runEpoch(
    select: (shuffled: SequenceRef[]) => SequenceRef[],
  ): Promise<'done' | 'cancelled' | 'failed'> {
    const maxRetries = this.options.maxNanRetries ?? 5;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.tryEpoch(select);
      } catch (e) {
        if (!isNumericalFailure(e)) throw e;
        this.model.discardBatchNormStats();
        const failedEpoch = this.s.epoch;
        const phase = this.s.phase;
        const init = phase === 'init' ? this.s.init : null;
        const scale = this.s.lr_scale;
        this.setState(this.checkpoint);
        const reason =
          e instanceof NonFiniteLoss ? e.message : `not positive definite: ${(e as Error).message}`;
        if (phase === 'init') {
          this.options.onNan?.({
            run: this.s.run,
            phase,
            init,
            epoch: failedEpoch,
            reason,
            action: 'skip_init',
            new_lr: null,
          });
          return 'failed';
        }
        if (attempt >= maxRetries)
          throw new TrainingDivergedError(
            `loss still not finite after ${maxRetries} restarts at lower learning rates (${reason})`,
          );
        this.s.lr_scale = scale * (this.options.nanLrFactor ?? 0.5);
        const newLr = learningRateForEpoch(this.lrSchedule(), this.s.epoch) * this.s.lr_scale;
        this.options.onNan?.({
          run: this.s.run,
          phase,
          init,
          epoch: failedEpoch,
          reason,
          action: 'retry',
          new_lr: newLr,
        });
        this.checkpoint = this.capture();
      }
    }
  }

  private async tryEpoch(select: (shuffled: SequenceRef[]) => SequenceRef[]): Promise<'done' | 'cancelled'> {
    const c = this.config;
    const epoch = this.s.epoch;
    const lr = learningRateForEpoch(this.lrSchedule(), epoch) * this.s.lr_scale;
    const klFactor = this.s.kl_factor;
    const groups = batches(select(shuffled(this.sequences, this.rng)), c.batch_size);
    const init = this.s.phase === 'init' ? this.s.init : null;
    let sumLoss = 0;
    let sumNll = 0;
    let sumKl = 0;
    for (let b = 0; b < groups.length; b++) {
      if (this.options.signal?.aborted) return 'cancelled';
      const refs = groups[b]!;
      const x = tf.tensor3d(gatherSequences(this.sessions, refs, c.sequence_length), [
        refs.length,
        c.sequence_length,
        c.n_channels,
      ]);
      let nll = 0;
      let kl = 0;
      let loss = 0;
      try {
        const { value, grads } = tf.variableGrads(() => {
          const terms = this.model.lossTerms(x, { training: true, rng: this.rng, klFactor });
          nll = terms.nll.dataSync()[0]!;
          kl = terms.kl.dataSync()[0]!;
          return terms.loss;
        }, [...this.model.trainable.values()]);
        loss = value.dataSync()[0]!;
        value.dispose();
        if (!Number.isFinite(loss)) {
          tf.dispose(grads);
          throw new NonFiniteLoss(`loss ${loss} at batch ${b} of epoch ${epoch}`);
        }
        const named: Record<string, tf.Tensor> = {};
        for (const [name, v] of this.model.trainable) {
          const g = grads[v.name];
          if (g) named[name] = g;
        }
        this.adam.apply(named, lr, this.clip());
        tf.dispose(grads);
        this.model.commitBatchNormStats();
      } finally {
        x.dispose();
      }
      sumLoss += loss;
      sumNll += nll;
      sumKl += kl;
      this.options.onBatch?.({
        run: this.s.run,
        phase: this.s.phase,
        init,
        epoch,
        batch: b,
        n_batches: groups.length,
        loss,
        nll,
        kl,
        kl_factor: klFactor,
        lr,
      });
      await yieldToEventLoop();
    }
    const n = Math.max(groups.length, 1);
    const record: EpochRecord = {
      run: this.s.run,
      phase: this.s.phase,
      init,
      epoch,
      loss: sumLoss / n,
      nll: sumNll / n,
      kl: sumKl / n,
      kl_factor: klFactor,
      lr,
    };
    this.s.history.push(record);
    this.s.kl_factor = klFactorAfterEpoch(this.annealing(), epoch);
    this.s.epoch = epoch + 1;
    this.s.lr = learningRateForEpoch(this.lrSchedule(), epoch + 1) * this.s.lr_scale;
    this.checkpoint = this.capture();
    await this.options.onEpoch?.(record, this.checkpoint);
    return 'done';
  }

  /**
   * Free energy as osl-dynamics evaluates it: NLL + KL over the training sequences with θ at the
   * posterior mean (no sampling, no dropout, no annealing factor), averaged per sequence.
   */
  freeEnergy(): FreeEnergy {
    const c = this.config;
    let nll = 0;
    let kl = 0;
    let count = 0;
    for (const refs of batches(this.sequences, Math.max(c.batch_size, 64))) {
      const [bn, bk] = tf.tidy(() => {
        const x = tf.tensor3d(gatherSequences(this.sessions, refs, c.sequence_length), [
          refs.length,
          c.sequence_length,
          c.n_channels,
        ]);
        const t = this.model.lossTerms(x, { training: false, klFactor: 1 });
        return [t.nll.dataSync()[0]!, t.kl.dataSync()[0]!];
      });
      nll += bn! * refs.length;
      kl += bk! * refs.length;
      count += refs.length;
    }
    return { free_energy: (nll + kl) / count, nll: nll / count, kl: kl / count };
  }

  /** α (edge effects removed), θ, the observation model, the free energy and the history. */
  outputs(): DynemoOutputs {
    const inferred: SessionInference[] = inferSessions(
      this.model,
      this.sessions,
      this.segments,
      Math.max(this.config.batch_size, 32),
    );
    return {
      alpha: inferred.map((r) => r.alpha),
      theta_mean: inferred.map((r) => r.thetaMean),
      theta_std: inferred.map((r) => r.thetaStd),
      means: this.model.means(),
      covariances: this.model.covariances(),
      alpha_temperature: this.model.temperature(),
      free_energy: this.freeEnergy(),
      history: this.s.history.slice(),
    };
  }

  dispose(): void {
    this.adam.dispose();
    this.model.dispose();
  }
}
