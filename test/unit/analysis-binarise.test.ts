import { describe, expect, it } from 'vitest';
import { argmaxBinarise, gmmBinarise } from '../../src-main/analysis/binarise';
import { AnalysisInputError } from '../../src-main/analysis/errors';
import { dice } from '../../src-main/analysis/modeMatching';
import { reweightAlphas } from '../../src-main/analysis/reweightAlphas';
import { SeededRandom } from '../../src-main/numerics/random';

/** Blocky states (geometric visit lengths) and α = softmax(gain · one-hot + noise). */
function blockyAlpha(seed: number, nSamples: number, nModes: number, gain: number) {
  const rng = new SeededRandom(seed);
  const states = new Uint8Array(nSamples * nModes);
  const alpha = new Float32Array(nSamples * nModes);
  let state = 0;
  for (let t = 0; t < nSamples; t++) {
    if (rng.uniform() < 0.02) state = rng.integerBelow(nModes);
    states[t * nModes + state] = 1;
    let sum = 0;
    const row: number[] = [];
    for (let k = 0; k < nModes; k++) {
      const v = Math.exp((k === state ? gain : 0) + 0.5 * rng.normal());
      row.push(v);
      sum += v;
    }
    for (let k = 0; k < nModes; k++) alpha[t * nModes + k] = row[k]! / sum;
  }
  return { states, alpha };
}

describe('reweightAlphas', () => {
  it('weights by covariance trace and renormalises', () => {
    const alpha = new Float32Array([0.5, 0.5, 0.2, 0.8]);
    // Mode 0: diag(1, 2) (trace 3); mode 1: diag(0.5, 0.5) with off-diagonals (trace 1).
    const covariances = new Float64Array([1, 0.3, 0.3, 2, 0.5, 0.1, 0.1, 0.5]);
    const out = reweightAlphas(alpha, 2, covariances);
    expect(out[0]).toBeCloseTo(0.75, 6);
    expect(out[1]).toBeCloseTo(0.25, 6);
    expect(out[2]).toBeCloseTo(0.6 / 1.4, 6);
    expect(out[3]).toBeCloseTo(0.8 / 1.4, 6);
  });

  it('leaves α unchanged when every covariance has the same trace', () => {
    const alpha = new Float32Array([0.1, 0.6, 0.3, 0.3, 0.3, 0.4]);
    const covariances = new Float64Array([2, 0, 0, 2, 1, 0, 0, 3, 3.5, 0.2, 0.2, 0.5]);
    const out = reweightAlphas(alpha, 3, covariances);
    for (let i = 0; i < alpha.length; i++) expect(out[i]).toBeCloseTo(alpha[i]!, 6);
  });

  it('refuses bad shapes and values with specific errors', () => {
    const alpha = new Float32Array([0.5, 0.5]);
    expect(() => reweightAlphas(alpha, 2, new Float64Array(7))).toThrow(/not nModes × C × C/);
    expect(() => reweightAlphas(alpha, 2, new Float64Array([1, 0, 0, -1, 1, 0, 0, 1]))).toThrow(
      /mode 0 has diagonal entry 1 = -1/,
    );
    expect(() => reweightAlphas(new Float32Array([0.5, Number.NaN]), 2, new Float64Array([1, 1]))).toThrow(
      /sample 0, column 1 is NaN/,
    );
    expect(() => reweightAlphas(new Float32Array([1, 2, 3]), 1, new Float64Array([1]))).toThrow(/nModes/);
    expect(() => reweightAlphas(new Float32Array([1, 2, 3]), 2, new Float64Array([1, 1]))).toThrow(
      /not a multiple of 2/,
    );
    expect(() => reweightAlphas(new Float32Array([-0.1, 1.1]), 2, new Float64Array([1, 1]))).toThrow(
      /negative/,
    );
    expect(() => reweightAlphas(new Float32Array([0, 0]), 2, new Float64Array([1, 1]))).toThrow(
      /all coefficients zero/,
    );
    expect(() => reweightAlphas(new Float32Array([0, 0]), 2, new Float64Array([1, 1]))).toThrow(
      AnalysisInputError,
    );
  });
});

describe('argmaxBinarise', () => {
  it('marks the largest coefficient, the first on ties', () => {
    const alpha = new Float32Array([0.2, 0.5, 0.3, 0.4, 0.4, 0.2, 0.1, 0.1, 0.8]);
    expect(Array.from(argmaxBinarise(alpha, 3))).toEqual([0, 1, 0, 1, 0, 0, 0, 0, 1]);
  });

  it('refuses NaN and a single mode', () => {
    expect(() => argmaxBinarise(new Float32Array([0.2, Number.NaN]), 2)).toThrow(/NaN/);
    expect(() => argmaxBinarise(new Float32Array([1, 1]), 1)).toThrow(/nModes: must be an integer ≥ 2/);
  });
});

describe('gmmBinarise', () => {
  it('recovers the active mode of blocky mixing coefficients', () => {
    const { states, alpha } = blockyAlpha(3, 6000, 3, 3);
    const result = gmmBinarise(alpha, 3);
    const scores = dice(result.states, states, 3);
    for (const d of scores.perMode) expect(d).toBeGreaterThan(0.95);
    for (const mode of result.modes) {
      expect(mode.fit).not.toBeNull();
      expect(mode.fit!.converged).toBe(true);
    }
  });

  it('puts the threshold where equal, equally weighted components cross', () => {
    const rng = new SeededRandom(4);
    const n = 8000;
    const alpha = new Float32Array(n * 2);
    for (let t = 0; t < n; t++) {
      const a = (t % 2 === 0 ? 0.3 : 0.5) + 0.05 * rng.normal();
      alpha[t * 2] = a;
      alpha[t * 2 + 1] = 1 - a;
    }
    const result = gmmBinarise(alpha, 2, { logitTransform: false });
    expect(result.modes[0]!.threshold).toBeGreaterThan(0.39);
    expect(result.modes[0]!.threshold).toBeLessThan(0.41);
    expect(result.modes[1]!.threshold).toBeGreaterThan(0.59);
    expect(result.modes[1]!.threshold).toBeLessThan(0.61);
  });

  it('is monotone: on exactly at or above the threshold, which passes responsibility 0.5', () => {
    const { alpha } = blockyAlpha(5, 3000, 4, 2);
    const result = gmmBinarise(alpha, 4);
    for (let k = 0; k < 4; k++) {
      const { threshold, fit } = result.modes[k]!;
      let onCount = 0;
      for (let t = 0; t < 3000; t++) {
        const a = alpha[t * 4 + k]!;
        const on = result.states[t * 4 + k] === 1;
        if (on) onCount++;
        expect(on).toBe(a >= threshold);
        if (a === threshold) expect(fit!.responsibilityHigh[t]!).toBeGreaterThan(0.5);
      }
      expect(onCount).toBeGreaterThan(300);
      expect(onCount).toBeLessThan(2000);
    }
  });

  it('can decide sample by sample on the responsibility instead', () => {
    const { alpha } = blockyAlpha(6, 2000, 3, 2);
    const result = gmmBinarise(alpha, 3, { decision: 'responsibility' });
    for (let k = 0; k < 3; k++) {
      const fit = result.modes[k]!.fit!;
      for (let t = 0; t < 2000; t++) {
        expect(result.states[t * 3 + k]).toBe(fit.responsibilityHigh[t]! > 0.5 ? 1 : 0);
      }
    }
    expect(() => gmmBinarise(alpha, 3, { decision: 'median' as 'threshold' })).toThrow(/decision/);
  });

  it('leaves a constant mode off throughout', () => {
    const alpha = new Float32Array([0.5, 0.5, 0, 0.5, 0.2, 0.3, 0.5, 0.4, 0.1, 0.5, 0.1, 0.4]);
    const result = gmmBinarise(alpha, 3);
    expect(result.modes[0]!.fit).toBeNull();
    expect(result.modes[0]!.threshold).toBe(Infinity);
    for (let t = 0; t < 4; t++) expect(result.states[t * 3]).toBe(0);
  });

  it('refuses coefficients outside [0, 1] for the logit, a bad clamp and too few samples', () => {
    expect(() => gmmBinarise(new Float32Array([1.5, 0, 0.5, 0.5]), 2)).toThrow(/> 1; the logit/);
    expect(() => gmmBinarise(new Float32Array([0.5, 0.5, 0.2, 0.8]), 2, { logitClamp: 0.5 })).toThrow(
      /logitClamp/,
    );
    expect(() => gmmBinarise(new Float32Array([0.5, 0.5]), 2)).toThrow(/at least 2 samples/);
  });
});
