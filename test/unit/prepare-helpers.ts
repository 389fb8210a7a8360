import type { TimeSeriesSession } from '../../src-shared/domain/preparation';

/** A session from per-channel generator functions of the sample index. */
export function sessionFrom(
  nSamples: number,
  samplingRate: number,
  channels: Array<(t: number) => number>,
  gapMask?: Uint8Array,
): TimeSeriesSession {
  const nChannels = channels.length;
  const data = new Float32Array(nSamples * nChannels);
  for (let t = 0; t < nSamples; t++) channels.forEach((f, c) => (data[t * nChannels + c] = f(t)));
  return { data, nSamples, nChannels, samplingRate, ...(gapMask ? { gapMask } : {}) };
}

export function channel(session: TimeSeriesSession, c: number): Float64Array {
  return Float64Array.from({ length: session.nSamples }, (_, t) => session.data[t * session.nChannels + c]!);
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>, from = 0, to = a.length): number {
  let m = 0;
  for (let i = from; i < to; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

export function rms(a: ArrayLike<number>, from = 0, to = a.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += a[i]! * a[i]!;
  return Math.sqrt(s / (to - from));
}

export function gapMaskWith(n: number, gaps: Array<[number, number]>): Uint8Array {
  const mask = new Uint8Array(n);
  for (const [a, b] of gaps) mask.fill(1, a, b);
  return mask;
}
