/**
 * Gap-imputation evaluation on the EEGMMIDB resting runs: train a VRAE (and optionally a VOSP) on
 * two subjects, hide seeded all-channel gaps of 100–500 ms and single-channel dropouts in the
 * held-out subject, impute, and score against linear interpolation, last observation carried
 * forward, channel mean and per-channel GP interpolation (one second of context each side). Runs
 * on the 1–45 Hz band-passed data (as users prepare EEG) and on the raw recordings.
 */
import path from 'node:path';
import { initEngineBackend } from '../src-main/engine/backend';
import { VraeTrainer } from '../src-main/engine/models/vrae';
import { VospTrainer } from '../src-main/engine/models/vosp';
import type { DvaeEpochRecord } from '../src-main/engine/models/dvae';
import {
  channelMean,
  lastObservationCarriedForward,
  linearInterpolation,
  type Imputer,
} from '../src-main/imputation/baselines';
import { loadEegSessions } from '../src-main/imputation/eegSessions';
import { evaluateImputers, type EvaluationTable } from '../src-main/imputation/evaluate';
import { gaussianProcessInterpolation } from '../src-main/imputation/gaussianProcessInterpolation';
import { imputeSession, type ImputationOptions } from '../src-main/imputation/modelImputation';
import type { VraeConfigInput } from '../src-shared/models/vrae';

export interface GapsEvaluationOptions {
  /** Folder with eegmmidb_S00xR01.edf; defaults to ../shared/data/eeg/raw next to the repository. */
  dataDir?: string;
  trainFiles?: string[];
  testFile?: string;
  /** Overrides of the VRAE configuration (n_channels is taken from the data). */
  model?: Partial<VraeConfigInput>;
  imputation?: ImputationOptions;
  gapLengthsMs?: number[];
  gapsPerLength?: number;
  dropoutsPerLength?: number;
  seed?: number;
  /** Which preparations to evaluate. */
  preparations?: Array<'bandpass_1_45' | 'raw'>;
  /** Also train and score a VOSP (online imputation). */
  includeVosp?: boolean;
  onEpoch?: (preparation: string, model: string, record: DvaeEpochRecord) => void;
}

export interface GapsEvaluationResult {
  preparation: 'bandpass_1_45' | 'raw';
  train_files: string[];
  test_file: string;
  sampling_rate: number;
  n_channels: number;
  model_config: VraeConfigInput;
  train_seconds: number;
  final_epoch: DvaeEpochRecord | null;
  table: EvaluationTable;
}

/** The configuration the integration test and the CLI use: sized to train in about a minute on two cores. */
export const GAPS_EEG_MODEL: Partial<VraeConfigInput> = {
  sequence_length: 192,
  n_units: 64,
  latent_dim: 16,
  emission_std: 'fixed',
  fixed_std: 0.5,
  n_epochs: 25,
  batch_size: 16,
  n_kl_annealing_epochs: 6,
  learning_rate: 3e-3,
  masking: {
    gap_min_samples: 8,
    gap_max_samples: 80,
    gap_probability: 1,
    channel_dropout_probability: 0.25,
    hidden_weight: 4,
  },
  seed: 1,
};

export const GAPS_EEG_IMPUTATION: ImputationOptions = { iterations: 1 };

export async function evaluateGapsOnEeg(
  options: GapsEvaluationOptions = {},
): Promise<GapsEvaluationResult[]> {
  await initEngineBackend();
  const dir = options.dataDir ?? path.resolve(__dirname, '../../shared/data/eeg/raw');
  const trainFiles = options.trainFiles ?? ['eegmmidb_S001R01.edf', 'eegmmidb_S002R01.edf'];
  const testFile = options.testFile ?? 'eegmmidb_S003R01.edf';
  const results: GapsEvaluationResult[] = [];
  for (const preparation of options.preparations ?? ['bandpass_1_45', 'raw']) {
    const eeg = await loadEegSessions(
      [...trainFiles, testFile].map((f) => path.join(dir, f)),
      { bandPass: preparation === 'raw' ? null : [1, 45] },
    );
    const train = eeg.sessions.slice(0, trainFiles.length);
    const test = eeg.sessions[trainFiles.length]!;
    const fs = eeg.samplingRate;
    const config: VraeConfigInput = { ...GAPS_EEG_MODEL, ...options.model, n_channels: test.nChannels };
    const t0 = performance.now();
    const vrae = new VraeTrainer(config, train, {
      onEpoch: (r) => options.onEpoch?.(preparation, 'vrae', r),
    });
    const history = (await vrae.train()).history;
    const trainSeconds = (performance.now() - t0) / 1000;
    const contextSamples = Math.round(fs);
    const imputation = options.imputation ?? GAPS_EEG_IMPUTATION;
    const imputers: Record<string, Imputer> = {
      vrae: (s) => imputeSession(vrae.model, s, imputation).imputed,
      vrae_residual_gp: (s) =>
        imputeSession(vrae.model, s, { ...imputation, residualCorrection: { contextSamples } }).imputed,
      linear: linearInterpolation,
      locf: lastObservationCarriedForward,
      channel_mean: channelMean,
      gaussian_process: (s) => gaussianProcessInterpolation(s, { contextSamples }),
    };
    let vosp: VospTrainer | null = null;
    if (options.includeVosp) {
      vosp = new VospTrainer({ ...config, n_emission_units: config.n_units }, train, {
        onEpoch: (r) => options.onEpoch?.(preparation, 'vosp', r),
      });
      await vosp.train();
      const model = vosp.model;
      imputers.vosp = (s) => imputeSession(model, s, imputation).imputed;
    }
    const { table } = await evaluateImputers([test], imputers, {
      samplingRate: fs,
      gapLengthsMs: options.gapLengthsMs ?? [100, 200, 300, 400, 500],
      gapsPerLength: options.gapsPerLength ?? 3,
      dropoutsPerLength: options.dropoutsPerLength ?? 1,
      marginSamples: contextSamples,
      seed: options.seed ?? 1,
    });
    results.push({
      preparation,
      train_files: trainFiles,
      test_file: testFile,
      sampling_rate: fs,
      n_channels: test.nChannels,
      model_config: config,
      train_seconds: trainSeconds,
      final_epoch: history[history.length - 1] ?? null,
      table,
    });
    vrae.dispose();
    vosp?.dispose();
  }
  return results;
}
