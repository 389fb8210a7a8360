import type { Preview } from '../../src-shared/domain/dataset';
import { decodeArray } from '../../src-shared/domain/encodedArray';
import { ChartDataError } from './chartDataError';
import type { EnvelopeWindow } from './envelope';

/**
 * A datasets preview answer (min/max float32 [points × channels] crossing the RPC boundary) as the
 * envelope window the time-series charts draw. Both use the same bucket convention.
 */
export function previewToEnvelopeWindow(preview: Preview): EnvelopeWindow {
  const min = decodeArray(preview.min);
  const max = decodeArray(preview.max);
  if (!(min instanceof Float32Array) || !(max instanceof Float32Array)) {
    throw new ChartDataError(
      `preview min/max must be float32, got ${preview.min.dtype} and ${preview.max.dtype}`,
    );
  }
  const [points, nChannels] = preview.min.shape;
  if (points === undefined || nChannels === undefined || preview.min.shape.length !== 2) {
    throw new ChartDataError(
      `preview min must be [points × channels], got ${JSON.stringify(preview.min.shape)}`,
    );
  }
  if (JSON.stringify(preview.max.shape) !== JSON.stringify(preview.min.shape)) {
    throw new ChartDataError(
      `preview min and max shapes differ: ${JSON.stringify(preview.min.shape)} and ${JSON.stringify(preview.max.shape)}`,
    );
  }
  return {
    startSample: preview.startSample,
    endSample: preview.endSample,
    step: preview.step,
    nChannels,
    min,
    max,
    gaps: preview.gaps,
  };
}
