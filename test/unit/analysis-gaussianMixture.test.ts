import { describe, expect, it } from 'vitest';
import { AnalysisInputError } from '../../src-main/analysis/errors';
import { digamma, logGamma } from '../../src-main/analysis/specialFunctions';
import {
  defaultGaussianMixturePriors,
  fitTwoComponentGaussianMixture,
  gaussianMixtureElbo,
  type ComponentPosterior,
} from '../../src-main/analysis/variationalGaussianMixture';
import { SeededRandom } from '../../src-main/numerics/random';

function mixtureSample(
  seed: number,
  n: number,
  weightHigh: number,
  low: [number, number],
  high: [number, number],
): Float64Array {
  const rng = new SeededRandom(seed);
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const [mean, sd] = rng.uniform() < weightHigh ? high : low;
    x[i] = mean + sd * rng.normal();
  }
  return x;
}

describe('special functions', () => {
  it('logGamma matches known values', () => {
    expect(logGamma(1)).toBeCloseTo(0, 14);
    expect(logGamma(2)).toBeCloseTo(0, 14);
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 13);
    expect(logGamma(10)).toBeCloseTo(Math.log(362880), 12);
    expect(logGamma(0.1)).toBeCloseTo(2.252712651734206, 12);
    expect(logGamma(150.5)).toBeCloseTo(602.5139548705855, 9);
  });

  it('digamma matches known values and the derivative of logGamma', () => {
    const eulerGamma = 0.5772156649015329;
    expect(digamma(1)).toBeCloseTo(-eulerGamma, 13);
    expect(digamma(0.5)).toBeCloseTo(-eulerGamma - 2 * Math.log(2), 13);
    expect(digamma(10)).toBeCloseTo(2.251752589066721, 13);
    for (const x of [0.3, 1.7, 3.7, 12.2, 80]) {
      const h = 1e-5;
      const numeric = (logGamma(x + h) - logGamma(x - h)) / (2 * h);
      expect(digamma(x)).toBeCloseTo(numeric, 7);
    }
  });

  it('refuses non-positive arguments', () => {
    expect(() => logGamma(0)).toThrow(RangeError);
    expect(() => digamma(-1)).toThrow(RangeError);
    expect(() => digamma(Number.NaN)).toThrow(RangeError);
  });
});

describe('two-component Gaussian mixture by CAVI', () => {
  it('recovers well-separated components', () => {
    const x = mixtureSample(1, 5000, 0.3, [-1, 0.3], [1.5, 0.5]);
    const fit = fitTwoComponentGaussianMixture(x);
    expect(fit.converged).toBe(true);
    const [low, high] = fit.components;
    expect(low.mean).toBeCloseTo(-1, 1);
    expect(high.mean).toBeCloseTo(1.5, 1);
    expect(Math.sqrt(low.precisionRate / low.precisionShape)).toBeCloseTo(0.3, 1);
    expect(Math.sqrt(high.precisionRate / high.precisionShape)).toBeCloseTo(0.5, 1);
    const weightHigh = high.weightConcentration / (high.weightConcentration + low.weightConcentration);
    expect(Math.abs(weightHigh - 0.3)).toBeLessThan(0.02);
    // Samples far on either side are confidently assigned.
    const order = Array.from(x.keys()).sort((a, b) => x[a]! - x[b]!);
    expect(fit.responsibilityHigh[order[0]!]!).toBeLessThan(1e-6);
    expect(fit.responsibilityHigh[order[order.length - 1]!]!).toBeGreaterThan(1 - 1e-6);
  });

  it('never decreases the ELBO, on easy, overlapping and lopsided data', () => {
    const datasets = [
      mixtureSample(2, 2000, 0.5, [0, 1], [3, 1]),
      mixtureSample(3, 2000, 0.4, [0, 1], [0.8, 1.5]),
      mixtureSample(4, 3000, 0.05, [-0.2, 0.4], [2.5, 0.8]),
      mixtureSample(5, 500, 0.5, [0, 1], [0, 1]),
    ];
    for (const x of datasets) {
      const fit = fitTwoComponentGaussianMixture(x, { tolerance: 1e-13, recordEveryUpdate: true });
      expect(fit.elboHistory.length).toBeGreaterThan(2);
      for (let i = 1; i < fit.elboHistory.length; i++) {
        const step = fit.elboHistory[i]! - fit.elboHistory[i - 1]!;
        expect(step).toBeGreaterThanOrEqual(-1e-9 * Math.abs(fit.elboHistory[i]!));
      }
      expect(fit.elbo).toBe(fit.elboHistory[fit.elboHistory.length - 1]);
    }
  });

  it('computes the ELBO that a Monte Carlo estimate over q gives, at and away from the optimum', () => {
    const x = mixtureSample(6, 300, 0.3, [-1, 0.3], [1.5, 0.5]);
    const fit = fitTwoComponentGaussianMixture(x);
    const priors = defaultGaussianMixturePriors;
    const logNormal = (v: number, mean: number, precision: number): number =>
      0.5 * Math.log(precision / (2 * Math.PI)) - 0.5 * precision * (v - mean) ** 2;
    const logGammaDensity = (t: number, shape: number, rate: number): number =>
      shape * Math.log(rate) - logGamma(shape) + (shape - 1) * Math.log(t) - rate * t;
    const logDirichlet2 = (p: [number, number], a: [number, number]): number =>
      logGamma(a[0] + a[1]) -
      logGamma(a[0]) -
      logGamma(a[1]) +
      (a[0] - 1) * Math.log(p[0]) +
      (a[1] - 1) * Math.log(p[1]);

    /** Mean and standard error of log p(x, z, π, μ, τ) − log q over q (z summed exactly). */
    const monteCarloElbo = (
      comps: readonly ComponentPosterior[],
      r1: ArrayLike<number>,
      seed: number,
    ): { mean: number; standardError: number } => {
      let entropyZ = 0;
      for (let i = 0; i < x.length; i++) {
        const r = r1[i]!;
        if (r > 0) entropyZ -= r * Math.log(r);
        if (r < 1) entropyZ -= (1 - r) * Math.log(1 - r);
      }
      const rng = new SeededRandom(seed);
      const samples = 20000;
      const values: number[] = [];
      for (let s = 0; s < samples; s++) {
        const g0 = rng.gamma(comps[0]!.weightConcentration, 1);
        const g1 = rng.gamma(comps[1]!.weightConcentration, 1);
        const pi: [number, number] = [g0 / (g0 + g1), g1 / (g0 + g1)];
        let value =
          entropyZ +
          logDirichlet2(pi, [priors.dirichletConcentration, priors.dirichletConcentration]) -
          logDirichlet2(pi, [comps[0]!.weightConcentration, comps[1]!.weightConcentration]);
        const mu: number[] = [];
        const tau: number[] = [];
        for (const c of comps) {
          const t = rng.gamma(c.precisionShape, 1 / c.precisionRate);
          const m = c.mean + rng.normal() / Math.sqrt(c.meanStrength * t);
          tau.push(t);
          mu.push(m);
          value +=
            logGammaDensity(t, priors.precisionShape, priors.precisionRate) +
            logNormal(m, priors.meanPrior, priors.meanPriorStrength * t) -
            logGammaDensity(t, c.precisionShape, c.precisionRate) -
            logNormal(m, c.mean, c.meanStrength * t);
        }
        for (let i = 0; i < x.length; i++) {
          const r = r1[i]!;
          value += (1 - r) * (Math.log(pi[0]) + logNormal(x[i]!, mu[0]!, tau[0]!));
          value += r * (Math.log(pi[1]) + logNormal(x[i]!, mu[1]!, tau[1]!));
        }
        values.push(value);
      }
      const mean = values.reduce((a, b) => a + b, 0) / samples;
      const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / (samples - 1);
      return { mean, standardError: Math.sqrt(variance / samples) };
    };

    // At the CAVI fixed point q(θ) ∝ exp E_z[log p(x, z, θ)], so the integrand is constant in θ.
    const atOptimum = monteCarloElbo(fit.components, fit.responsibilityHigh, 7);
    expect(atOptimum.standardError).toBeLessThan(1e-3);
    expect(Math.abs(fit.elbo - atOptimum.mean)).toBeLessThan(1e-6 * Math.abs(fit.elbo));
    expect(gaussianMixtureElbo(x, fit.responsibilityHigh, fit.components)).toBeCloseTo(fit.elbo, 6);

    // Away from it the integrand varies; the closed form must still agree within the noise.
    const nudged = fit.components.map((c, k) => ({
      ...c,
      mean: c.mean + (k === 0 ? 0.03 : -0.04),
      meanStrength: c.meanStrength * 0.8,
      precisionShape: c.precisionShape * 1.3,
      weightConcentration: c.weightConcentration * 0.7,
    })) as [ComponentPosterior, ComponentPosterior];
    const responsibilities = fit.responsibilityHigh.map((r) => 0.9 * r + 0.05);
    const away = monteCarloElbo(nudged, responsibilities, 8);
    const closedForm = gaussianMixtureElbo(x, responsibilities, nudged);
    expect(away.standardError).toBeGreaterThan(1e-3);
    expect(away.standardError).toBeLessThan(0.5);
    expect(Math.abs(closedForm - away.mean)).toBeLessThan(5 * away.standardError);
    expect(closedForm).toBeLessThan(fit.elbo);
  });

  it('stops at a stationary point: nudging any variational parameter lowers the ELBO', () => {
    const x = mixtureSample(8, 1000, 0.4, [0, 0.5], [2, 0.7]);
    const fit = fitTwoComponentGaussianMixture(x, { tolerance: 1e-14 });
    const base = gaussianMixtureElbo(x, fit.responsibilityHigh, fit.components);
    const keys = ['weightConcentration', 'mean', 'meanStrength', 'precisionShape', 'precisionRate'] as const;
    for (const which of [0, 1]) {
      for (const key of keys) {
        for (const factor of [0.99, 1.01]) {
          const nudged = fit.components.map((c) => ({ ...c })) as [ComponentPosterior, ComponentPosterior];
          nudged[which]![key] =
            key === 'mean' ? nudged[which]![key] + (factor - 1) : nudged[which]![key] * factor;
          expect(gaussianMixtureElbo(x, fit.responsibilityHigh, nudged)).toBeLessThan(base);
        }
      }
    }
  });

  it('keeps the best of its starts', () => {
    const x = mixtureSample(10, 3000, 0.1, [0, 1], [2.5, 0.6]);
    const fit = fitTwoComponentGaussianMixture(x);
    for (const q of [0.5, 0.75, 0.9]) {
      const single = fitTwoComponentGaussianMixture(x, { startQuantiles: [q] });
      expect(single.start).toBe(q);
      expect(fit.elbo).toBeGreaterThanOrEqual(single.elbo - 1e-6 * Math.abs(single.elbo));
    }
  });

  it('is deterministic', () => {
    const x = mixtureSample(9, 800, 0.2, [0, 1], [2, 1]);
    const a = fitTwoComponentGaussianMixture(x);
    const b = fitTwoComponentGaussianMixture(x);
    expect(a.elbo).toBe(b.elbo);
    expect(Array.from(a.responsibilityHigh)).toEqual(Array.from(b.responsibilityHigh));
  });

  it('refuses unusable input with specific errors', () => {
    expect(() => fitTwoComponentGaussianMixture([1])).toThrow(/at least 2 samples/);
    expect(() => fitTwoComponentGaussianMixture([1, Number.NaN, 2])).toThrow(/entry 1 is NaN/);
    expect(() => fitTwoComponentGaussianMixture([3, 3, 3])).toThrow(/nothing to split/);
    expect(() => fitTwoComponentGaussianMixture([1, 2], { priors: { precisionRate: 0 } })).toThrow(
      AnalysisInputError,
    );
    expect(() => fitTwoComponentGaussianMixture([1, 2], { startQuantiles: [1] })).toThrow(/startQuantiles/);
    expect(() => fitTwoComponentGaussianMixture([1, 2], { maxIterations: 0 })).toThrow(/maxIterations/);
  });
});
