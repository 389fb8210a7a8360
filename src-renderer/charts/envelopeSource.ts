import { ChartDataError } from './chartDataError';
import { decimateMinMax, nanGapRanges, type EnvelopeWindow, type NumericArray } from './envelope';

/** What windowed charts call to get the part of a signal they show, at about one bucket per pixel. */
export type EnvelopeFetch = (
  startSample: number,
  endSample: number,
  maxPoints: number,
) => Promise<EnvelopeWindow>;

/**
 * Serves windows of an array that is already in memory (ground truth, small results, tests) the way
 * the backend serves recordings, so charts have one code path. NaN rows are reported as gaps.
 */
export function inMemoryEnvelopeSource(data: NumericArray, nChannels: number): EnvelopeFetch {
  if (!Number.isInteger(nChannels) || nChannels < 1 || data.length % nChannels !== 0) {
    throw new ChartDataError(
      `an in-memory source needs whole rows: ${data.length} values cannot be split into ${nChannels} channels`,
    );
  }
  return (startSample, endSample, maxPoints) => {
    const window = decimateMinMax(data, nChannels, startSample, endSample, maxPoints);
    window.gaps = nanGapRanges(data, nChannels, startSample, endSample);
    return Promise.resolve(window);
  };
}
