import { describe, expect, it } from 'vitest';
import { filterSession } from '../../src-main/data/prepare/filter';
import { amplitudeEnvelopeSession } from '../../src-main/data/prepare/amplitudeEnvelope';
import { downsampleSession, rationalApproximation } from '../../src-main/data/prepare/downsample';
import { movingAverageSession } from '../../src-main/data/prepare/movingAverage';
import { tdeChannelNames, tdeSession } from '../../src-main/data/prepare/tde';
import { standardizeSession } from '../../src-main/data/prepare/standardize';
import { selectChannels } from '../../src-main/data/prepare/select';
import { PreparationError } from '../../src-main/data/prepare/errors';
import { channel, gapMaskWith, maxAbsDiff, rms, sessionFrom } from './prepare-helpers';

const fs = 250;
const sine =
  (f: number, amplitude = 1, phase = 0) =>
  (t: number) =>
    amplitude * Math.sin((2 * Math.PI * f * t) / fs + phase);

describe('standardize', () => {
  it('gives zero mean and unit variance per channel over valid samples, zeros in gaps', () => {
    const mask = gapMaskWith(1000, [[100, 200]]);
    const s = sessionFrom(
      1000,
      fs,
      [(t) => 5 + 3 * Math.sin(t / 7), (t) => (t >= 100 && t < 200 ? 1e6 : -2 + 0.5 * Math.cos(t / 3))],
      mask,
    );
    const out = standardizeSession(s);
    for (let c = 0; c < 2; c++) {
      const x = channel(out, c);
      const valid = Array.from(x).filter((_, t) => mask[t] === 0);
      const mean = valid.reduce((a, b) => a + b, 0) / valid.length;
      const variance = valid.reduce((a, b) => a + (b - mean) ** 2, 0) / valid.length;
      expect(mean).toBeCloseTo(0, 5);
      expect(variance).toBeCloseTo(1, 4);
      expect(x[150]).toBe(0); // the 1e6 inside the gap did not enter the statistics
    }
    expect(Array.from(out.gapMask!)).toEqual(Array.from(mask));
  });
});

describe('filter', () => {
  const n = 2500;
  it('low-pass keeps a passband sinusoid with unit gain and zero phase, removes a stopband one', () => {
    const s = sessionFrom(n, fs, [sine(3), sine(60)]);
    const out = filterSession(s, { low_freq: null, high_freq: 20, order: 5 });
    const pass = channel(out, 0);
    expect(maxAbsDiff(pass, channel(s, 0), 100, n - 100)).toBeLessThan(1e-3);
    expect(maxAbsDiff(pass, channel(s, 0))).toBeLessThan(0.02); // even at the edges (odd extension + steady state)
    expect(rms(channel(out, 1), 100, n - 100)).toBeLessThan(1e-4);
  });

  it('high-pass removes drift and keeps fast oscillations in phase', () => {
    const s = sessionFrom(n, fs, [(t) => 3 + sine(0.2)(t) + sine(30)(t)]);
    const out = channel(filterSession(s, { low_freq: 5, high_freq: null, order: 4 }), 0);
    const expected = Float64Array.from({ length: n }, (_, t) => sine(30)(t));
    expect(maxAbsDiff(out, expected, 250, n - 250)).toBeLessThan(2e-3);
  });

  it('band-pass keeps the centre, rejects both sides, and its gain at the edges is 1/2 after two passes', () => {
    const s = sessionFrom(n, fs, [sine(10), sine(2), sine(40), sine(8)]);
    const out = filterSession(s, { low_freq: 8, high_freq: 12, order: 5 });
    expect(maxAbsDiff(channel(out, 0), channel(s, 0), 500, n - 500)).toBeLessThan(5e-3);
    expect(rms(channel(out, 1), 500, n - 500)).toBeLessThan(1e-3);
    expect(rms(channel(out, 2), 500, n - 500)).toBeLessThan(1e-3);
    // |H|² = 1/2 at a −3 dB edge; forward-backward squares it, so a unit sine comes out at amplitude 1/2.
    expect(rms(channel(out, 3), 500, n - 500) * Math.SQRT2).toBeCloseTo(0.5, 2);
  });

  it('never leaks across a gap: a spike just before a gap leaves the samples after it untouched', () => {
    const mask = gapMaskWith(1000, [[500, 510]]);
    const spiky = (t: number) => (t === 499 ? 1000 : Math.sin(t / 10));
    const s = sessionFrom(1000, fs, [spiky], mask);
    const out = channel(filterSession(s, { low_freq: null, high_freq: 20, order: 5 }), 0);
    const alone = sessionFrom(490, fs, [(t) => spiky(t + 510)]);
    const expected = channel(filterSession(alone, { low_freq: null, high_freq: 20, order: 5 }), 0);
    expect(maxAbsDiff(out.subarray(510), expected)).toBe(0);
    expect(Array.from(out.subarray(500, 510))).toEqual(new Array(10).fill(0));
    expect(Math.abs(out[495]!)).toBeGreaterThan(5); // the spike did spread within its own run
  });

  it('rejects an edge at or above Nyquist with a specific error', () => {
    const s = sessionFrom(100, fs, [sine(3)]);
    expect(() => filterSession(s, { low_freq: null, high_freq: 125, order: 5 })).toThrow(PreparationError);
    expect(() => filterSession(s, { low_freq: null, high_freq: 125, order: 5 })).toThrow(/Nyquist/);
  });
});

describe('amplitude_envelope', () => {
  it('recovers the modulation of an amplitude-modulated sinusoid', () => {
    const n = 2500;
    const env = (t: number) => 1 + 0.5 * Math.cos((2 * Math.PI * 1 * t) / fs);
    const s = sessionFrom(n, fs, [(t) => env(t) * sine(40)(t)]);
    const out = channel(amplitudeEnvelopeSession(s), 0);
    const expected = Float64Array.from({ length: n }, (_, t) => env(t));
    expect(maxAbsDiff(out, expected, 50, n - 50)).toBeLessThan(5e-3);
  });

  it('matches scipy.signal.hilbert on an odd-length segment', () => {
    // |signal.hilbert(x)| from scipy 1.17 for x[t] = sin(t/5) + 0.5 cos(t/1.3) + 0.1 t/300, t < 257.
    const s = sessionFrom(257, fs, [(t) => Math.sin(t / 5) + 0.5 * Math.cos(t / 1.3) + (0.1 * t) / 300]);
    const x = channel(amplitudeEnvelopeSession(s), 0);
    expect(x[0]).toBeCloseTo(0.5190799922467222, 6);
    expect(x[100]).toBeCloseTo(0.9725173777562435, 6);
    expect(x[256]).toBeCloseTo(0.6214715324726463, 6);
  });

  it('gives a constant envelope for a pure sinusoid on each side of a gap', () => {
    const mask = gapMaskWith(1000, [[400, 420]]);
    const out = amplitudeEnvelopeSession(sessionFrom(1000, fs, [sine(25, 2)], mask));
    const x = channel(out, 0);
    expect(maxAbsDiff(x, new Float64Array(1000).fill(2), 50, 350)).toBeLessThan(0.02);
    expect(maxAbsDiff(x, new Float64Array(1000).fill(2), 470, 950)).toBeLessThan(0.02);
    expect(x[410]).toBe(0);
  });
});

describe('downsample', () => {
  it('finds the integer ratio of sampling rates', () => {
    expect(rationalApproximation(100 / 250)).toEqual({ p: 2, q: 5 });
    expect(rationalApproximation(0.5)).toEqual({ p: 1, q: 2 });
    expect(rationalApproximation(128 / 1000)).toEqual({ p: 16, q: 125 });
  });

  it('keeps a sinusoid below the new Nyquist and removes one above it', () => {
    const n = 2500;
    const s = sessionFrom(n, fs, [sine(10, 1, 0.3), sine(70)]);
    const out = downsampleSession(s, 100);
    expect(out.nSamples).toBe(1000);
    expect(out.samplingRate).toBe(100);
    expect(out.gapMask).toBeUndefined();
    const expected = Float64Array.from({ length: 1000 }, (_, j) =>
      Math.sin(2 * Math.PI * 10 * (j / 100) + 0.3),
    );
    const kept = channel(out, 0);
    expect(maxAbsDiff(kept, expected, 20, 980)).toBeLessThan(0.01);
    expect(maxAbsDiff(kept, expected)).toBeLessThan(0.2); // mirrored edges are not periodic
    expect(rms(channel(out, 1), 20, 980)).toBeLessThan(0.01);
  });

  it('maps the gap mask to the new rate and keeps runs on one time axis', () => {
    const n = 2000;
    const mask = gapMaskWith(n, [[1000, 1100]]);
    const out = downsampleSession(sessionFrom(n, fs, [sine(5)], mask), 100);
    expect(out.nSamples).toBe(800);
    // New sample j sits at old index 2.5 j: missing exactly when that time is inside [1000, 1100).
    const expectedMask = Array.from({ length: 800 }, (_, j) => (2.5 * j >= 999.9 && 2.5 * j < 1100 ? 1 : 0));
    expect(Array.from(out.gapMask!)).toEqual(expectedMask);
    const x = channel(out, 0);
    for (const j of [300, 390, 450, 700]) expect(x[j]).toBeCloseTo(Math.sin((2 * Math.PI * 5 * j) / 100), 2);
  });

  it('refuses to upsample', () => {
    expect(() => downsampleSession(sessionFrom(10, fs, [sine(1)]), 500)).toThrow(/at most the sampling rate/);
  });
});

describe('moving_average', () => {
  it('averages a centred odd window and trims (n − 1)/2 samples at each session end', () => {
    const s = sessionFrom(10, fs, [(t) => t * t]);
    const out = movingAverageSession(s, 3);
    expect(out.nSamples).toBe(8);
    // mean of (t−1)², t², (t+1)² = t² + 2/3 for output i centred on t = i + 1.
    channel(out, 0).forEach((v, i) => expect(v).toBeCloseTo((i + 1) ** 2 + 2 / 3, 4));
  });

  it('marks windows that touch a gap as missing and never averages across it', () => {
    const mask = gapMaskWith(20, [[10, 11]]);
    const s = sessionFrom(20, fs, [(t) => (t === 9 ? 100 : 1)], mask);
    const out = movingAverageSession(s, 5);
    expect(out.nSamples).toBe(16);
    // Output i covers inputs i … i + 4; the gap at 10 invalidates i = 6 … 10.
    expect(Array.from(out.gapMask!)).toEqual([0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0]);
    const x = channel(out, 0);
    expect(x[11]).toBe(1); // first window after the gap does not see the spike at 9
    expect(x[5]).toBeCloseTo((100 + 4) / 5, 5);
    expect(() => movingAverageSession(s, 4)).toThrow(/odd/);
  });
});

describe('tde', () => {
  it('embeds channels in osl-dynamics order (each channel from most future to most past lag)', () => {
    const s = sessionFrom(8, fs, [(t) => t, (t) => 100 + t]);
    const out = tdeSession(s, 3);
    expect(out.nSamples).toBe(6);
    expect(out.nChannels).toBe(6);
    // Output row i is centred on sample i + 1: [x0(i+2), x0(i+1), x0(i), x1(i+2), x1(i+1), x1(i)].
    expect(Array.from(out.data.subarray(0, 6))).toEqual([2, 1, 0, 102, 101, 100]);
    expect(Array.from(out.data.subarray(30, 36))).toEqual([7, 6, 5, 107, 106, 105]);
    expect(tdeChannelNames(['a'], 3)).toEqual(['a[+1]', 'a[0]', 'a[-1]']);
  });

  it('marks embedded windows that touch a gap as missing', () => {
    const mask = gapMaskWith(12, [[5, 6]]);
    const out = tdeSession(sessionFrom(12, fs, [(t) => t], mask), 5);
    expect(out.nSamples).toBe(8);
    // Output i covers inputs i … i + 4.
    expect(Array.from(out.gapMask!)).toEqual([0, 1, 1, 1, 1, 1, 0, 0]);
    expect(Array.from(out.data.subarray(6 * 5, 7 * 5))).toEqual([10, 9, 8, 7, 6]);
    expect(Array.from(out.data.subarray(1 * 5, 2 * 5))).toEqual([0, 0, 0, 0, 0]);
  });

  it('rejects even n_embeddings and sessions shorter than the window', () => {
    expect(() => tdeSession(sessionFrom(12, fs, [(t) => t]), 4)).toThrow(/odd/);
    expect(() => tdeSession(sessionFrom(3, fs, [(t) => t]), 5)).toThrow(/shorter than n_embeddings/);
  });
});

describe('select', () => {
  it('keeps the chosen channels in the chosen order', () => {
    const s = sessionFrom(2, fs, [() => 1, () => 2, () => 3]);
    expect(Array.from(selectChannels(s, [2, 0]).data)).toEqual([3, 1, 3, 1]);
  });
});
