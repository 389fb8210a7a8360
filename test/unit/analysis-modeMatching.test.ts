import { describe, expect, it } from 'vitest';
import { minimumCostAssignment } from '../../src-main/analysis/linearAssignment';
import {
  alphaCorrelation,
  dice,
  matchModes,
  modeCorrelationMatrix,
  reorderModes,
} from '../../src-main/analysis/modeMatching';
import { SeededRandom } from '../../src-main/numerics/random';

function permutations(n: number): number[][] {
  if (n === 1) return [[0]];
  const out: number[][] = [];
  for (const p of permutations(n - 1)) {
    for (let i = 0; i <= p.length; i++) out.push([...p.slice(0, i), n - 1, ...p.slice(i)]);
  }
  return out;
}

function assignmentCost(cost: Float64Array, n: number, assignment: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < n; i++) total += cost[i * n + assignment[i]!]!;
  return total;
}

describe('minimumCostAssignment (Hungarian)', () => {
  it('finds the brute-force optimum for every size up to 7, ties included', () => {
    const rng = new SeededRandom(21);
    for (let n = 1; n <= 7; n++) {
      const all = permutations(n);
      for (let trial = 0; trial < 30; trial++) {
        const integer = trial % 3 === 0; // small integers make many ties
        const cost = Float64Array.from({ length: n * n }, () =>
          integer ? rng.integerBelow(4) : 10 * rng.normal(),
        );
        const assignment = minimumCostAssignment(cost, n);
        expect([...assignment].sort((a, b) => a - b)).toEqual([...Array(n).keys()]);
        let best = Infinity;
        for (const p of all) best = Math.min(best, assignmentCost(cost, n, p));
        expect(assignmentCost(cost, n, assignment)).toBeCloseTo(best, 9);
      }
    }
  });

  it('refuses bad shapes and non-finite costs', () => {
    expect(() => minimumCostAssignment(new Float64Array(3), 2)).toThrow(/expected 4 entries/);
    expect(() => minimumCostAssignment(new Float64Array([0, Infinity, 1, 2]), 2)).toThrow(/entry \(0, 1\)/);
    expect(() => minimumCostAssignment(new Float64Array(0), 0)).toThrow(/positive integer/);
  });
});

function randomAlpha(rng: SeededRandom, nSamples: number, nModes: number): Float32Array {
  const alpha = new Float32Array(nSamples * nModes);
  for (let t = 0; t < nSamples; t++) {
    let sum = 0;
    for (let k = 0; k < nModes; k++) sum += alpha[t * nModes + k] = Math.exp(2 * rng.normal());
    for (let k = 0; k < nModes; k++) alpha[t * nModes + k] = alpha[t * nModes + k]! / sum;
  }
  return alpha;
}

describe('mode matching and alpha correlation', () => {
  it('computes Pearson correlations', () => {
    const a = new Float64Array([1, 5, 2, 3, 3, 1, 4, 0]);
    const b = new Float64Array([2, 1, 4, 2, 6, 3, 8, 4]);
    const c = modeCorrelationMatrix(a, b, 2);
    // a[:,0] = 1..4 and b[:,0] = 2·(1..4): correlation 1; a[:,1] = 5,3,1,0 vs b[:,1] = 1,2,3,4.
    expect(c[0]).toBeCloseTo(1, 12);
    const x = [5, 3, 1, 0];
    const y = [1, 2, 3, 4];
    const mx = 2.25;
    const my = 2.5;
    const sxy = x.reduce((s, v, i) => s + (v - mx) * (y[i]! - my), 0);
    const sxx = x.reduce((s, v) => s + (v - mx) ** 2, 0);
    const syy = y.reduce((s, v) => s + (v - my) ** 2, 0);
    expect(c[3]).toBeCloseTo(sxy / Math.sqrt(sxx * syy), 12);
  });

  it('undoes a permutation of noisy modes', () => {
    const rng = new SeededRandom(22);
    const nModes = 6;
    const truth = randomAlpha(rng, 2000, nModes);
    const permutation = [3, 0, 5, 1, 4, 2];
    // estimated[:, j] = truth[:, permutation[j]] + noise.
    const estimated = new Float32Array(truth.length);
    for (let t = 0; t < 2000; t++) {
      for (let j = 0; j < nModes; j++) {
        estimated[t * nModes + j] = truth[t * nModes + permutation[j]!]! + 0.05 * Math.abs(rng.normal());
      }
    }
    const { order } = matchModes(estimated, truth, nModes);
    for (let k = 0; k < nModes; k++) expect(permutation[order[k]!]).toBe(k);
    const result = alphaCorrelation(estimated, truth, nModes);
    for (const c of result.perMode) expect(c).toBeGreaterThan(0.9);
    expect(result.mean).toBeCloseTo(result.perMode.reduce((a, b) => a + b, 0) / nModes, 12);
    const reordered = reorderModes(estimated, nModes, order);
    const direct = modeCorrelationMatrix(truth, reordered, nModes);
    for (let k = 0; k < nModes; k++) expect(direct[k * nModes + k]).toBeCloseTo(result.perMode[k]!, 6);
  });

  it('pairs a constant mode last instead of failing', () => {
    const rng = new SeededRandom(23);
    const truth = randomAlpha(rng, 500, 3);
    const estimated = new Float32Array(truth.length);
    for (let t = 0; t < 500; t++) {
      estimated[t * 3] = 0.2; // constant
      estimated[t * 3 + 1] = truth[t * 3 + 2]!;
      estimated[t * 3 + 2] = truth[t * 3]!;
    }
    const result = alphaCorrelation(estimated, truth, 3);
    expect(Array.from(result.order)).toEqual([2, 0, 1]);
    expect(result.perMode[0]).toBeCloseTo(1, 6);
    expect(Number.isNaN(result.perMode[1])).toBe(true);
    expect(result.perMode[2]).toBeCloseTo(1, 6);
  });

  it('refuses mismatched shapes, NaN and bad orders', () => {
    expect(() => matchModes(new Float32Array(6), new Float32Array(8), 2)).toThrow(/must match/);
    expect(() => matchModes(new Float32Array([0, 1, Number.NaN, 0]), new Float32Array(4), 2)).toThrow(/NaN/);
    expect(() => alphaCorrelation(new Float32Array(2), new Float32Array(2), 2)).toThrow(/at least 2 samples/);
    expect(() => reorderModes(new Float32Array(4), 2, [0, 0])).toThrow(/not a permutation/);
  });
});

describe('dice', () => {
  it('matches hand-counted per-mode and pooled overlaps', () => {
    const a = new Uint8Array([1, 0, 1, 1, 0, 1, 0, 0]);
    const b = new Uint8Array([1, 0, 0, 1, 0, 1, 1, 0]);
    const result = dice(a, b, 2);
    // Mode 0: a = 1,1,0,0 and b = 1,0,0,1 → 2·1 / (2 + 2). Mode 1: a = 0,1,1,0, b = 0,1,1,0 → 1.
    expect(result.perMode[0]).toBeCloseTo(0.5, 12);
    expect(result.perMode[1]).toBeCloseTo(1, 12);
    expect(result.overall).toBeCloseTo((2 * 3) / (4 + 4), 12);
  });

  it('is the fraction of agreeing samples for one-hot time courses, as osl-dynamics', () => {
    const rng = new SeededRandom(24);
    const n = 1000;
    const nModes = 4;
    const a = new Uint8Array(n * nModes);
    const b = new Uint8Array(n * nModes);
    let agree = 0;
    for (let t = 0; t < n; t++) {
      const sa = rng.integerBelow(nModes);
      const sb = rng.uniform() < 0.7 ? sa : rng.integerBelow(nModes);
      if (sa === sb) agree++;
      a[t * nModes + sa] = 1;
      b[t * nModes + sb] = 1;
    }
    expect(dice(a, b, nModes).overall).toBeCloseTo(agree / n, 12);
  });

  it('scores a mode off throughout in both as full agreement', () => {
    expect(Array.from(dice(new Uint8Array([1, 0, 1, 0]), new Uint8Array([1, 0, 1, 0]), 2).perMode)).toEqual([
      1, 1,
    ]);
  });

  it('refuses non-binary input and mismatched lengths', () => {
    expect(() => dice(new Float32Array([0.2, 0.8]), new Uint8Array([0, 1]), 2)).toThrow(/holds only 0 and 1/);
    expect(() => dice(new Uint8Array([0, 1]), new Uint8Array([0, 1, 1, 0]), 2)).toThrow(/must match/);
  });
});
