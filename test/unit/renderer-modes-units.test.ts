import { describe, expect, it } from 'vitest';
import { spectrumAxisLabel, summaryBars, summaryStatistics } from '../../src-renderer/views/modes/modesData';

function session(lifetimeS: number[], intervalS: number[], rateHz: number[]) {
  return {
    sessionId: 1,
    sessionName: 's',
    nSamples: 10,
    nValidSamples: 10,
    fractionalOccupancy: [0.5, 0.5],
    meanLifetimeS: lifetimeS,
    meanIntervalS: intervalS,
    switchingRateHz: rateHz,
    thresholds: [null, null],
  };
}

describe('summary statistics in display units', () => {
  it('shows lifetimes and intervals in ms and keeps rates in Hz', () => {
    // Stay probability 0.9 at 250 Hz: mean lifetime 1 / (1 − 0.9) samples = 10 samples = 40 ms.
    const s = session([0.04, 0.036], [0.08, 0.1], [8.5, 9]);
    expect(Array.from(summaryBars([s], 'meanLifetimeS', 2).values).map((v) => +v.toFixed(9))).toEqual([
      40, 36,
    ]);
    const intervals = summaryBars([s, session([0, 0], [0.12, 0.1], [0, 0])], 'meanIntervalS', 2);
    expect(Array.from(intervals.values).map((v) => +v.toFixed(9))).toEqual([100, 100]);
    expect(Array.from(intervals.errors!).map((v) => +v.toFixed(9))).toEqual([20, 0]);
    expect(intervals.points.map((p) => Array.from(p, (v) => +v.toFixed(9)))).toEqual([
      [80, 100],
      [120, 100],
    ]);
    expect(Array.from(summaryBars([s], 'switchingRateHz', 2).values)).toEqual([8.5, 9]);
    const labels = Object.fromEntries(summaryStatistics.map((st) => [st.key, st.yLabel]));
    expect(labels.meanLifetimeS).toBe('Lifetime (ms)');
    expect(labels.meanIntervalS).toBe('Interval (ms)');
    expect(labels.switchingRateHz).toMatch(/\(Hz\)$/);
  });
});

describe('spectrumAxisLabel', () => {
  it('names the analysed band when it is narrower than 0 to Nyquist', () => {
    const band = Float64Array.from({ length: 90 }, (_, i) => 0.5 + i * 0.5);
    expect(spectrumAxisLabel(band, 250)).toBe('Frequency (Hz) · analysed band 0.5–45 Hz (Nyquist 125 Hz)');
    const full = Float64Array.from({ length: 126 }, (_, i) => i);
    expect(spectrumAxisLabel(full, 250)).toBe('Frequency (Hz)');
    expect(spectrumAxisLabel(new Float64Array(0), 250)).toBe('Frequency (Hz)');
    expect(() => spectrumAxisLabel(full, 0)).toThrow(/samplingRate must be positive, got 0/);
  });
});
