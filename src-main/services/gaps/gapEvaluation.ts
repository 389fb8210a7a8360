import type { GapEvaluationSettings, GapEvaluationTable } from '../../../src-shared/rpc/channels/gaps';
import { RpcError } from '../../../src-shared/rpc/errors';
import {
  channelMean,
  lastObservationCarriedForward,
  linearInterpolation,
  type Imputer,
} from '../../imputation/baselines';
import { evaluateImputers, hiddenSessionsFor } from '../../imputation/evaluate';
import type { StackingCurves } from '../../imputation/stackedImputation';
import {
  fitStackingCurves,
  mergeStackingStatistics,
  StackingCalibrationError,
} from '../../imputation/stackingCalibration';
import type { GapImputer } from './gapCompute';
import { autoregressiveImputation } from '../../imputation/autoregressiveImputation';
import { gaussianProcessInterpolation } from '../../imputation/gaussianProcessInterpolation';
import type { MaskedSession } from '../../imputation/missingEntries';

/**
 * The evaluation users run on their own held-out sessions: hide all-channel gaps (and optionally
 * single-channel dropouts) of lengths between the requested bounds, fill them with the model and
 * with the baselines (linear, last observation carried forward, channel mean, per-channel GP), and
 * with the multichannel autoregressive imputer (fitted, like the GP, to each session's observed
 * values) and the stacked GP + autoregressive imputer (its curves calibrated on synthetic gaps in
 * the evaluated sessions' observed values, never on a hidden one, and in the run's other
 * sessions), and score RMSE/MAE on the hidden values only.
 */
export const EVALUATION_METHODS = [
  'model',
  'linear',
  'locf',
  'channel_mean',
  'gp',
  'autoregressive',
  'stacked',
] as const;

/** Up to five lengths evenly spaced between the bounds (one when they are equal or nGaps is 1). */
export function evaluationLengths(settings: Pick<GapEvaluationSettings, 'gapLengthsMs' | 'nGaps'>): number[] {
  const [lo, hi] = settings.gapLengthsMs;
  const k = lo === hi ? 1 : Math.max(1, Math.min(5, settings.nGaps));
  if (k === 1) return [lo];
  return Array.from({ length: k }, (_, i) => Math.round((lo + ((hi - lo) * i) / (k - 1)) * 1000) / 1000);
}

export interface EvaluationPlan {
  lengthsMs: number[];
  perLength: { gaps: number; dropouts: number };
  marginSamples: number;
  contextSamples: number;
}

export function evaluationPlan(
  settings: GapEvaluationSettings,
  samplingRate: number,
  sequenceLength: number,
): EvaluationPlan {
  const lengthsMs = evaluationLengths(settings);
  const longest = Math.round((lengthsMs[lengthsMs.length - 1]! / 1000) * samplingRate);
  const half = Math.floor(sequenceLength / 2);
  if (longest > half)
    throw new RpcError(
      'INVALID_INPUT',
      `gaps of ${settings.gapLengthsMs[1]} ms are ${longest} samples at ${samplingRate} Hz, longer than half the model's sequence (${sequenceLength} samples); the model can bridge at most ${half} samples (${Math.floor((half / samplingRate) * 1000)} ms). Ask for shorter gaps or train with a longer sequence_length.`,
      { field: 'gapLengthsMs' },
    );
  if (longest < 1)
    throw new RpcError(
      'INVALID_INPUT',
      `gaps of ${settings.gapLengthsMs[1]} ms are shorter than one sample at ${samplingRate} Hz`,
      { field: 'gapLengthsMs' },
    );
  const k = lengthsMs.length;
  return {
    lengthsMs,
    perLength: {
      gaps: Math.ceil(settings.nGaps / k),
      dropouts: Math.ceil(settings.singleChannelDropouts / k),
    },
    // Every method sees some observed context around each hidden stretch.
    marginSamples: Math.max(4, Math.round(samplingRate * 0.1)),
    contextSamples: Math.max(8, Math.round(samplingRate)),
  };
}

/** The model's fill of one masked session (in a worker thread or in this process, see gapCompute.ts). */
export type ModelFill = (s: MaskedSession) => Promise<Float32Array>;

/** The stacked imputer of an evaluation (created with the 'stacked' choice: see gapCompute.ts). */
export type StackedEvaluationImputer = Pick<GapImputer, 'calibrate' | 'impute'>;

export interface GapEvaluationOutcome {
  table: GapEvaluationTable;
  /** Null when no calibration stretch fitted in the sessions: the table then has no 'stacked' column. */
  stackingCurves: StackingCurves | null;
}

export async function runGapEvaluation(
  modelFill: ModelFill,
  stacked: StackedEvaluationImputer,
  /** Other sessions (the run's training data) whose observed values also calibrate the stacked imputer. */
  calibrationSessions: readonly MaskedSession[],
  sessions: readonly MaskedSession[],
  settings: GapEvaluationSettings,
  samplingRate: number,
  plan: EvaluationPlan,
  onProgress: (stage: string, done: number, total: number) => void,
  throwIfCancelled: () => void,
): Promise<GapEvaluationOutcome> {
  const hide = {
    samplingRate,
    gapLengthsMs: plan.lengthsMs,
    gapsPerLength: plan.perLength.gaps,
    dropoutsPerLength: plan.perLength.dropouts,
    marginSamples: plan.marginSamples,
    seed: settings.seed,
  };
  // The stacked imputer's curves come from the held-out sessions as the imputers see them (hidden
  // values missing, so calibration never reads one) and from the run's other sessions.
  const hidden = hiddenSessionsFor(sessions, hide);
  const calibration = [
    ...hidden.map((h, i) => ({ session: h.session, label: `held-out session ${i + 1}` })),
    ...calibrationSessions.map((session, i) => ({ session, label: `training session ${i + 1}` })),
  ];
  const statistics = [];
  for (let i = 0; i < calibration.length; i++) {
    throwIfCancelled();
    onProgress(`calibrating the stacked imputer: session ${i + 1} of ${calibration.length}`, 0, 0);
    const { session, label } = calibration[i]!;
    statistics.push(await stacked.calibrate(session, settings.seed + 7919 * i, label));
  }
  let stackingCurves: StackingCurves | null = null;
  try {
    stackingCurves = fitStackingCurves(mergeStackingStatistics(statistics));
  } catch (error) {
    if (!(error instanceof StackingCalibrationError)) throw error;
  }
  const methods = EVALUATION_METHODS.filter((m) => m !== 'stacked' || stackingCurves !== null);
  const total = methods.length * sessions.length;
  let done = 0;
  const step =
    (name: string, fill: (s: MaskedSession) => Float32Array | Promise<Float32Array>): Imputer =>
    async (s) => {
      throwIfCancelled();
      onProgress(`${name}: session ${(done % sessions.length) + 1} of ${sessions.length}`, done, total);
      // Let progress and a cancel through between sessions.
      await new Promise<void>((resolve) => setImmediate(resolve));
      throwIfCancelled();
      const out = await fill(s);
      done++;
      onProgress(`${name} done`, done, total);
      return out;
    };
  const imputers: Record<string, Imputer> = {
    model: step('model', modelFill),
    linear: step('linear', linearInterpolation),
    locf: step('last observation carried forward', lastObservationCarriedForward),
    channel_mean: step('channel mean', channelMean),
    gp: step('per-channel GP', (s) =>
      gaussianProcessInterpolation(s, { contextSamples: plan.contextSamples }),
    ),
    autoregressive: step(
      'multichannel autoregressive',
      (s) => autoregressiveImputation(s, { order: settings.autoregressiveOrder }).imputed,
    ),
    stacked: step(
      'stacked GP + autoregressive',
      async (s) =>
        (
          await stacked.impute(
            s,
            { iterations: 1, samples: 0, seed: settings.seed, stackingCurves: stackingCurves! },
            'held-out session',
            () => undefined,
          )
        ).imputed,
    ),
  };
  if (!stackingCurves) delete imputers.stacked;
  const { table } = await evaluateImputers(sessions, imputers, hide);
  return { table: table as GapEvaluationTable, stackingCurves };
}
