import { ImputationInputError, type MaskedSession } from '../../imputation/missingEntries';
import type { SessionImputation } from '../../imputation/modelImputation';
import { stackedImputation, type StackingCurves } from '../../imputation/stackedImputation';
import { stackingStatistics, type StackingStatistics } from '../../imputation/stackingCalibration';

/**
 * The stacked GP + autoregressive imputer as the gaps services run it: statistics from each
 * selected session's observed values first (synthetic stretches of `calibrationLengths`), pooled
 * into one pair of curves by the caller, then every session filled with those curves.
 */
export interface StackedGapSettings {
  /** Order of the autoregressive part. */
  order: number;
  /** The GP part's context on each side (one second of samples). */
  contextSamples: number;
  /** Lengths (samples) of the synthetic calibration stretches. */
  calibrationLengths: number[];
  /** Rounds of synthetic stretches per session. */
  calibrationRounds: number;
  /** Observed samples kept around each synthetic stretch (the evaluation's margin: 0.1 s). */
  calibrationMarginSamples: number;
}

/** Rounds per session: four sets of 100–500 ms stretches steady the curves on one-minute recordings. */
export const STACKING_CALIBRATION_ROUNDS = 4;

/** Calibration lengths from the sampling rate: 100, 200, 300, 400 and 500 ms, at least one sample each. */
export function stackingCalibrationLengths(samplingRate: number): number[] {
  return [100, 200, 300, 400, 500].map((ms) => Math.max(1, Math.round((ms / 1000) * samplingRate)));
}

/** The margin around synthetic stretches: 0.1 s (at least 4 samples), as the evaluation keeps around hidden ones. */
export function stackingCalibrationMargin(samplingRate: number): number {
  return Math.max(4, Math.round(samplingRate * 0.1));
}

/** Module errors do not name the session: its label goes in front. */
function labelled<T>(label: string, work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof ImputationInputError && !error.message.startsWith(`${label}:`))
      throw new ImputationInputError(`${label}: ${error.message}`);
    throw error;
  }
}

export function stackedGapStatistics(
  session: MaskedSession,
  settings: StackedGapSettings,
  seed: number,
  label: string,
): StackingStatistics {
  return labelled(label, () =>
    stackingStatistics(
      session,
      {
        contextSamples: settings.contextSamples,
        order: settings.order,
        lengths: settings.calibrationLengths,
        rounds: settings.calibrationRounds,
        marginSamples: settings.calibrationMarginSamples,
        seed,
      },
      label,
    ),
  );
}

export function imputeStacked(
  session: MaskedSession,
  settings: StackedGapSettings,
  curves: StackingCurves,
  options: { samples: number; seed: number },
  label: string,
): SessionImputation {
  return labelled(label, () => {
    const { imputed, missing, std } = stackedImputation(
      session,
      { contextSamples: settings.contextSamples, order: settings.order, curves, ...options },
      label,
    );
    return { imputed, missing, std };
  });
}
