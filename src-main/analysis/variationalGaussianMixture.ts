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
  /**
   * The ELBO of the chosen start after every sweep, or after every block update (globals, then
   * responsibilities) with `recordEveryUpdate`.
   */
  elboHistory: number[];
  iterations: number;
  converged: boolean;
  /** The quantile whose hard split started the chosen run (or 'midrange' for the fallback). */
  start: number | 'midrange';
}

export interface TwoComponentFitOptions {
  priors?: Partial<GaussianMixturePriors>;
  maxIterations?: number;
  /** Stop when one sweep changes the ELBO by less than tolerance · max(1, |ELBO|) (default 1e-8). */
  tolerance?: number;
  /**
   * Also record the ELBO between the global and the local update of each sweep (one more pass
   * over the data per sweep; for checking that every block update is an ascent step).
   */
  recordEveryUpdate?: boolean;
  /**
   * Each start splits the data at this quantile; after a few sweeps each, the start with the
   * highest ELBO is run to convergence.
   */
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

/**
 * The global factors from responsibilities (index 0 and 1 in fitting order, not yet sorted), from
 * the weighted sums Σ r, Σ r x, Σ r x² in one pass: the data are standardised, so the scatter
 * Σ r x² − N x̄² loses nothing to cancellation that matters here.
 */
function updateGlobals(
  x: Float64Array,
  rHigh: Float64Array,
  priors: GaussianMixturePriors,
): [ComponentPosterior, ComponentPosterior] {
  const n = x.length;
  let n1 = 0;
  let sum = 0;
  let sumSq = 0;
  let sum1 = 0;
  let sumSq1 = 0;
  for (let i = 0; i < n; i++) {
    const r = rHigh[i]!;
    const v = x[i]!;
    const rv = r * v;
    n1 += r;
    sum += v;
    sumSq += v * v;
    sum1 += rv;
    sumSq1 += rv * v;
  }
  const n0 = n - n1;
  const sum0 = sum - sum1;
  const sumSq0 = sumSq - sumSq1;
  const one = (count: number, total: number, totalSq: number): ComponentPosterior => {
    const mean = count > 0 ? total / count : 0;
    const scatter = Math.max(0, totalSq - count * mean * mean);
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
  return [one(n0, sum0, sumSq0), one(n1, sum1, sumSq1)];
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

/**
 * Sets r_n1 = ρ_n1 / (ρ_n0 + ρ_n1) and returns Σ_n log(ρ_n0 + ρ_n1), which is the local part of
 * the ELBO, Σ_nk r_nk (log ρ_nk − log r_nk), at exactly these responsibilities.
 */
function updateResponsibilities(
  x: Float64Array,
  components: readonly ComponentPosterior[],
  rHigh: Float64Array,
): number {
  const [o0, o1] = logRhoOffsets(components);
  const [c0, c1] = components as [ComponentPosterior, ComponentPosterior];
  const e0 = c0.precisionShape / c0.precisionRate;
  const e1 = c1.precisionShape / c1.precisionRate;
  let local = 0;
  for (let i = 0; i < x.length; i++) {
    const d0 = x[i]! - c0.mean;
    const d1 = x[i]! - c1.mean;
    const logRho0 = o0 - 0.5 * e0 * d0 * d0;
    const logRho1 = o1 - 0.5 * e1 * d1 * d1;
    // Evaluated around the larger term so that neither exp overflows nor the sum underflows.
    const diff = logRho0 - logRho1;
    const small = Math.exp(-Math.abs(diff));
    rHigh[i] = diff > 0 ? small / (1 + small) : 1 / (1 + small);
    local += Math.max(logRho0, logRho1) + Math.log1p(small);
  }
  return local;
}

function globalKl(
  components: readonly [ComponentPosterior, ComponentPosterior],
  priors: GaussianMixturePriors,
): number {
  const [c0, c1] = components;
  return (
    klDirichlet([c0.weightConcentration, c1.weightConcentration], priors.dirichletConcentration) +
    klNormalGamma(c0, priors) +
    klNormalGamma(c1, priors)
  );
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
  return local - globalKl(components, resolved);
}

/** One start's state: everything CAVI needs to continue, since the globals follow from rHigh. */
interface Run {
  label: number | 'midrange';
  rHigh: Float64Array;
  components: [ComponentPosterior, ComponentPosterior] | null;
  elboHistory: number[];
  lastSweepElbo: number;
  iterations: number;
  converged: boolean;
}

/** Continues a run for up to `sweeps` more sweeps, or until it converges. */
function continueCavi(
  x: Float64Array,
  run: Run,
  priors: GaussianMixturePriors,
  sweeps: number,
  tolerance: number,
  recordEveryUpdate: boolean,
): void {
  for (let s = 0; s < sweeps && !run.converged; s++) {
    run.iterations++;
    const components = updateGlobals(x, run.rHigh, priors);
    if (recordEveryUpdate) {
      run.elboHistory.push(gaussianMixtureElbo(x, run.rHigh, components, priors));
    }
    const elbo = updateResponsibilities(x, components, run.rHigh) - globalKl(components, priors);
    run.elboHistory.push(elbo);
    run.components = components;
    if (Math.abs(elbo - run.lastSweepElbo) <= tolerance * Math.max(1, Math.abs(elbo))) {
      run.converged = true;
    }
    run.lastSweepElbo = elbo;
  }
}

/** Every start gets this many sweeps; only the best of them then runs to convergence. */
const screeningSweeps = 30;

export function fitTwoComponentGaussianMixture(
  values: ArrayLike<number>,
  options: TwoComponentFitOptions = {},
): TwoComponentFit {
  const priors = resolvePriors(options.priors);
  const maxIterations = options.maxIterations ?? 1000;
  const tolerance = options.tolerance ?? 1e-8;
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

  const record = options.recordEveryUpdate ?? false;
  const runs: Run[] = starts.map(({ split, label }) => {
    const rHigh = new Float64Array(n);
    for (let i = 0; i < n; i++) rHigh[i] = x[i]! > split ? 1 : 0;
    return {
      label,
      rHigh,
      components: null,
      elboHistory: [],
      lastSweepElbo: -Infinity,
      iterations: 0,
      converged: false,
    };
  });
  // Screening keeps multi-start affordable: CAVI's basin is settled long before it converges.
  for (const run of runs) {
    continueCavi(x, run, priors, Math.min(screeningSweeps, maxIterations), tolerance, record);
  }
  let best = runs[0]!;
  for (const run of runs) if (run.lastSweepElbo > best.lastSweepElbo) best = run;
  continueCavi(x, best, priors, maxIterations - best.iterations, tolerance, record);
  const chosen = best;
  let [low, high] = chosen.components!;
  let responsibilityHigh = chosen.rHigh;
  if (low.mean > high.mean) {
    [low, high] = [high, low];
    responsibilityHigh = responsibilityHigh.map((r) => 1 - r);
  }
  return {
    components: [low, high],
    responsibilityHigh,
    elbo: chosen.lastSweepElbo,
    elboHistory: chosen.elboHistory,
    iterations: chosen.iterations,
    converged: chosen.converged,
    start: chosen.label,
  };
}
