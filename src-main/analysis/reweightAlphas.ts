/**
 * Mixing coefficients reweighted by the size of each mode's covariance, as osl-dynamics'
 * `modes.reweight_alphas`: α_tk · tr(D_k), renormalised so each time point sums to one.
 *
 * Why: a mode with a small covariance needs a large α to contribute the same power as a mode with
 * a large covariance, so raw α overstates its share of the signal.
 */
import { AnalysisInputError } from './errors';
import { checkMixingCoefficients } from './inputChecks';

/** Traces of nModes stacked C × C covariances; C is inferred from the length. */
export function covarianceTraces(covariances: ArrayLike<number>, nModes: number): Float64Array {
  const perMode = covariances.length / nModes;
  const nChannels = Math.round(Math.sqrt(perMode));
  if (covariances.length === 0 || !Number.isInteger(perMode) || nChannels * nChannels !== perMode) {
    throw new AnalysisInputError(
      'covariances',
      `length ${covariances.length} is not nModes × C × C for nModes = ${nModes}`,
    );
  }
  const traces = new Float64Array(nModes);
  for (let k = 0; k < nModes; k++) {
    let trace = 0;
    for (let c = 0; c < nChannels; c++) {
      const v = covariances[k * perMode + c * nChannels + c]!;
      if (!Number.isFinite(v) || v <= 0) {
        throw new AnalysisInputError(
          'covariances',
          `mode ${k} has diagonal entry ${c} = ${v}; a covariance's diagonal must be finite and > 0`,
        );
      }
      trace += v;
    }
    traces[k] = trace;
  }
  return traces;
}

export function reweightAlphas(
  alpha: ArrayLike<number>,
  nModes: number,
  covariances: ArrayLike<number>,
): Float32Array {
  const nSamples = checkMixingCoefficients(alpha, nModes);
  const traces = covarianceTraces(covariances, nModes);
  const out = new Float32Array(alpha.length);
  const row = new Float64Array(nModes);
  for (let t = 0; t < nSamples; t++) {
    let sum = 0;
    for (let k = 0; k < nModes; k++) {
      const w = alpha[t * nModes + k]! * traces[k]!;
      row[k] = w;
      sum += w;
    }
    if (sum === 0) {
      throw new AnalysisInputError('alpha', `sample ${t} has all coefficients zero; cannot renormalise`);
    }
    for (let k = 0; k < nModes; k++) out[t * nModes + k] = row[k]! / sum;
  }
  return out;
}
