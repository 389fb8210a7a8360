/**
 * A two-component one-dimensional Gaussian mixture fitted by coordinate-ascent variational
 * inference (CAVI), used to split a mode's (logit, standardised) time course into "off" and "on".
 *
 * Model (the conjugate mixture of the course notes in the seeds, 003: the "GMM light" exercise
 * with the Dirichlet weight prior of the mixture exercises and the Normal-Gamma prior of the
 * troll-factory exercise, here with Gaussian rather than log-normal observations):
 *   π ~ Dirichlet(α0, α0)
 *   τ_k ~ Gamma(a0, rate b0),  μ_k | τ_k ~ Normal(m0, 1 / (β0 τ_k))
 *   z_n | π ~ Categorical(π),  x_n | z_n = k ~ Normal(μ_k, 1 / τ_k)
 * Mean-field family q(z) q(π) Π_k q(μ_k, τ_k). Taking E_{−v}[log p(x, z, π, μ, τ)] for each
 * block v gives conjugate updates (N_k = Σ_n r_nk, x̄_k = Σ_n r_nk x_n / N_k,
 * S_k = Σ_n r_nk (x_n − x̄_k)² / N_k):
 *   q(π) = Dirichlet(α0 + N_1, α0 + N_2)
 *   q(μ_k, τ_k) = NormalGamma(m_k, β_k, a_k, b_k) with β_k = β0 + N_k,
 *     m_k = (β0 m0 + N_k x̄_k) / β_k, a_k = a0 + N_k / 2,
 *     b_k = b0 + ½ (N_k S_k + β0 N_k (x̄_k − m0)² / β_k)
 *   q(z_n = k) = r_nk ∝ exp(log ρ_nk) with log ρ_nk = E[log π_k] + ½ E[log τ_k] − ½ log 2π
 *     − ½ (1/β_k + E[τ_k] (x_n − m_k)²), E[log π_k] = ψ(α_k) − ψ(α_1 + α_2),
 *     E[log τ_k] = ψ(a_k) − log b_k, E[τ_k] = a_k / b_k.
 * ELBO = Σ_n Σ_k r_nk (log ρ_nk − log r_nk) − KL(q(π) ‖ p(π)) − Σ_k KL(q(μ_k, τ_k) ‖ p(μ_k, τ_k)),
 * because E_q[log p(x, z | π, μ, τ)] − E_q[log q(z)] is exactly the first sum and the remaining
 * terms of the ELBO are the (negative) KL divergences of the global factors from their priors.
 * Each block update maximises the ELBO in that block, so the ELBO never decreases.
 *
 * Priors: the defaults assume standardised data (mean 0, variance 1), which is how binarisation
 * calls this. α0 = 1 is uniform over the weights; m0 = 0, β0 = 0.01 leaves the means free
 * (a hundredth of an observation's weight); a0 = 1, b0 = 0.1 expresses a weak belief (two
 * pseudo-observations) that a component's variance is around a tenth of the total, which keeps a
 * component from collapsing onto a few identical values without biasing well-populated ones.
 */
import { AnalysisInputError } from './errors';
import { digamma, logGamma } from './specialFunctions';

export interface GaussianMixturePriors {
  dirichletConcentration: number;
  meanPrior: number;
  meanPriorStrength: number;
  precisionShape: number;
  precisionRate: number;
}

export const defaultGaussianMixturePriors: Readonly<GaussianMixturePriors> = Object.freeze({
  dirichletConcentration: 1,
  meanPrior: 0,
  meanPriorStrength: 0.01,
  precisionShape: 1,
  precisionRate: 0.1,
});

/** q(π_k) marginal parameter and q(μ_k, τ_k) = NormalGamma(mean, meanStrength, precisionShape, precisionRate). */
export interface ComponentPosterior {
  weightConcentration: number;
  mean: number;
  meanStrength: number;
  precisionShape: number;
  precisionRate: number;
}

export interface TwoComponentFit {
  /** Ordered by posterior mean: [0] is the lower ("off") component, [1] the higher ("on"). */
  components: [ComponentPosterior, ComponentPosterior];
  /** q(z_n = higher component) for every sample. */
  responsibilityHigh: Float64Array;
  elbo: number;
  /** The ELBO after every block update (globals, then responsibilities) of the chosen start. */
  elboHistory: number[];
  iterations: number;
  converged: boolean;
  /** The quantile whose hard split started the chosen run (or 'midrange' for the fallback). */
  start: number | 'midrange';
}

export interface TwoComponentFitOptions {
  priors?: Partial<GaussianMixturePriors>;
  maxIterations?: number;
  /** Stop when one sweep changes the ELBO by less than tolerance · max(1, |ELBO|). */
  tolerance?: number;
  /** Each start splits the data at this quantile; the run with the highest ELBO wins. */
  startQuantiles?: readonly number[];
}

const halfLogTwoPi = 0.5 * Math.log(2 * Math.PI);

function resolvePriors(partial: Partial<GaussianMixturePriors> | undefined): GaussianMixturePriors {
  const priors = { ...defaultGaussianMixturePriors, ...partial };
  for (const key of [
    'dirichletConcentration',
    'meanPriorStrength',
    'precisionShape',
    'precisionRate',
  ] as const) {
    if (!Number.isFinite(priors[key]) || priors[key] <= 0) {
      throw new AnalysisInputError(`priors.${key}`, `must be a finite number > 0, got ${priors[key]}`);
    }
  }
  if (!Number.isFinite(priors.meanPrior)) {
    throw new AnalysisInputError('priors.meanPrior', `must be finite, got ${priors.meanPrior}`);
  }
  return priors;
}

/** The global factors from responsibilities (index 0 and 1 in fitting order, not yet sorted). */
function updateGlobals(
  x: Float64Array,
  rHigh: Float64Array,
  priors: GaussianMixturePriors,
): [ComponentPosterior, ComponentPosterior] {
  const n = x.length;
  let n1 = 0;
  let sum1 = 0;
  let sum0 = 0;
  for (let i = 0; i < n; i++) {
    const r = rHigh[i]!;
    n1 += r;
    sum1 += r * x[i]!;
    sum0 += (1 - r) * x[i]!;
  }
  const n0 = n - n1;
  const mean0 = n0 > 0 ? sum0 / n0 : 0;
  const mean1 = n1 > 0 ? sum1 / n1 : 0;
  let ss0 = 0;
  let ss1 = 0;
  for (let i = 0; i < n; i++) {
    const r = rHigh[i]!;
    const d0 = x[i]! - mean0;
    const d1 = x[i]! - mean1;
    ss0 += (1 - r) * d0 * d0;
    ss1 += r * d1 * d1;
  }
  const one = (count: number, mean: number, scatter: number): ComponentPosterior => {
    const beta = priors.meanPriorStrength + count;
    const offset = mean - priors.meanPrior;
    return {
      weightConcentration: priors.dirichletConcentration + count,
      meanStrength: beta,
      mean: (priors.meanPriorStrength * priors.meanPrior + count * mean) / beta,
      precisionShape: priors.precisionShape + count / 2,
      precisionRate:
        priors.precisionRate + 0.5 * (scatter + (priors.meanPriorStrength * count * offset * offset) / beta),
    };
  };
  return [one(n0, mean0, ss0), one(n1, mean1, ss1)];
}

/** log ρ_nk without the data term: E[log π_k] + ½ E[log τ_k] − ½ log 2π − 1 / (2 β_k). */
function logRhoOffsets(components: readonly ComponentPosterior[]): [number, number] {
  const [c0, c1] = components as [ComponentPosterior, ComponentPosterior];
  const digammaTotal = digamma(c0.weightConcentration + c1.weightConcentration);
  const offset = (c: ComponentPosterior): number =>
    digamma(c.weightConcentration) -
    digammaTotal +
    0.5 * (digamma(c.precisionShape) - Math.log(c.precisionRate)) -
    halfLogTwoPi -
    0.5 / c.meanStrength;
  return [offset(c0), offset(c1)];
}

function updateResponsibilities(
  x: Float64Array,
  components: readonly ComponentPosterior[],
  rHigh: Float64Array,
): void {
  const [o0, o1] = logRhoOffsets(components);
  const [c0, c1] = components as [ComponentPosterior, ComponentPosterior];
  const e0 = c0.precisionShape / c0.precisionRate;
  const e1 = c1.precisionShape / c1.precisionRate;
  for (let i = 0; i < x.length; i++) {
    const d0 = x[i]! - c0.mean;
    const d1 = x[i]! - c1.mean;
    const diff = o0 - 0.5 * e0 * d0 * d0 - (o1 - 0.5 * e1 * d1 * d1);
    // r_1 = 1 / (1 + exp(log ρ_0 − log ρ_1)), evaluated without overflow on either side.
    rHigh[i] = diff > 0 ? Math.exp(-diff) / (1 + Math.exp(-diff)) : 1 / (1 + Math.exp(diff));
  }
}

function klDirichlet(posterior: readonly number[], prior: number): number {
  let total = 0;
  for (const a of posterior) total += a;
  const k = posterior.length;
  const digammaTotal = digamma(total);
  let kl = logGamma(total) - logGamma(k * prior);
  for (const a of posterior) {
    kl += logGamma(prior) - logGamma(a) + (a - prior) * (digamma(a) - digammaTotal);
  }
  return kl;
}

/**
 * KL(NormalGamma(m, β, a, b) ‖ NormalGamma(m0, β0, a0, b0)) = KL of the Gamma marginals of τ plus
 * the expected KL of the conditional normals, E_τ[½ log(β/β0) + β0/(2β) + β0 τ (m − m0)²/2 − ½].
 */
function klNormalGamma(c: ComponentPosterior, priors: GaussianMixturePriors): number {
  const a = c.precisionShape;
  const b = c.precisionRate;
  const a0 = priors.precisionShape;
  const b0 = priors.precisionRate;
  const klGamma =
    (a - a0) * digamma(a) -
    logGamma(a) +
    logGamma(a0) +
    a0 * (Math.log(b) - Math.log(b0)) +
    (a * (b0 - b)) / b;
  const beta0 = priors.meanPriorStrength;
  const offset = c.mean - priors.meanPrior;
  const klMean =
    0.5 * Math.log(c.meanStrength / beta0) +
    beta0 / (2 * c.meanStrength) +
    0.5 * beta0 * (a / b) * offset * offset -
    0.5;
  return klGamma + klMean;
}

/**
 * The evidence lower bound of the mixture for responsibilities `responsibilityHigh` (of
 * components[1]) and global factors `components`, in the order they were fitted.
 */
export function gaussianMixtureElbo(
  x: ArrayLike<number>,
  responsibilityHigh: ArrayLike<number>,
  components: readonly [ComponentPosterior, ComponentPosterior],
  priors: Partial<GaussianMixturePriors> = {},
): number {
  const resolved = resolvePriors(priors);
  const [o0, o1] = logRhoOffsets(components);
  const [c0, c1] = components;
  const e0 = c0.precisionShape / c0.precisionRate;
  const e1 = c1.precisionShape / c1.precisionRate;
  let local = 0;
  for (let i = 0; i < x.length; i++) {
    const r1 = responsibilityHigh[i]!;
    const r0 = 1 - r1;
    const d0 = x[i]! - c0.mean;
    const d1 = x[i]! - c1.mean;
    if (r0 > 0) local += r0 * (o0 - 0.5 * e0 * d0 * d0 - Math.log(r0));
    if (r1 > 0) local += r1 * (o1 - 0.5 * e1 * d1 * d1 - Math.log(r1));
  }
  return (
    local -
    klDirichlet([c0.weightConcentration, c1.weightConcentration], resolved.dirichletConcentration) -
    klNormalGamma(c0, resolved) -
    klNormalGamma(c1, resolved)
  );
}

interface RunResult {
  components: [ComponentPosterior, ComponentPosterior];
  rHigh: Float64Array;
  elboHistory: number[];
  iterations: number;
  converged: boolean;
}

function runCavi(
  x: Float64Array,
  rHigh: Float64Array,
  priors: GaussianMixturePriors,
  maxIterations: number,
  tolerance: number,
): RunResult {
  const elboHistory: number[] = [];
  let components: [ComponentPosterior, ComponentPosterior] | null = null;
  let previous = -Infinity;
  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations) {
    iterations++;
    components = updateGlobals(x, rHigh, priors);
    elboHistory.push(gaussianMixtureElbo(x, rHigh, components, priors));
    updateResponsibilities(x, components, rHigh);
    const elbo = gaussianMixtureElbo(x, rHigh, components, priors);
    elboHistory.push(elbo);
    if (Math.abs(elbo - previous) <= tolerance * Math.max(1, Math.abs(elbo))) {
      converged = true;
      break;
    }
    previous = elbo;
  }
  return { components: components!, rHigh, elboHistory, iterations, converged };
}

export function fitTwoComponentGaussianMixture(
  values: ArrayLike<number>,
  options: TwoComponentFitOptions = {},
): TwoComponentFit {
  const priors = resolvePriors(options.priors);
  const maxIterations = options.maxIterations ?? 1000;
  const tolerance = options.tolerance ?? 1e-10;
  const quantiles = options.startQuantiles ?? [0.5, 0.75, 0.9];
  if (!Number.isInteger(maxIterations) || maxIterations < 1) {
    throw new AnalysisInputError('maxIterations', `must be a positive integer, got ${maxIterations}`);
  }
  if (!(tolerance >= 0) || !Number.isFinite(tolerance)) {
    throw new AnalysisInputError('tolerance', `must be a finite number ≥ 0, got ${tolerance}`);
  }
  for (const q of quantiles) {
    if (!(q > 0 && q < 1)) {
      throw new AnalysisInputError('startQuantiles', `each must lie strictly between 0 and 1, got ${q}`);
    }
  }
  const n = values.length;
  if (n < 2) throw new AnalysisInputError('values', `needs at least 2 samples, got ${n}`);
  const x = Float64Array.from(values);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(x[i]!)) {
      throw new AnalysisInputError('values', `entry ${i} is ${x[i]} (must be finite)`);
    }
  }
  const sorted = Float64Array.from(x).sort();
  const lowest = sorted[0]!;
  const highest = sorted[n - 1]!;
  if (lowest === highest) {
    throw new AnalysisInputError('values', `all ${n} samples equal ${lowest}; there is nothing to split`);
  }

  // Deterministic starts: hard splits at fixed quantiles, like k-means seeded by order statistics.
  const starts: { split: number; label: number | 'midrange' }[] = [];
  for (const q of quantiles) {
    const split = sorted[Math.floor(q * (n - 1))]!;
    if (split < highest) starts.push({ split, label: q });
  }
  if (starts.length === 0) starts.push({ split: 0.5 * (lowest + highest), label: 'midrange' });

  let best: (RunResult & { label: number | 'midrange' }) | null = null;
  for (const { split, label } of starts) {
    const rHigh = new Float64Array(n);
    for (let i = 0; i < n; i++) rHigh[i] = x[i]! > split ? 1 : 0;
    const run = runCavi(x, rHigh, priors, maxIterations, tolerance);
    const elbo = run.elboHistory[run.elboHistory.length - 1]!;
    if (best === null || elbo > best.elboHistory[best.elboHistory.length - 1]!) best = { ...run, label };
  }
  const chosen = best!;
  let [low, high] = chosen.components;
  let responsibilityHigh = chosen.rHigh;
  if (low.mean > high.mean) {
    [low, high] = [high, low];
    responsibilityHigh = responsibilityHigh.map((r) => 1 - r);
  }
  return {
    components: [low, high],
    responsibilityHigh,
    elbo: chosen.elboHistory[chosen.elboHistory.length - 1]!,
    elboHistory: chosen.elboHistory,
    iterations: chosen.iterations,
    converged: chosen.converged,
    start: chosen.label,
  };
}
