/**
 * Reference imputers that work channel by channel from the observed values only: linear
 * interpolation, last observation carried forward, and the channel mean. Each returns a copy of
 * the data with only the missing entries replaced.
 */
import { missingRuns, type MaskedSession } from './missingEntries';

export type Imputer = (s: MaskedSession) => Float32Array | Promise<Float32Array>;

function fillRuns(
  s: MaskedSession,
  fill: (channel: number, start: number, end: number, out: Float32Array) => void,
): Float32Array {
  const out = Float32Array.from(s.data);
  for (const r of missingRuns(s)) fill(r.channel, r.start, r.end, out);
  return out;
}

/** Straight line between the observed neighbours; the nearest observed value at either edge. */
export function linearInterpolation(s: MaskedSession): Float32Array {
  const C = s.nChannels;
  return fillRuns(s, (c, start, end, out) => {
    const hasLeft = start > 0;
    const hasRight = end < s.nSamples;
    const left = hasLeft ? out[(start - 1) * C + c]! : out[end * C + c]!;
    const right = hasRight ? out[end * C + c]! : left;
    const span = end - start + 1;
    for (let t = start; t < end; t++) {
      const w = hasLeft && hasRight ? (t - start + 1) / span : 0;
      out[t * C + c] = left + w * (right - left);
    }
  });
}

/** The last observed value before the run; the first one after it at the start of a session. */
export function lastObservationCarriedForward(s: MaskedSession): Float32Array {
  const C = s.nChannels;
  return fillRuns(s, (c, start, end, out) => {
    const v = start > 0 ? out[(start - 1) * C + c]! : out[end * C + c]!;
    for (let t = start; t < end; t++) out[t * C + c] = v;
  });
}

/** Per-channel means of the observed values. */
export function observedChannelMeans(s: MaskedSession): Float64Array {
  const C = s.nChannels;
  const sum = new Float64Array(C);
  const n = new Float64Array(C);
  for (let i = 0; i < s.data.length; i++) {
    if (s.missing?.[i]) continue;
    sum[i % C]! += s.data[i]!;
    n[i % C]! += 1;
  }
  return sum.map((v, c) => (n[c]! > 0 ? v / n[c]! : 0));
}

export function channelMean(s: MaskedSession): Float32Array {
  const means = observedChannelMeans(s);
  const C = s.nChannels;
  return fillRuns(s, (c, start, end, out) => {
    for (let t = start; t < end; t++) out[t * C + c] = means[c]!;
  });
}
