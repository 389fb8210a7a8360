import type { GapModelKind } from '../../../src-shared/domain/run';
import type { DvaeConfigError } from '../../../src-shared/models/vrae';
import type { DvaeConfig, DvaeEpochRecord, DvaeTrainerState } from '../../engine/models/dvae';
import type { LatentSequenceModel } from '../../engine/models/dvae/sequenceModel';
import type { SessionInput } from '../../engine/training/sequences';
import {
  CheckpointDoesNotFitError,
  ModelConfigError,
  type ModelOutputs,
  type ModelTrainer,
  type TrainingModel,
} from './trainingModel';

/**
 * The gap-aware dynamical VAEs (VRAE, VOSP) for the training process. Both train through the
 * engine's DvaeTrainer; sessions keep their gaps (sequences may span them: missing entries are
 * flagged to the recognition model and left out of the likelihood). The outputs hold what later
 * imputation needs (the weights and their layout), the ELBO history, the negative ELBO over the
 * whole data, and, for training sessions with gaps, the imputed signal with its mask.
 */

/**
 * Imputation of the training data's own gaps at the end of training: no posterior draws, which
 * would multiply the cost on long recordings; `gaps.impute` adds the uncertainty when asked.
 */
export const TRAINING_IMPUTATION = { iterations: 3, samples: 0, seed: 0 } as const;

export interface WeightLayoutEntry {
  name: string;
  shape: number[];
  offset: number;
  length: number;
}

/** All weights in one flat array plus where each one lies in it (stored as two results). */
export function packWeights(model: LatentSequenceModel): { flat: Float32Array; layout: WeightLayoutEntry[] } {
  const weights = model.params.getWeights();
  const layout: WeightLayoutEntry[] = [];
  let offset = 0;
  for (const [name, variable] of model.params.trainable) {
    const length = weights[name]!.length;
    layout.push({ name, shape: [...variable.shape], offset, length });
    offset += length;
  }
  const flat = new Float32Array(offset);
  for (const entry of layout) flat.set(weights[entry.name]!, entry.offset);
  return { flat, layout };
}

export function unpackWeights(
  flat: Float32Array,
  layout: readonly WeightLayoutEntry[],
): Record<string, Float32Array> {
  const out: Record<string, Float32Array> = {};
  for (const e of layout) {
    if (e.offset + e.length > flat.length)
      throw new CheckpointDoesNotFitError(
        `the stored weights hold ${flat.length} values but '${e.name}' needs values up to ${e.offset + e.length}`,
      );
    out[e.name] = flat.slice(e.offset, e.offset + e.length);
  }
  return out;
}

function isDvaeConfigError(error: unknown): error is DvaeConfigError {
  return error instanceof Error && error.name === 'DvaeConfigError';
}

function asConfigError(error: unknown): unknown {
  return isDvaeConfigError(error) ? new ModelConfigError(error.issues) : error;
}

async function asTrainerError(error: unknown): Promise<unknown> {
  if (!(error instanceof Error) || error.name !== 'DvaeTrainingError') return asConfigError(error);
  if (error.message.startsWith('the checkpoint')) return new CheckpointDoesNotFitError(error.message);
  const { SequenceDataError } = await import('../../engine/training/sequences');
  return new SequenceDataError(error.message);
}

function epochSample(c: DvaeConfig, r: DvaeEpochRecord) {
  return {
    index: r.epoch,
    label: `epoch ${r.epoch + 1}/${c.n_epochs}`,
    phase: 'train',
    loss: r.loss,
    nll: r.nll,
    kl: r.kl,
    klFactor: r.kl_factor,
    lr: r.lr,
  };
}

export function dvaeTrainingModel(kind: GapModelKind, parse: (config: unknown) => DvaeConfig): TrainingModel {
  const parseConfig = (config: unknown): DvaeConfig => {
    try {
      return parse(config);
    } catch (error) {
      throw asConfigError(error);
    }
  };
  return {
    kind,

    parseConfig(config) {
      const parsed = parseConfig(config);
      return { config: parsed as unknown as Record<string, unknown>, seed: parsed.seed };
    },

    checkData(config, data) {
      const c = parseConfig(config);
      if (c.n_channels !== data.nChannels)
        throw new ModelConfigError([
          {
            path: 'n_channels',
            message: `n_channels is ${c.n_channels} but the data has ${data.nChannels} channels`,
          },
        ]);
      // Sequences may span gaps, so the longest gap-free stretch does not bound sequence_length
      // here; the trainer refuses data whose sessions are all shorter than one sequence.
    },

    async createTrainer(config, sessions: SessionInput[], hooks): Promise<ModelTrainer> {
      const c = parseConfig(config);
      const [{ entriesFromGapMask }, { dvaeOutputs }, engine] = await Promise.all([
        import('../../imputation/missingEntries'),
        import('./dvaeOutputs'),
        kind === 'vrae' ? import('../../engine/models/vrae') : import('../../engine/models/vosp'),
      ]);
      const dvaeSessions = sessions.map((s) => {
        const hasGap = s.gapMask?.some((v) => v !== 0) ?? false;
        return {
          data: s.data,
          nSamples: s.nSamples,
          nChannels: s.nChannels,
          ...(hasGap ? { missing: entriesFromGapMask(s.gapMask!, s.nChannels) } : {}),
        };
      });
      const Trainer = 'VraeTrainer' in engine ? engine.VraeTrainer : engine.VospTrainer;
      let trainer: InstanceType<typeof Trainer>;
      try {
        trainer = new Trainer(c, dvaeSessions, {
          signal: hooks.signal,
          onBatch: (b) =>
            hooks.onBatch({
              epoch: b.epoch,
              batch: b.batch,
              nBatches: b.n_batches,
              loss: b.loss,
              nll: b.nll,
              kl: b.kl,
              klFactor: b.kl_factor,
              lr: b.lr,
            }),
          onEpoch: (r, state) => hooks.onEpoch(epochSample(c, r), state),
        });
      } catch (error) {
        throw await asTrainerError(error);
      }
      return {
        plannedEpochs: c.n_epochs,
        restore(state) {
          try {
            trainer.setState(state as DvaeTrainerState);
          } catch (error) {
            if (error instanceof Error && error.name === 'DvaeTrainingError')
              throw new CheckpointDoesNotFitError(error.message);
            throw error;
          }
        },
        async train() {
          try {
            const result = await trainer.train();
            return result.status;
          } catch (error) {
            throw await asTrainerError(error);
          }
        },
        outputs(): ModelOutputs {
          return dvaeOutputs(trainer.model, c, trainer.getState().history, dvaeSessions, hooks.onLog);
        },
        dispose() {
          trainer.dispose();
        },
      };
    },
  };
}
