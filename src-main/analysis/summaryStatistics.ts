/**
 * Summary statistics of a binary state time course, per mode, with osl-dynamics' definitions
 * (`analysis.post_hoc`):
 * - fractional occupancy: the fraction of samples on which the mode is on;
 * - lifetime: the length of each run of consecutive on samples. Every run counts, including a
 *   run cut short by the start or the end of the recording (osl-dynamics clumps the whole
 *   boolean column and keeps the partial runs at the edges);
 * - interval: the number of off samples between the end of one run and the start of the next,
 *   so the off stretches before the first and after the last run are not intervals;
 * - switching rate: activations per second, counting the 0 → 1 steps (a run already on at the
 *   first sample is not an activation) divided by the recording's duration nSamples / fs.
 * A mean over no runs (a mode never on, or on only once for intervals) is 0, as osl-dynamics'
 * `list_means` returns for an empty list.
 */
import { checkBinaryTimeCourse, checkPositiveFinite } from './inputChecks';

export interface ModeSummaryStatistics {
  fractionalOccupancy: Float64Array;
  /** Seconds. */
  meanLifetime: Float64Array;
  /** Seconds. */
  meanInterval: Float64Array;
  /** Activations per second. */
  switchingRate: Float64Array;
  /** Per mode, every lifetime in seconds, in order of occurrence. */
  lifetimes: Float64Array[];
  /** Per mode, every interval in seconds, in order of occurrence. */
  intervals: Float64Array[];
}

function mean(values: readonly number[]): number {
  if (values.length === 0) return 0;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

export function summaryStatistics(
  states: ArrayLike<number>,
  nModes: number,
  samplingRate: number,
): ModeSummaryStatistics {
  const nSamples = checkBinaryTimeCourse(states, nModes, 'states');
  checkPositiveFinite(samplingRate, 'samplingRate');
  const result: ModeSummaryStatistics = {
    fractionalOccupancy: new Float64Array(nModes),
    meanLifetime: new Float64Array(nModes),
    meanInterval: new Float64Array(nModes),
    switchingRate: new Float64Array(nModes),
    lifetimes: [],
    intervals: [],
  };
  for (let k = 0; k < nModes; k++) {
    const lifetimes: number[] = [];
    const intervals: number[] = [];
    let onCount = 0;
    let activations = 0;
    let runStart = -1;
    let previousRunEnd = -1;
    for (let t = 0; t <= nSamples; t++) {
      const on = t < nSamples && states[t * nModes + k] === 1;
      if (on) {
        onCount++;
        if (runStart < 0) {
          runStart = t;
          if (t > 0) activations++;
          if (previousRunEnd >= 0) intervals.push((t - previousRunEnd) / samplingRate);
        }
      } else if (runStart >= 0) {
        lifetimes.push((t - runStart) / samplingRate);
        previousRunEnd = t;
        runStart = -1;
      }
    }
    result.fractionalOccupancy[k] = onCount / nSamples;
    result.meanLifetime[k] = mean(lifetimes);
    result.meanInterval[k] = mean(intervals);
    result.switchingRate[k] = (activations * samplingRate) / nSamples;
    result.lifetimes.push(Float64Array.from(lifetimes));
    result.intervals.push(Float64Array.from(intervals));
  }
  return result;
}
