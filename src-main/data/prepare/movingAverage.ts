/**
 * Centred moving average over an odd window (osl-dynamics `moving_average`). Like osl-dynamics
 * the session loses (n_window − 1)/2 samples at each end; inside a session, outputs whose window
 * touches a gap are marked missing (the array keeps its length there).
 */
import type { TimeSeriesSession } from '../../../src-shared/domain/preparation';
import { PreparationError } from './errors';
import { centredWindowMask, validRuns } from './segments';

export function movingAverageSession(session: TimeSeriesSession, nWindow: number): TimeSeriesSession {
  if (nWindow % 2 !== 1 || nWindow < 1)
    throw new PreparationError(`moving_average: n_window must be odd, got ${nWindow}`);
  const half = (nWindow - 1) / 2;
  const { nSamples, nChannels, data } = session;
  const nOut = nSamples - 2 * half;
  if (nOut < 1) {
    throw new PreparationError(
      `moving_average: a session of ${nSamples} samples is shorter than n_window (${nWindow})`,
    );
  }
  const out = new Float32Array(nOut * nChannels);
  const sums = new Float64Array(nChannels);
  for (const { start, end } of validRuns(nSamples, session.gapMask)) {
    if (end - start < nWindow) continue;
    sums.fill(0);
    for (let t = start; t < start + nWindow - 1; t++)
      for (let c = 0; c < nChannels; c++) sums[c]! += data[t * nChannels + c]!;
    for (let t = start + nWindow - 1; t < end; t++) {
      const incoming = t * nChannels;
      const outgoing = (t - nWindow + 1) * nChannels;
      const row = (t - nWindow + 1) * nChannels; // output index = centre − half = first sample of the window
      for (let c = 0; c < nChannels; c++) {
        sums[c]! += data[incoming + c]!;
        out[row + c] = sums[c]! / nWindow;
        sums[c]! -= data[outgoing + c]!;
      }
    }
  }
  const gapMask = centredWindowMask(nSamples, session.gapMask, half);
  return {
    data: out,
    nSamples: nOut,
    nChannels,
    samplingRate: session.samplingRate,
    ...(gapMask ? { gapMask } : {}),
  };
}
