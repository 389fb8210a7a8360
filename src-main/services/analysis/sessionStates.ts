import { RpcError } from '../../../src-shared/rpc/errors';
import { gmmBinarise, reweightAlphas, summaryStatistics } from '../../analysis';
import { finiteRowRanges, packRows, unpackRows, type RowRange } from './finiteRows';

/**
 * One session's α turned into what the Modes view and the exports show: α reweighted by the mode
 * covariances' traces, binary state time courses from a two-component Gaussian mixture on
 * logit α per mode (osl-dynamics' `gmm_time_courses`), and the summary statistics of those
 * states. As osl-dynamics' DyNeMo tutorials do, the mixture is fitted to the reweighted α when the
 * model has covariances, else to the raw α.
 *
 * Fitting one mode at a time with `modes: [k]` gives exactly the states of fitting all together.
 *
 * Gaps: the mixture is fitted to all finite rows of the session together, but the statistics are
 * taken per gap-free stretch and pooled (a visit interrupted by a gap counts as two visits, the
 * off time across a gap is not an interval, and durations exclude gap samples).
 */

export interface SessionSummary {
  fractionalOccupancy: number[];
  meanLifetimeS: number[];
  meanIntervalS: number[];
  switchingRateHz: number[];
}

export interface SessionStates {
  /** [T × K], NaN in gaps; null without covariances. */
  reweighted: Float32Array | null;
  /** [T × K] of 0/1 (float32 so it windows like α), NaN in gaps. */
  binarised: Float32Array;
  summary: SessionSummary;
  /** Per mode, the smallest α counted as on (null: the mode is never on). */
  thresholds: (number | null)[];
  binarisedFrom: 'reweighted' | 'raw';
  nValidSamples: number;
}

export class NoValidSamplesError extends Error {
  constructor(sessionName: string) {
    super(`session "${sessionName}" has no sample with a finite α (all gaps?)`);
    this.name = 'NoValidSamplesError';
  }
}

function pooledSummary(
  states: Float64Array,
  nModes: number,
  ranges: readonly RowRange[],
  samplingRate: number,
): SessionSummary {
  const onSamples = new Float64Array(nModes);
  const activations = new Float64Array(nModes);
  const lifetimeSum = new Float64Array(nModes);
  const lifetimeCount = new Float64Array(nModes);
  const intervalSum = new Float64Array(nModes);
  const intervalCount = new Float64Array(nModes);
  let total = 0;
  let offset = 0;
  for (const { start, end } of ranges) {
    const n = end - start;
    const stats = summaryStatistics(
      states.subarray(offset * nModes, (offset + n) * nModes),
      nModes,
      samplingRate,
    );
    offset += n;
    total += n;
    for (let k = 0; k < nModes; k++) {
      onSamples[k] = onSamples[k]! + stats.fractionalOccupancy[k]! * n;
      activations[k] = activations[k]! + (stats.switchingRate[k]! * n) / samplingRate;
      for (const v of stats.lifetimes[k]!) lifetimeSum[k] = lifetimeSum[k]! + v;
      lifetimeCount[k] = lifetimeCount[k]! + stats.lifetimes[k]!.length;
      for (const v of stats.intervals[k]!) intervalSum[k] = intervalSum[k]! + v;
      intervalCount[k] = intervalCount[k]! + stats.intervals[k]!.length;
    }
  }
  const modes = Array.from({ length: nModes }, (_, k) => k);
  return {
    fractionalOccupancy: modes.map((k) => onSamples[k]! / total),
    meanLifetimeS: modes.map((k) => (lifetimeCount[k]! > 0 ? lifetimeSum[k]! / lifetimeCount[k]! : 0)),
    meanIntervalS: modes.map((k) => (intervalCount[k]! > 0 ? intervalSum[k]! / intervalCount[k]! : 0)),
    // Rounding the activations undoes the float round trip through the rate.
    switchingRateHz: modes.map((k) => (Math.round(activations[k]!) * samplingRate) / total),
  };
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Fits one mode at a time and yields between modes, so a long session neither holds the services
 * process for all its modes at once nor delays a cancel (checked between modes) until the end.
 */
export async function analyseSessionStates(
  alpha: ArrayLike<number>,
  nModes: number,
  covariances: Float64Array | null,
  samplingRate: number,
  sessionName: string,
  control: { signal?: AbortSignal; onMode?: (done: number) => void } = {},
): Promise<SessionStates> {
  const nRows = alpha.length / nModes;
  const ranges = finiteRowRanges([alpha], [nModes]);
  const packed = packRows(alpha, nModes, ranges);
  if (packed.length === 0) throw new NoValidSamplesError(sessionName);
  const packedReweighted = covariances ? reweightAlphas(packed, nModes, covariances) : null;
  const input = packedReweighted ?? packed;
  const states = new Float64Array(input.length);
  const thresholds: (number | null)[] = [];
  for (let k = 0; k < nModes; k++) {
    await yieldToEventLoop();
    if (control.signal?.aborted) throw new RpcError('CANCELLED', 'analysis cancelled');
    const fitted = gmmBinarise(input, nModes, { modes: [k] });
    for (let i = k; i < states.length; i += nModes) states[i] = fitted.states[i]!;
    const threshold = fitted.modes[k]!.threshold;
    thresholds.push(Number.isFinite(threshold) ? threshold : null);
    control.onMode?.(k + 1);
  }
  return {
    reweighted: packedReweighted ? unpackRows(packedReweighted, nModes, ranges, nRows) : null,
    binarised: unpackRows(states, nModes, ranges, nRows),
    summary: pooledSummary(states, nModes, ranges, samplingRate),
    thresholds,
    binarisedFrom: packedReweighted ? 'reweighted' : 'raw',
    nValidSamples: packed.length / nModes,
  };
}
