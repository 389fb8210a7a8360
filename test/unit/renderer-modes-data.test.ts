import { describe, expect, it } from 'vitest';
import { encodeArray } from '../../src-shared/domain/encodedArray';
import type { AlphaWindow } from '../../src-shared/rpc/channels/analysis';
import { ChartDataError } from '../../src-renderer/charts/chartDataError';
import {
  alphaWindowToEnvelope,
  covarianceMatrices,
  formatScore,
  modePowerSpectra,
  sharedSymmetricLimit,
  summaryBars,
} from '../../src-renderer/views/modes/modesData';

function window(points: number, nModes: number): AlphaWindow {
  const values = Float32Array.from({ length: points * nModes }, (_, i) => i / 10);
  return {
    samplingRate: 100,
    nSamples: 1000,
    nModes,
    startSample: 200,
    endSample: 200 + points * 4,
    step: 4,
    min: encodeArray(values, [points, nModes]),
    max: encodeArray(
      values.map((v) => v + 1),
      [points, nModes],
    ),
    mean: encodeArray(
      values.map((v) => v + 0.5),
      [points, nModes],
    ),
    gaps: [{ start: 204, end: 208 }],
  };
}

describe('Modes view data', () => {
  it('turns a served α window into an envelope window with means', () => {
    const e = alphaWindowToEnvelope(window(3, 2));
    expect(e.startSample).toBe(200);
    expect(e.endSample).toBe(212);
    expect(e.step).toBe(4);
    expect(e.nChannels).toBe(2);
    expect(Array.from(e.min)).toEqual(Array.from(Float32Array.from([0, 0.1, 0.2, 0.3, 0.4, 0.5])));
    expect(e.max[5]).toBeCloseTo(1.5, 6);
    expect(e.mean![0]).toBeCloseTo(0.5, 6);
    expect(e.gaps).toEqual([{ start: 204, end: 208 }]);
  });

  it('rejects a window whose arrays do not match its mode count', () => {
    const bad = { ...window(3, 2), nModes: 3 };
    expect(() => alphaWindowToEnvelope(bad)).toThrow(ChartDataError);
    expect(() => alphaWindowToEnvelope(bad)).toThrow(/\[points × 3\]/);
  });

  it('splits covariances per mode and shares one symmetric limit', () => {
    const flat = [1, -3, -3, 2, 0.5, 0, 0, 0.5];
    const m = covarianceMatrices(flat, [2, 2, 2]);
    expect(m.map((x) => Array.from(x))).toEqual([
      [1, -3, -3, 2],
      [0.5, 0, 0, 0.5],
    ]);
    expect(sharedSymmetricLimit(m)).toBe(3);
    expect(sharedSymmetricLimit([new Float64Array(4)])).toBe(1);
    expect(() => covarianceMatrices(flat, [2, 2, 3])).toThrow(/\[K, C, C\]/);
  });

  it('summarises sessions as mean bars with the population SD and one dot row per session', () => {
    const session = (fo: number[]) => ({
      sessionId: 1,
      sessionName: 's',
      nSamples: 10,
      nValidSamples: 10,
      fractionalOccupancy: fo,
      meanLifetimeS: [0, 0],
      meanIntervalS: [0, 0],
      switchingRateHz: [0, 0],
      thresholds: [null, null],
    });
    const bars = summaryBars([session([0.2, 0.8]), session([0.4, 0.6])], 'fractionalOccupancy', 2);
    expect(Array.from(bars.values).map((v) => +v.toFixed(12))).toEqual([0.3, 0.7]);
    expect(Array.from(bars.errors!).map((v) => +v.toFixed(12))).toEqual([0.1, 0.1]);
    expect(bars.points.map((p) => Array.from(p))).toEqual([
      [0.2, 0.8],
      [0.4, 0.6],
    ]);
    expect(summaryBars([session([0.2, 0.8])], 'fractionalOccupancy', 2).errors).toBeNull();
    expect(() => summaryBars([session([0.2])], 'fractionalOccupancy', 2)).toThrow(/1 values for 2 modes/);
    expect(() => summaryBars([], 'fractionalOccupancy', 2)).toThrow(/no sessions/);
  });

  it('averages psd [S, K, C, F] over sessions and channels, or picks one', () => {
    // S=2, K=2, C=2, F=3; value = 1000 s + 100 k + 10 c + f.
    const psd = new Float64Array(24);
    for (let s = 0; s < 2; s++)
      for (let k = 0; k < 2; k++)
        for (let c = 0; c < 2; c++)
          for (let f = 0; f < 3; f++) psd[((s * 2 + k) * 2 + c) * 3 + f] = 1000 * s + 100 * k + 10 * c + f;
    const mean = modePowerSpectra(psd, [2, 2, 2, 3], 'mean', 'mean');
    expect(Array.from(mean[1]!)).toEqual([605, 606, 607]);
    const one = modePowerSpectra(psd, [2, 2, 2, 3], 1, 0);
    expect(Array.from(one[0]!)).toEqual([1000, 1001, 1002]);
    expect(() => modePowerSpectra(psd, [2, 2, 2, 3], 2, 0)).toThrow(/session 2/);
    expect(() => modePowerSpectra(psd, [2, 2, 2, 4], 'mean', 'mean')).toThrow(/\[S, K, C, F\]/);
  });

  it('formats scores with two decimals and a dash for undefined ones', () => {
    expect(formatScore(0.956)).toBe('0.96');
    expect(formatScore(null)).toBe('–');
    expect(formatScore(NaN)).toBe('–');
  });
});
