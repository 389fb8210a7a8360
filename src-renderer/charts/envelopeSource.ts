import { ChartDataError } from './chartDataError';
import { nanGapRanges, type EnvelopeWindow, type NumericArray } from './envelope';
import { EnvelopePyramid } from './envelopePyramid';

/** What windowed charts call to get the part of a signal they show, at about one bucket per pixel. */
export type EnvelopeFetch = (
  startSample: number,
  endSample: number,
  maxPoints: number,
) => Promise<EnvelopeWindow>;

/**
 * Serves windows of an array that is already in memory (ground truth, results, tests) the way the
 * backend serves recordings, so charts have one code path. A min/max pyramid and the NaN gaps are
 * computed once, so each zoom step costs about the number of pixels, not the number of samples.
 */
export function inMemoryEnvelopeSource(data: NumericArray, nChannels: number): EnvelopeFetch {
  if (!Number.isInteger(nChannels) || nChannels < 1 || data.length % nChannels !== 0) {
    throw new ChartDataError(
      `an in-memory source needs whole rows: ${data.length} values cannot be split into ${nChannels} channels`,
    );
  }
  const pyramid = new EnvelopePyramid(data, nChannels);
  const gaps = nanGapRanges(data, nChannels, 0, pyramid.nSamples);
  return (startSample, endSample, maxPoints) => {
    const window = pyramid.window(startSample, endSample, maxPoints);
    window.gaps = gaps
      .filter((g) => g.end > window.startSample && g.start < window.endSample)
      .map((g) => ({ start: Math.max(g.start, window.startSample), end: Math.min(g.end, window.endSample) }));
    return Promise.resolve(window);
  };
}
