/** z-scoring per channel and per session over the valid samples only (population std, as numpy). */
import type { TimeSeriesSession } from '../../../src-shared/domain/preparation';
import { validRuns } from './segments';

export interface ChannelMoments {
  mean: Float64Array;
  /** Standard deviation; a constant channel gets 1 so it maps to zeros instead of NaN. */
  std: Float64Array;
  nValid: number;
}

export function channelMoments(session: TimeSeriesSession): ChannelMoments {
  const { data, nChannels } = session;
  const runs = validRuns(session.nSamples, session.gapMask);
  const mean = new Float64Array(nChannels);
  const sq = new Float64Array(nChannels);
  let nValid = 0;
  for (const { start, end } of runs) {
    nValid += end - start;
    for (let t = start; t < end; t++) {
      const row = t * nChannels;
      for (let c = 0; c < nChannels; c++) mean[c]! += data[row + c]!;
    }
  }
  for (let c = 0; c < nChannels; c++) mean[c] = nValid > 0 ? mean[c]! / nValid : 0;
  // Second pass on centred values: the one-pass formula loses digits when |mean| ≫ std.
  for (const { start, end } of runs) {
    for (let t = start; t < end; t++) {
      const row = t * nChannels;
      for (let c = 0; c < nChannels; c++) {
        const d = data[row + c]! - mean[c]!;
        sq[c]! += d * d;
      }
    }
  }
  const std = new Float64Array(nChannels);
  for (let c = 0; c < nChannels; c++) {
    const s = nValid > 0 ? Math.sqrt(sq[c]! / nValid) : 0;
    std[c] = s > 0 ? s : 1;
  }
  return { mean, std, nValid };
}

export function standardizeSession(session: TimeSeriesSession): TimeSeriesSession {
  const { mean, std } = channelMoments(session);
  const { data, nChannels } = session;
  const out = new Float32Array(data.length);
  for (const { start, end } of validRuns(session.nSamples, session.gapMask)) {
    for (let t = start; t < end; t++) {
      const row = t * nChannels;
      for (let c = 0; c < nChannels; c++) out[row + c] = (data[row + c]! - mean[c]!) / std[c]!;
    }
  }
  return { ...session, data: out, ...(session.gapMask ? { gapMask: session.gapMask.slice() } : {}) };
}
