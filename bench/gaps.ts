/**
 * Gap-imputation evaluation on the EEGMMIDB resting runs (issue 7): hide seeded all-channel gaps
 * of 100–500 ms and single-channel dropouts in a held-out subject's recording, impute them with a
 * VRAE (and optionally a VOSP), with the multichannel autoregressive imputer (order 8, fitted to
 * the recording's observed values), with that imputer stacked with the per-channel GP (curves
 * calibrated on synthetic gaps in the training recordings and the target's observed values) and
 * with the baselines (linear interpolation, last observation carried forward, channel mean,
 * per-channel GP interpolation with one second of context on each side), and score the hidden
 * values. Runs on the 1–45 Hz band-passed data (as users prepare EEG) and on the raw recordings.
 *
 * Two training settings, both never seeing a hidden value:
 * - 'held_out': the models train on the other subjects only.
 * - 'with_target_observed': they also train on the target recording with the evaluation's gaps
 *   already hidden (its observed values only, missing entries out of the likelihood) — the way the
 *   app is used (train on the recording whose gaps you want filled), and the same information the
 *   GP baseline uses when it estimates each channel's autocovariance from the target recording.
 *
 * `npm run bench gaps` prints the results as JSON lines (register `benchGaps` in bench/index.ts).
 */
import path from 'node:path';
import { initEngineBackend } from '../src-main/engine/backend';
import { VraeTrainer } from '../src-main/engine/models/vrae';
import { VospTrainer } from '../src-main/engine/models/vosp';
import type { DvaeEpochRecord, LatentSequenceModel } from '../src-main/engine/models/dvae';
import {
  channelMean,
  lastObservationCarriedForward,
  linearInterpolation,
  type Imputer,
} from '../src-main/imputation/baselines';
import {
  AUTOREGRESSIVE_DEFAULT_ORDER,
  autoregressiveImputation,
} from '../src-main/imputation/autoregressiveImputation';
import { loadEegSessions } from '../src-main/imputation/eegSessions';
import { evaluateImputers, hiddenSessionsFor, type EvaluationTable } from '../src-main/imputation/evaluate';
import { gaussianProcessInterpolation } from '../src-main/imputation/gaussianProcessInterpolation';
import type { HideOptions } from '../src-main/imputation/hideGaps';
import type { MaskedSession } from '../src-main/imputation/missingEntries';
import { stackedImputation, type StackingCurves } from '../src-main/imputation/stackedImputation';
import {
  fitStackingCurves,
  mergeStackingStatistics,
  stackingStatistics,
  type StackingStatistics,
} from '../src-main/imputation/stackingCalibration';
import { imputeSession, type ImputationOptions } from '../src-main/imputation/modelImputation';
import type { VraeConfigInput } from '../src-shared/models/vrae';
import {
  STACKING_CALIBRATION_ROUNDS,
  stackingCalibrationMargin,
} from '../src-main/services/gaps/stackedGapImputation';

export type GapsPreparation = 'bandpass_1_45' | 'raw';
export type GapsTraining = 'held_out' | 'with_target_observed';

export interface GapsEvaluationOptions {
  /** Folder with eegmmidb_S00xR01.edf; defaults to ../shared/data/eeg/raw next to the repository. */
  dataDir?: string;
  trainFiles?: string[];
  testFile?: string;
  /** Overrides of the model configuration (n_channels is taken from the data). */
  model?: Partial<VraeConfigInput>;
  imputation?: ImputationOptions;
  gapLengthsMs?: number[];
  gapsPerLength?: number;
  dropoutsPerLength?: number;
  seed?: number;
  preparations?: GapsPreparation[];
  training?: GapsTraining;
  /** Also train and score a VOSP (online: it uses the past only). */
  includeVosp?: boolean;
  /** Rounds of synthetic stretches per calibration session of the stacked imputer (default 4, as the app). */
  stackingRounds?: number;
  /** The preparations the stacked imputer is scored on (default: all). */
  stackedPreparations?: GapsPreparation[];
  /**
   * Also score the model with the GP interpolation as the initial fill ('<model>_gp_fill') and with
   * a GP interpolation of its residuals added ('<model>_residual_gp'): hybrids, reported apart.
   */
  includeHybrids?: boolean;
  onEpoch?: (preparation: string, model: string, record: DvaeEpochRecord) => void;
}

export interface GapsEvaluationResult {
  preparation: GapsPreparation;
  training: GapsTraining;
  train_files: string[];
  test_file: string;
  sampling_rate: number;
  n_channels: number;
  model_config: VraeConfigInput;
  imputation: ImputationOptions;
  train_seconds: Record<string, number>;
  final_epoch: Record<string, DvaeEpochRecord | null>;
  /** Mean posterior std over the hidden all-channel gap entries, per model (the seed's uncertainty). */
  mean_gap_std: Record<string, number>;
  /** The stacked imputer's weight curves, calibrated on the training files and the target's observed values. */
  stacking_curves: StackingCurves | null;
  table: EvaluationTable;
}

/** The configuration the integration test and the CLI use, sized for two CPU cores. */
export const GAPS_EEG_MODEL: Partial<VraeConfigInput> = {
  sequence_length: 192,
  n_units: 64,
  latent_dim: 16,
  emission_std: 'fixed',
  fixed_std: 0.5,
  n_epochs: 60,
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

/** The seed's procedure: flagged-zero fill, one pass of (mode of q(z|x) → mode of p(x|z)). */
export const GAPS_EEG_IMPUTATION: ImputationOptions = { iterations: 1 };

export const GAPS_EEG_TRAINING: GapsTraining = 'with_target_observed';

const calibrationCache = new WeakMap<MaskedSession, Map<string, StackingStatistics>>();

/**
 * The stacked GP + autoregressive imputer with curves calibrated on `calibration` (the training
 * subjects' recordings and the target's observed values: never a hidden value) at the
 * evaluation's own stretch lengths, with the services' margin and rounds unless told otherwise.
 */
function calibratedStackedImputer(
  calibration: MaskedSession[],
  hide: Pick<HideOptions, 'samplingRate' | 'gapLengthsMs'>,
  contextSamples: number,
  marginSamples: number,
  rounds: number,
  onCurves: (curves: StackingCurves) => void = () => undefined,
  onStd?: (std: Float32Array) => void,
): Imputer {
  return (s) => {
    const lengths = hide.gapLengthsMs.map((ms) => Math.max(1, Math.round((ms / 1000) * hide.samplingRate)));
    const stats = calibration.map((session, i) => {
      // The training recordings' statistics do not change between seeds of hidden gaps.
      const key = `${contextSamples}:${marginSamples}:${rounds}:${lengths.join(',')}:${i}`;
      const known = calibrationCache.get(session)?.get(key);
      if (known) return known;
      const computed = stackingStatistics(
        session,
        {
          contextSamples,
          order: AUTOREGRESSIVE_DEFAULT_ORDER,
          lengths,
          rounds,
          marginSamples,
          seed: 11 + 7919 * i,
        },
        `calibration session ${i}`,
      );
      const perSession = calibrationCache.get(session) ?? new Map<string, StackingStatistics>();
      perSession.set(key, computed);
      calibrationCache.set(session, perSession);
      return computed;
    });
    const curves = fitStackingCurves(mergeStackingStatistics(stats));
    onCurves(curves);
    const r = stackedImputation(s, {
      contextSamples,
      order: AUTOREGRESSIVE_DEFAULT_ORDER,
      curves,
      samples: onStd ? 8 : 0,
    });
    if (onStd) onStd(r.std!);
    return r.imputed;
  };
}

/** The EEG files of one evaluation, read and prepared: the training recordings, then the target. */
async function loadGapsEeg(
  options: Pick<GapsEvaluationOptions, 'dataDir' | 'trainFiles' | 'testFile'>,
  preparation: GapsPreparation,
) {
  const dir = options.dataDir ?? path.resolve(process.cwd(), '../shared/data/eeg/raw');
  const trainFiles = options.trainFiles ?? ['eegmmidb_S001R01.edf', 'eegmmidb_S002R01.edf'];
  const testFile = options.testFile ?? 'eegmmidb_S003R01.edf';
  const eeg = await loadEegSessions(
    [...trainFiles, testFile].map((f) => path.join(dir, f)),
    { bandPass: preparation === 'raw' ? null : [1, 45] },
  );
  const fs = eeg.samplingRate;
  return {
    trainFiles,
    testFile,
    train: eeg.sessions.slice(0, trainFiles.length),
    test: eeg.sessions[trainFiles.length]!,
    fs,
    contextSamples: Math.round(fs),
  };
}

export async function evaluateGapsOnEeg(
  options: GapsEvaluationOptions = {},
): Promise<GapsEvaluationResult[]> {
  await initEngineBackend();
  const training = options.training ?? GAPS_EEG_TRAINING;
  const imputation = options.imputation ?? GAPS_EEG_IMPUTATION;
  const results: GapsEvaluationResult[] = [];
  for (const preparation of options.preparations ?? (['bandpass_1_45', 'raw'] as const)) {
    const data = await loadGapsEeg(options, preparation);
    const { trainFiles, testFile, test, fs, contextSamples } = data;
    const hide: Omit<HideOptions, 'seed'> & { seed: number } = {
      samplingRate: fs,
      gapLengthsMs: options.gapLengthsMs ?? [100, 200, 300, 400, 500],
      gapsPerLength: options.gapsPerLength ?? 3,
      dropoutsPerLength: options.dropoutsPerLength ?? 1,
      marginSamples: contextSamples,
      seed: options.seed ?? 1,
    };
    const [hiddenTest] = hiddenSessionsFor([test], hide);
    const train = [...data.train];
    if (training === 'with_target_observed') train.push(hiddenTest!.session);
    const config: VraeConfigInput = { ...GAPS_EEG_MODEL, ...options.model, n_channels: test.nChannels };

    const models: Record<string, { model: LatentSequenceModel; dispose: () => void }> = {};
    const trainSeconds: Record<string, number> = {};
    const finalEpoch: Record<string, DvaeEpochRecord | null> = {};
    const kinds: Array<'vrae' | 'vosp'> = options.includeVosp ? ['vrae', 'vosp'] : ['vrae'];
    for (const kind of kinds) {
      const t0 = performance.now();
      const onEpoch = (r: DvaeEpochRecord) => options.onEpoch?.(preparation, kind, r);
      const trainer =
        kind === 'vrae'
          ? new VraeTrainer(config, train, { onEpoch })
          : new VospTrainer({ ...config, n_emission_units: config.n_units }, train, { onEpoch });
      const history = (await trainer.train()).history;
      trainSeconds[kind] = (performance.now() - t0) / 1000;
      finalEpoch[kind] = history[history.length - 1] ?? null;
      models[kind] = { model: trainer.model, dispose: () => trainer.dispose() };
    }

    const meanGapStd: Record<string, number> = {};
    const imputers: Record<string, Imputer> = {};
    for (const [kind, { model }] of Object.entries(models)) {
      imputers[kind] = (s) => {
        const r = imputeSession(model, s, { ...imputation, samples: imputation.samples || 8 });
        meanGapStd[kind] = meanStdOverGaps(r.std!, hiddenTest!.hidden, s.nChannels);
        return r.imputed;
      };
      if (options.includeHybrids) {
        imputers[`${kind}_gp_fill`] = (s) =>
          imputeSession(model, s, { ...imputation, initialFill: 'gaussian_process', contextSamples }).imputed;
        imputers[`${kind}_residual_gp`] = (s) =>
          imputeSession(model, s, { ...imputation, residualCorrection: { contextSamples } }).imputed;
      }
    }
    imputers.linear = linearInterpolation;
    imputers.locf = lastObservationCarriedForward;
    imputers.channel_mean = channelMean;
    imputers.gaussian_process = (s) => gaussianProcessInterpolation(s, { contextSamples });
    // Fitted like the GP to the target recording's observed values only (the hidden ones are missing).
    imputers.autoregressive = (s) => {
      const r = autoregressiveImputation(s, { order: AUTOREGRESSIVE_DEFAULT_ORDER, samples: 8 });
      meanGapStd.autoregressive = meanStdOverGaps(r.std!, hiddenTest!.hidden, s.nChannels);
      return r.imputed;
    };
    const stackingCurves: StackingCurves[] = [];
    if (options.stackedPreparations?.includes(preparation) ?? true)
      imputers.stacked = calibratedStackedImputer(
        [...data.train, hiddenTest!.session],
        hide,
        contextSamples,
        stackingCalibrationMargin(fs),
        options.stackingRounds ?? STACKING_CALIBRATION_ROUNDS,
        (c) => stackingCurves.push(c),
        (std) => {
          meanGapStd.stacked = meanStdOverGaps(std, hiddenTest!.hidden, test.nChannels);
        },
      );
    const { table } = await evaluateImputers([test], imputers, hide);
    results.push({
      preparation,
      training,
      train_files: trainFiles,
      test_file: testFile,
      sampling_rate: fs,
      n_channels: test.nChannels,
      model_config: config,
      imputation,
      train_seconds: trainSeconds,
      final_epoch: finalEpoch,
      mean_gap_std: meanGapStd,
      stacking_curves: stackingCurves[0] ?? null,
      table,
    });
    for (const m of Object.values(models)) m.dispose();
  }
  return results;
}

function meanStdOverGaps(
  std: Float32Array,
  hidden: ReadonlyArray<{ kind: string; start: number; end: number }>,
  C: number,
): number {
  let sum = 0;
  let n = 0;
  for (const h of hidden) {
    if (h.kind !== 'gap') continue;
    for (let i = h.start * C; i < h.end * C; i++) {
      sum += std[i]!;
      n++;
    }
  }
  return n > 0 ? sum / n : 0;
}

/** JSON records for `npm run bench`: one per (preparation, training) with the pooled rows. */
export async function benchGaps(
  options: GapsEvaluationOptions = {},
): Promise<Array<Record<string, unknown>>> {
  const out: Array<Record<string, unknown>> = [];
  for (const training of ['held_out', 'with_target_observed'] as const) {
    const results = await evaluateGapsOnEeg({
      includeVosp: true,
      includeHybrids: true,
      ...options,
      training,
    });
    for (const r of results) {
      const pooled = (kind: string) =>
        Object.fromEntries(
          Object.entries(r.table.rows.find((x) => x.kind === kind && x.length_ms === null)!.methods).map(
            ([m, s]) => [m, Number(s.rmse.toFixed(4))],
          ),
        );
      out.push({
        preparation: r.preparation,
        training: r.training,
        train_seconds: r.train_seconds,
        gap_rmse: pooled('gap'),
        channel_dropout_rmse: pooled('channel_dropout'),
        mean_gap_std: r.mean_gap_std,
        rows: r.table.rows,
      });
    }
  }
  return out;
}

/**
 * The training-free imputers (baselines, the multichannel autoregressive imputer and the stacked
 * one, its curves calibrated on the training files and the target's observed values) over several
 * seeds of hidden stretches in the same recording: one seed's 15 gaps make a noisy comparison
 * (linear interpolation alone ranges 1.05–1.87 across seeds 1–5 on the filtered data), so this
 * shows which differences hold. One JSON record per (preparation, seed), with the stacked curves,
 * and a pooled one per preparation (RMSE over all seeds' hidden values).
 */
export async function benchGapBaselinesOverSeeds(
  seeds: readonly number[] = [1, 2, 3, 4, 5],
  options: Pick<GapsEvaluationOptions, 'dataDir' | 'trainFiles' | 'testFile' | 'preparations'> = {},
): Promise<Array<Record<string, unknown>>> {
  const out: Array<Record<string, unknown>> = [];
  for (const preparation of options.preparations ?? (['bandpass_1_45', 'raw'] as const)) {
    // The training files only calibrate the stacked imputer's curves.
    const { train, test, fs, contextSamples } = await loadGapsEeg(options, preparation);
    const imputers: Record<string, Imputer> = {
      linear: linearInterpolation,
      locf: lastObservationCarriedForward,
      channel_mean: channelMean,
      gaussian_process: (s) => gaussianProcessInterpolation(s, { contextSamples }),
      autoregressive: (s) => autoregressiveImputation(s, { order: AUTOREGRESSIVE_DEFAULT_ORDER }).imputed,
    };
    const sums: Record<string, Record<string, { se: number; n: number }>> = { gap: {}, channel_dropout: {} };
    for (const seed of seeds) {
      const hide = {
        samplingRate: fs,
        gapLengthsMs: [100, 200, 300, 400, 500],
        gapsPerLength: 3,
        dropoutsPerLength: 1,
        marginSamples: contextSamples,
        seed,
      };
      const [hiddenTest] = hiddenSessionsFor([test], hide);
      let curves: StackingCurves | null = null;
      const { table } = await evaluateImputers(
        [test],
        {
          ...imputers,
          stacked: calibratedStackedImputer(
            [...train, hiddenTest!.session],
            hide,
            contextSamples,
            stackingCalibrationMargin(fs),
            STACKING_CALIBRATION_ROUNDS,
            (c) => (curves = c),
          ),
        },
        hide,
      );
      const record: Record<string, unknown> = { preparation, seed, stacking_curves: curves };
      for (const kind of ['gap', 'channel_dropout'] as const) {
        const row = table.rows.find((r) => r.kind === kind && r.length_ms === null)!;
        record[`${kind}_rmse`] = Object.fromEntries(
          Object.entries(row.methods).map(([m, v]) => [m, Number(v.rmse.toFixed(4))]),
        );
        for (const [m, v] of Object.entries(row.methods)) {
          const acc = (sums[kind]![m] ??= { se: 0, n: 0 });
          acc.se += v.rmse * v.rmse * row.n_values;
          acc.n += row.n_values;
        }
      }
      out.push(record);
    }
    const pooled = (kind: string) =>
      Object.fromEntries(
        Object.entries(sums[kind]!).map(([m, v]) => [m, Number(Math.sqrt(v.se / v.n).toFixed(4))]),
      );
    out.push({
      preparation,
      seeds,
      pooled_gap_rmse: pooled('gap'),
      pooled_channel_dropout_rmse: pooled('channel_dropout'),
    });
  }
  return out;
}
