import { describe, expect, it } from 'vitest';
import { summaryStatistics } from '../../src-main/analysis/summaryStatistics';
import { SeededRandom } from '../../src-main/numerics/random';

function interleave(columns: number[][]): Uint8Array {
  const n = columns[0]!.length;
  const out = new Uint8Array(n * columns.length);
  columns.forEach((column, k) => column.forEach((v, t) => (out[t * columns.length + k] = v)));
  return out;
}

/** Runs of ones found by a regular expression over the column written as a string. */
function runsByRegex(column: number[]): { start: number; end: number }[] {
  return [...column.join('').matchAll(/1+/g)].map((m) => ({ start: m.index, end: m.index + m[0].length }));
}

describe('summaryStatistics', () => {
  it('matches hand-counted values, partial visits at the edges included', () => {
    const mode0 = [1, 1, 0, 0, 1, 0, 1, 1, 1, 0];
    const mode1 = mode0.map((v) => 1 - v);
    const stats = summaryStatistics(interleave([mode0, mode1]), 2, 2);
    expect(Array.from(stats.fractionalOccupancy)).toEqual([0.6, 0.4]);
    expect(Array.from(stats.lifetimes[0]!)).toEqual([1, 0.5, 1.5]);
    expect(Array.from(stats.lifetimes[1]!)).toEqual([1, 0.5, 0.5]);
    expect(stats.meanLifetime[0]).toBeCloseTo(1, 12);
    expect(stats.meanLifetime[1]).toBeCloseTo(2 / 3, 12);
    expect(Array.from(stats.intervals[0]!)).toEqual([1, 0.5]);
    expect(Array.from(stats.intervals[1]!)).toEqual([0.5, 1.5]);
    expect(stats.meanInterval[0]).toBeCloseTo(0.75, 12);
    expect(stats.meanInterval[1]).toBeCloseTo(1, 12);
    // Mode 0 is on at the first sample: that visit is not an activation.
    expect(stats.switchingRate[0]).toBeCloseTo(0.4, 12);
    expect(stats.switchingRate[1]).toBeCloseTo(0.6, 12);
  });

  it('gives zeros for a mode never on and one lifetime for a mode always on', () => {
    const stats = summaryStatistics(
      interleave([
        [0, 0, 0, 0],
        [1, 1, 1, 1],
      ]),
      2,
      4,
    );
    expect(Array.from(stats.fractionalOccupancy)).toEqual([0, 1]);
    expect(Array.from(stats.meanLifetime)).toEqual([0, 1]);
    expect(Array.from(stats.meanInterval)).toEqual([0, 0]);
    expect(Array.from(stats.switchingRate)).toEqual([0, 0]);
  });

  it('agrees with run lengths found by regular expressions on random state time courses', () => {
    const rng = new SeededRandom(12);
    for (let trial = 0; trial < 20; trial++) {
      const nModes = 2 + rng.integerBelow(4);
      const n = 50 + rng.integerBelow(400);
      const fs = 100 + rng.integerBelow(200);
      const columns: number[][] = [];
      for (let k = 0; k < nModes; k++) {
        const p = 0.05 + 0.3 * rng.uniform();
        let on = rng.uniform() < 0.5 ? 1 : 0;
        columns.push(Array.from({ length: n }, () => (rng.uniform() < p ? (on = 1 - on) : on)));
      }
      const stats = summaryStatistics(interleave(columns), nModes, fs);
      columns.forEach((column, k) => {
        const runs = runsByRegex(column);
        const lifetimes = runs.map((r) => (r.end - r.start) / fs);
        const intervals = runs.slice(1).map((r, i) => (r.start - runs[i]!.end) / fs);
        const activations = runs.filter((r) => r.start > 0).length;
        const occupancy = column.filter((v) => v === 1).length / n;
        const meanOf = (xs: number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
        expect(stats.fractionalOccupancy[k]).toBeCloseTo(occupancy, 12);
        expect(Array.from(stats.lifetimes[k]!)).toEqual(lifetimes);
        expect(Array.from(stats.intervals[k]!)).toEqual(intervals);
        expect(stats.meanLifetime[k]).toBeCloseTo(meanOf(lifetimes), 12);
        expect(stats.meanInterval[k]).toBeCloseTo(meanOf(intervals), 12);
        expect(stats.switchingRate[k]).toBeCloseTo((activations * fs) / n, 10);
      });
    }
  });

  it('refuses non-binary states, NaN, a bad sampling rate and a single mode', () => {
    expect(() => summaryStatistics(new Uint8Array([0, 2]), 2, 1)).toThrow(/holds only 0 and 1/);
    expect(() => summaryStatistics(new Float32Array([0, 0.5]), 2, 1)).toThrow(/holds only 0 and 1/);
    expect(() => summaryStatistics(new Float32Array([0, Number.NaN]), 2, 1)).toThrow(/NaN/);
    expect(() => summaryStatistics(new Uint8Array([0, 1]), 2, 0)).toThrow(/samplingRate/);
    expect(() => summaryStatistics(new Uint8Array([0, 1]), 2, Number.NaN)).toThrow(/samplingRate/);
    expect(() => summaryStatistics(new Uint8Array([0, 1]), 1, 1)).toThrow(/nModes/);
    expect(() => summaryStatistics(new Uint8Array([0, 1, 1]), 2, 1)).toThrow(/not a multiple/);
    expect(() => summaryStatistics(new Uint8Array([]), 2, 1)).toThrow(/empty/);
  });
});
