import * as tf from '@tensorflow/tfjs';
import type { VraeConfig } from '../../../../src-shared/models/vrae';
import type { VospConfig } from '../../../../src-shared/models/vosp';
import { SeededRandom, type RandomState } from '../../../numerics/random';
import { Adam, type AdamState } from '../../training/adam';
import {
  initialKlFactor,
  klFactorAfterEpoch,
  learningRateForEpoch,
  type KlAnnealing,
  type LearningRateSchedule,
} from '../../training/schedules';
import { batches, shuffled } from '../../training/sequences';
import { negativeElbo, recognitionFeatures, type LatentSequenceModel } from './sequenceModel';
import { gatherBatch, sequenceStarts, type DvaeSession, type SequenceStart } from './trainingBatches';

/**
 * Training of a VRAE or VOSP, shaped like the DyNeMo trainer: `train()` runs (or resumes) the
 * epochs, `onBatch` and `onEpoch(record, checkpoint)` report progress, an AbortSignal cancels
 * between batches, and the checkpoint (weights, Adam moments, generator state, schedule position,
 * history) resumes bit for bit. Every epoch cuts the sessions at a fresh random offset, shuffles
 * the sequences, and hides random stretches from the recognition model (see trainingBatches).
 */
export type DvaeConfig = VraeConfig | VospConfig;

export interface DvaeBatchReport {
  epoch: number;
  batch: number;
  n_batches: number;
  loss: number;
  nll: number;
  kl: number;
  kl_factor: number;
  lr: number;
}

export interface DvaeEpochRecord {
  epoch: number;
  loss: number;
  nll: number;
  kl: number;
  kl_factor: number;
  lr: number;
}

export interface DvaeTrainerState {
  version: 1;
  kind: 'vrae' | 'vosp';
  config: DvaeConfig;
  data: { n_sessions: number; n_channels: number; samples: number[] };
  weights: Record<string, Float32Array>;
  adam: AdamState;
  rng: RandomState;
  epoch: number;
  kl_factor: number;
  history: DvaeEpochRecord[];
}

export interface DvaeTrainerOptions {
  onBatch?: (r: DvaeBatchReport) => void;
  onEpoch?: (r: DvaeEpochRecord, checkpoint: DvaeTrainerState) => void | Promise<void>;
  signal?: AbortSignal;
}

export interface DvaeTrainingResult {
  status: 'completed' | 'cancelled';
  history: DvaeEpochRecord[];
}

export class DvaeTrainingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DvaeTrainingError';
  }
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export function validateDvaeSessions(
  sessions: readonly DvaeSession[],
  nChannels: number,
  sequenceLength: number,
): void {
  if (sessions.length === 0) throw new DvaeTrainingError('no sessions to train on');
  let usable = 0;
  sessions.forEach((s, i) => {
    if (s.nChannels !== nChannels)
      throw new DvaeTrainingError(`session ${i} has ${s.nChannels} channels, the model expects ${nChannels}`);
    if (s.data.length !== s.nSamples * s.nChannels)
      throw new DvaeTrainingError(
        `session ${i}: data holds ${s.data.length} values, expected ${s.nSamples} × ${s.nChannels}`,
      );
    if (s.missing && s.missing.length !== s.data.length)
      throw new DvaeTrainingError(
        `session ${i}: the missing-value mask has ${s.missing.length} entries but the data has ${s.data.length}; the mask does not match the data`,
      );
    let observed = 0;
    for (let k = 0; k < s.data.length; k++) {
      if (s.missing?.[k]) continue;
      if (!Number.isFinite(s.data[k]!))
        throw new DvaeTrainingError(
          `session ${i}: non-finite value at sample ${Math.floor(k / nChannels)}, channel ${k % nChannels} that is not marked missing`,
        );
      observed++;
    }
    if (observed === 0) throw new DvaeTrainingError(`session ${i}: every value is missing`);
    if (s.nSamples >= sequenceLength) usable++;
  });
  if (usable === 0)
    throw new DvaeTrainingError(
      `every session is shorter than sequence_length (${sequenceLength} samples); lower sequence_length`,
    );
}

export class DvaeTrainer<M extends LatentSequenceModel> {
  readonly model: M;
  readonly config: DvaeConfig;
  private readonly sessions: readonly DvaeSession[];
  private readonly options: DvaeTrainerOptions;
  private rng: SeededRandom;
  private adam: Adam;
  private epoch = 0;
  private klFactor: number;
  private history: DvaeEpochRecord[] = [];
  private checkpoint: DvaeTrainerState;
  private readonly signature: DvaeTrainerState['data'];

  constructor(
    config: DvaeConfig,
    model: M,
    sessions: readonly DvaeSession[],
    options: DvaeTrainerOptions = {},
  ) {
    this.config = config;
    validateDvaeSessions(sessions, config.n_channels, config.sequence_length);
    this.sessions = sessions;
    this.options = options;
    this.model = model;
    this.rng = new SeededRandom(config.seed);
    this.model.params.initialise(this.rng);
    this.adam = new Adam(this.model.params.trainable);
    this.klFactor = initialKlFactor(this.annealing());
    this.signature = {
      n_sessions: sessions.length,
      n_channels: config.n_channels,
      samples: sessions.map((s) => s.nSamples),
    };
    this.checkpoint = this.capture();
  }

  private annealing(): KlAnnealing {
    const c = this.config;
    return { enabled: c.do_kl_annealing, curve: 'linear', sharpness: 10, epochs: c.n_kl_annealing_epochs };
  }

  private lrSchedule(): LearningRateSchedule {
    const c = this.config;
    return {
      learningRate: c.learning_rate,
      decay: c.lr_decay,
      decayStartEpoch: c.do_kl_annealing ? c.n_kl_annealing_epochs : 0,
    };
  }

  private capture(): DvaeTrainerState {
    return {
      version: 1,
      kind: this.model.kind,
      config: this.config,
      data: this.signature,
      weights: this.model.params.getWeights(),
      adam: this.adam.getState(),
      rng: this.rng.getState(),
      epoch: this.epoch,
      kl_factor: this.klFactor,
      history: structuredClone(this.history),
    };
  }

  getState(): DvaeTrainerState {
    return this.checkpoint;
  }

  setState(state: DvaeTrainerState): void {
    if (state.version !== 1 || state.kind !== this.model.kind)
      throw new DvaeTrainingError(`the checkpoint is not a ${this.model.kind.toUpperCase()} checkpoint`);
    if (JSON.stringify(state.config) !== JSON.stringify(this.config))
      throw new DvaeTrainingError('the checkpoint was made with a different model configuration');
    if (JSON.stringify(state.data) !== JSON.stringify(this.signature))
      throw new DvaeTrainingError('the checkpoint was made on different data');
    this.model.params.setWeights(state.weights);
    this.adam.setState(state.adam);
    this.rng.setState(state.rng);
    this.epoch = state.epoch;
    this.klFactor = state.kl_factor;
    this.history = structuredClone(state.history);
    this.checkpoint = state;
  }

  async train(): Promise<DvaeTrainingResult> {
    const c = this.config;
    while (this.epoch < c.n_epochs) {
      if (this.options.signal?.aborted) return { status: 'cancelled', history: this.history.slice() };
      const done = await this.runEpoch();
      if (!done) {
        this.setState(this.checkpoint);
        return { status: 'cancelled', history: this.history.slice() };
      }
    }
    return { status: 'completed', history: this.history.slice() };
  }

  private async runEpoch(): Promise<boolean> {
    const c = this.config;
    const L = c.sequence_length;
    const epoch = this.epoch;
    const lr = learningRateForEpoch(this.lrSchedule(), epoch);
    const offsets = this.sessions.map((s) =>
      s.nSamples > L ? this.rng.integerBelow(Math.min(L, s.nSamples - L + 1)) : 0,
    );
    const groups = batches(shuffled(sequenceStarts(this.sessions, L, offsets), this.rng), c.batch_size);
    if (groups.length === 0) throw new DvaeTrainingError('no training sequence has an observed value');
    let sums = [0, 0, 0];
    const clip = c.gradient_clip === null ? null : { norm: c.gradient_clip, mode: 'global' as const };
    for (let b = 0; b < groups.length; b++) {
      if (this.options.signal?.aborted) return false;
      const [loss, nll, kl] = this.step(groups[b]!, lr, clip);
      if (!Number.isFinite(loss))
        throw new DvaeTrainingError(`loss ${loss} at batch ${b} of epoch ${epoch}; lower learning_rate`);
      sums = [sums[0]! + loss, sums[1]! + nll, sums[2]! + kl];
      this.options.onBatch?.({
        epoch,
        batch: b,
        n_batches: groups.length,
        loss,
        nll,
        kl,
        kl_factor: this.klFactor,
        lr,
      });
      await yieldToEventLoop();
    }
    const n = groups.length;
    const record: DvaeEpochRecord = {
      epoch,
      loss: sums[0]! / n,
      nll: sums[1]! / n,
      kl: sums[2]! / n,
      kl_factor: this.klFactor,
      lr,
    };
    this.history.push(record);
    this.klFactor = klFactorAfterEpoch(this.annealing(), epoch);
    this.epoch = epoch + 1;
    this.checkpoint = this.capture();
    await this.options.onEpoch?.(record, this.checkpoint);
    return true;
  }

  private step(
    refs: SequenceStart[],
    lr: number,
    clip: { norm: number; mode: 'global' } | null,
  ): [number, number, number] {
    const c = this.config;
    const L = c.sequence_length;
    const C = c.n_channels;
    const arrays = gatherBatch(this.sessions, refs, L, c.masking, this.rng);
    const shape: [number, number, number] = [refs.length, L, C];
    const targets = tf.tensor3d(arrays.targets, shape);
    const flags = tf.tensor3d(arrays.flags, shape);
    const weights = tf.tensor3d(arrays.weights, shape);
    let nll = 0;
    let kl = 0;
    try {
      const { value, grads } = tf.variableGrads(() => {
        const features = recognitionFeatures(targets, flags);
        const terms = negativeElbo(this.model, { features, targets, weights }, this.klFactor, this.rng);
        nll = terms.nll.dataSync()[0]!;
        kl = terms.kl.dataSync()[0]!;
        return terms.loss;
      }, [...this.model.params.trainable.values()]);
      const loss = value.dataSync()[0]!;
      value.dispose();
      if (Number.isFinite(loss)) {
        const named: Record<string, tf.Tensor> = {};
        for (const [name, v] of this.model.params.trainable) {
          const g = grads[v.name];
          if (g) named[name] = g;
        }
        this.adam.apply(named, lr, clip);
      }
      tf.dispose(grads);
      return [loss, nll, kl];
    } finally {
      tf.dispose([targets, flags, weights]);
    }
  }

  dispose(): void {
    this.adam.dispose();
    this.model.params.dispose();
  }
}
