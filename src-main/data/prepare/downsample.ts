/**
 * Anti-aliased downsampling (osl-dynamics `downsample`, which calls mne.filter.resample):
 * band-limited Fourier resampling of each valid run. Every frequency at or above the new Nyquist
 * is removed (an ideal low-pass), frequencies below it are kept untouched.
 *
 * The new session has round(n · new/old) samples (as MNE), sample j sitting at old index j·old/new.
 * Each run is mirrored at both ends before the transform so its edges do not ring, and the Fourier
 * interpolant is evaluated on that global grid, so runs separated by gaps stay on one time axis.
 * New samples whose time falls outside every valid run are marked missing.
 */
import type { TimeSeriesSession } from '../../../src-shared/domain/preparation';
import { fftPlan, nextFastLength } from '../../numerics/fft';
import { PreparationError } from './errors';
import { maskOrUndefined, readChannel, validRuns, writeChannel } from './segments';

/** p/q with q ≤ 100000 equal to x within 1e-9 (relative), by continued fractions. */
export function rationalApproximation(x: number): { p: number; q: number } | null {
  let h0 = 0;
  let h1 = 1;
  let k0 = 1;
  let k1 = 0;
  let value = x;
  for (let i = 0; i < 40; i++) {
    const a = Math.floor(value);
    [h0, h1] = [h1, a * h1 + h0];
    [k0, k1] = [k1, a * k1 + k0];
    if (k1 > 100000) return null;
    if (Math.abs(h1 / k1 - x) <= 1e-9 * x) return { p: h1, q: k1 };
    const frac = value - a;
    if (frac < 1e-12) break;
    value = 1 / frac;
  }
  return k1 > 0 && Math.abs(h1 / k1 - x) <= 1e-9 * x ? { p: h1, q: k1 } : null;
}

/** Index into a sequence of length n mirrored about its end samples (…2 1 0 1 2 … n−2 n−1 n−2 …). */
function mirror(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  let k = i % period;
  if (k < 0) k += period;
  return k < n ? k : period - k;
}

export function downsampleSession(session: TimeSeriesSession, newRate: number): TimeSeriesSession {
  const oldRate = session.samplingRate;
  if (!(newRate > 0) || newRate > oldRate) {
    throw new PreparationError(
      `downsample: freq (${newRate} Hz) must be positive and at most the sampling rate (${oldRate} Hz)`,
    );
  }
  if (newRate === oldRate)
    return {
      ...session,
      data: session.data.slice(),
      ...(session.gapMask ? { gapMask: session.gapMask.slice() } : {}),
    };
  const ratio = newRate / oldRate;
  const fraction = rationalApproximation(ratio);
  if (!fraction) {
    throw new PreparationError(
      `downsample: ${oldRate} Hz → ${newRate} Hz is not a ratio of integers with denominator ≤ 100000`,
    );
  }
  const { p, q } = fraction;
  const { nSamples, nChannels } = session;
  const nOut = Math.round(nSamples * ratio);
  const out = new Float32Array(nOut * nChannels);
  const outMask = new Uint8Array(nOut).fill(1);

  for (const { start, end } of validRuns(nSamples, session.gapMask)) {
    const n = end - start;
    // Output samples inside this run: old time j·q/p within [start, end − 1].
    const first = Math.max(0, Math.ceil((start * p) / q - 1e-9));
    const lastInRun = Math.min(nOut - 1, Math.floor(((end - 1) * p) / q + 1e-9));
    const pad = Math.min(n - 1, Math.max(64, Math.ceil(20 / ratio)));
    // Padded length a multiple of q so it holds a whole number (L·p/q) of new samples, and with
    // small prime factors so both transforms are fast.
    const length = nextFastLength(Math.ceil((n + 2 * pad) / q)) * q;
    const m = (length / q) * p;
    const origin = start - pad; // old index of padded sample 0
    const firstOnGrid = Math.ceil((origin * p) / q - 1e-9); // first global new index at or after origin
    const shift = (firstOnGrid * q) / p - origin; // in old samples, within [0, q/p)
    const last = Math.min(lastInRun, firstOnGrid + m - 1);
    if (last < first) continue;
    const planIn = fftPlan(length);
    const planOut = fftPlan(m);
    const re = new Float64Array(length);
    const im = new Float64Array(length);
    const outRe = new Float64Array(m);
    const outIm = new Float64Array(m);
    const keepBelow = m % 2 === 0 ? m / 2 : (m + 1) / 2; // bins |k| < keepBelow survive; even m drops the Nyquist bin
    for (let c = 0; c < nChannels; c++) {
      const x = readChannel(session, c, start, end);
      for (let i = 0; i < length; i++) re[i] = x[mirror(i - pad, n)]!;
      im.fill(0);
      planIn.forward(re, im);
      outRe.fill(0);
      outIm.fill(0);
      for (let k = -(keepBelow - 1); k < keepBelow; k++) {
        const src = k >= 0 ? k : length + k;
        const dst = k >= 0 ? k : m + k;
        // x(t + shift) ↔ X[k]·e^{2πi k shift / L}.
        const angle = (2 * Math.PI * k * shift) / length;
        const cr = Math.cos(angle);
        const ci = Math.sin(angle);
        outRe[dst] = re[src]! * cr - im[src]! * ci;
        outIm[dst] = re[src]! * ci + im[src]! * cr;
      }
      planOut.inverse(outRe, outIm);
      const scale = m / length;
      const values = new Float64Array(last - first + 1);
      for (let j = first; j <= last; j++) values[j - first] = outRe[j - firstOnGrid]! * scale;
      writeChannel(out, nChannels, c, first, values);
    }
    outMask.fill(0, first, last + 1);
  }
  const gapMask = maskOrUndefined(outMask);
  return { data: out, nSamples: nOut, nChannels, samplingRate: newRate, ...(gapMask ? { gapMask } : {}) };
}
