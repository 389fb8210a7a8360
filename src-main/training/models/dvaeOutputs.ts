import * as tf from '@tensorflow/tfjs';
import type { DvaeConfig, DvaeEpochRecord, DvaeSession } from '../../engine/models/dvae';
import {
  negativeElbo,
  recognitionFeatures,
  type LatentSequenceModel,
} from '../../engine/models/dvae/sequenceModel';
import { gatherBatch, sequenceStarts } from '../../engine/models/dvae/trainingBatches';
import { batches } from '../../engine/training/sequences';
import { imputeSession } from '../../imputation/modelImputation';
import type { ResultArrayMessage } from '../protocol';
import { packWeights, TRAINING_IMPUTATION } from './dvae';
import type { ModelOutputs, TrainerHooks } from './trainingModel';

/**
 * What a finished VRAE/VOSP run stores. Loaded with the engine (it runs the model), so dvae.ts
 * stays free of TensorFlow.js for config checks in the services.
 */

/** The variational free energy (negative ELBO) as the runs table reads it from the 'free_energy' result. */
export interface NegativeElbo {
  /** Per time point, KL at full weight, posterior mean as the latent, no training masks. */
  free_energy: number;
  nll: number;
  kl: number;
  n_sequences: number;
}

/** The negative ELBO over every whole sequence of the data (cut at offset 0). */
export function dataNegativeElbo(
  model: LatentSequenceModel,
  c: DvaeConfig,
  sessions: readonly DvaeSession[],
): NegativeElbo {
  const L = c.sequence_length;
  const starts = sequenceStarts(
    sessions,
    L,
    sessions.map(() => 0),
  );
  let loss = 0;
  let nll = 0;
  let kl = 0;
  for (const group of batches(starts, c.batch_size)) {
    const a = gatherBatch(sessions, group, L, null, null);
    const shape: [number, number, number] = [group.length, L, c.n_channels];
    const [l, n, k] = tf.tidy(() => {
      const targets = tf.tensor3d(a.targets, shape);
      const flags = tf.tensor3d(a.flags, shape);
      const weights = tf.tensor3d(a.weights, shape);
      const terms = negativeElbo(
        model,
        { features: recognitionFeatures(targets, flags), targets, weights },
        1,
        null,
      );
      return [terms.loss, terms.nll, terms.kl].map((t) => t.dataSync()[0]!);
    });
    loss += l! * group.length;
    nll += n! * group.length;
    kl += k! * group.length;
  }
  const n = Math.max(1, starts.length);
  return { free_energy: loss / n, nll: nll / n, kl: kl / n, n_sequences: starts.length };
}

export function dvaeOutputs(
  model: LatentSequenceModel,
  c: DvaeConfig,
  history: readonly DvaeEpochRecord[],
  sessions: readonly DvaeSession[],
  log: TrainerHooks['onLog'],
): ModelOutputs {
  const { flat, layout } = packWeights(model);
  const arrays: ResultArrayMessage[] = [{ kind: 'weights', session: null, shape: [flat.length], data: flat }];
  let imputedSessions = 0;
  sessions.forEach((s, index) => {
    if (!s.missing || !s.missing.some((v) => v !== 0)) return;
    try {
      const r = imputeSession(model, s, { ...TRAINING_IMPUTATION }, `training session ${index + 1}`);
      const shape = [s.nSamples, s.nChannels];
      arrays.push(
        { kind: 'imputed', session: index, shape, data: r.imputed },
        { kind: 'imputation_mask', session: index, shape, data: Float32Array.from(r.missing) },
      );
      if (r.std) arrays.push({ kind: 'imputation_std', session: index, shape, data: r.std });
      imputedSessions++;
    } catch (error) {
      if (!(error instanceof Error && error.name === 'ImputationInputError')) throw error;
      log('warn', `the gaps of training session ${index + 1} were not imputed: ${error.message}`);
    }
  });
  if (imputedSessions > 0) log('info', `imputed the gaps of ${imputedSessions} training session(s)`);
  const elbo = dataNegativeElbo(model, c, sessions);
  return {
    arrays,
    values: [
      { kind: 'weights_layout', value: layout },
      { kind: 'history', value: history },
      { kind: 'free_energy', value: elbo },
      ...(imputedSessions > 0 ? [{ kind: 'imputation_settings', value: { ...TRAINING_IMPUTATION } }] : []),
    ],
    freeEnergy: Number.isFinite(elbo.free_energy) ? elbo.free_energy : null,
  };
}
