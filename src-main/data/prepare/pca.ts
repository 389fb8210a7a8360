/**
 * Group principal component analysis across sessions (osl-dynamics `pca`): each session is
 * standardised (over its valid samples), the covariance Σ x xᵀ is summed over the valid samples of
 * all sessions, and the leading eigenvectors of its exact symmetric eigendecomposition are the
 * components. Signs are fixed so that each component's largest-magnitude loading is positive,
 * which makes the result deterministic. Explained variance = Σ kept eigenvalues / trace.
 *
 * Whitening divides each component by the standard deviation of its projection (√(λ / N) with N
 * valid samples), so whitened outputs have unit variance across the group. osl-dynamics divides by
 * √λ of the unnormalised sum instead, which differs by the constant √N (a later standardize removes it).
 */
import type { TimeSeriesSession } from '../../../src-shared/domain/preparation';
import { symmetricEigen } from '../../numerics/symmetricEigen';
import { PreparationError } from './errors';
import { validRuns } from './segments';

export interface PcaModel {
  /** nInputs × nComponents, row-major (the osl-dynamics `pca_components` layout). */
  components: Float64Array;
  nInputs: number;
  nComponents: number;
  /** Fraction of the total variance kept, in [0, 1]; absent when components were given. */
  explainedVariance?: number;
  /** Per-sample variance of each kept component (λ / N). */
  componentVariances?: Float64Array;
}

/** Makes each column's largest |entry| positive (the first one on ties). */
export function fixComponentSigns(components: Float64Array, nInputs: number, nComponents: number): void {
  for (let k = 0; k < nComponents; k++) {
    let best = 0;
    let bestAbs = -1;
    for (let i = 0; i < nInputs; i++) {
      const v = Math.abs(components[i * nComponents + k]!);
      if (v > bestAbs) {
        bestAbs = v;
        best = i;
      }
    }
    if (components[best * nComponents + k]! < 0) {
      for (let i = 0; i < nInputs; i++) components[i * nComponents + k] = -components[i * nComponents + k]!;
    }
  }
}

/** Components from a summed covariance over `nValid` samples. */
export function pcaFromCovariance(
  covariance: Float64Array,
  nInputs: number,
  nValid: number,
  nComponents: number,
  whiten: boolean,
): PcaModel {
  if (nComponents > nInputs) {
    throw new PreparationError(
      `n_pca_components (${nComponents}) exceeds the number of input channels (${nInputs})`,
    );
  }
  if (nValid < 1) throw new PreparationError('pca: no valid samples to compute components from');
  const { values, vectors } = symmetricEigen(covariance, nInputs);
  const components = new Float64Array(nInputs * nComponents);
  for (let i = 0; i < nInputs; i++) {
    for (let k = 0; k < nComponents; k++) components[i * nComponents + k] = vectors[i * nInputs + k]!;
  }
  fixComponentSigns(components, nInputs, nComponents);
  let trace = 0;
  for (let i = 0; i < nInputs; i++) trace += covariance[i * nInputs + i]!;
  let kept = 0;
  const componentVariances = new Float64Array(nComponents);
  for (let k = 0; k < nComponents; k++) {
    kept += values[k]!;
    componentVariances[k] = Math.max(values[k]!, 0) / nValid;
  }
  if (whiten) {
    for (let k = 0; k < nComponents; k++) {
      const sd = Math.sqrt(componentVariances[k]!);
      if (!(sd > 0)) throw new PreparationError(`pca: cannot whiten, component ${k + 1} has zero variance`);
      for (let i = 0; i < nInputs; i++) components[i * nComponents + k]! /= sd;
    }
  }
  return {
    components,
    nInputs,
    nComponents,
    explainedVariance: trace > 0 ? kept / trace : 0,
    componentVariances,
  };
}

/** Σ x xᵀ over the valid samples of all sessions, plus the sample count. */
export function groupCovariance(sessions: TimeSeriesSession[]): { covariance: Float64Array; nValid: number } {
  const n = sessions[0]!.nChannels;
  const covariance = new Float64Array(n * n);
  const row = new Float64Array(n);
  let nValid = 0;
  for (const s of sessions) {
    for (const { start, end } of validRuns(s.nSamples, s.gapMask)) {
      nValid += end - start;
      for (let t = start; t < end; t++) {
        for (let c = 0; c < n; c++) row[c] = s.data[t * n + c]!;
        for (let i = 0; i < n; i++) {
          const xi = row[i]!;
          const base = i * n;
          for (let j = 0; j <= i; j++) covariance[base + j]! += xi * row[j]!;
        }
      }
    }
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) covariance[j * n + i] = covariance[i * n + j]!;
  return { covariance, nValid };
}

/** y = x · components for every valid sample; missing samples stay 0. */
export function projectSession(session: TimeSeriesSession, model: PcaModel): TimeSeriesSession {
  const { nInputs, nComponents, components } = model;
  if (session.nChannels !== nInputs) {
    throw new PreparationError(
      `pca: components expect ${nInputs} channels but the data has ${session.nChannels}`,
    );
  }
  const out = new Float32Array(session.nSamples * nComponents);
  const acc = new Float64Array(nComponents);
  for (const { start, end } of validRuns(session.nSamples, session.gapMask)) {
    for (let t = start; t < end; t++) {
      acc.fill(0);
      for (let i = 0; i < nInputs; i++) {
        const x = session.data[t * nInputs + i]!;
        if (x === 0) continue;
        const base = i * nComponents;
        for (let k = 0; k < nComponents; k++) acc[k]! += x * components[base + k]!;
      }
      out.set(acc, t * nComponents);
    }
  }
  return {
    data: out,
    nSamples: session.nSamples,
    nChannels: nComponents,
    samplingRate: session.samplingRate,
    ...(session.gapMask ? { gapMask: session.gapMask.slice() } : {}),
  };
}

/** Given components as rows of numbers (JSON), as a model. */
export function modelFromComponents(rows: number[][]): PcaModel {
  const nInputs = rows.length;
  const nComponents = rows[0]?.length ?? 0;
  const components = new Float64Array(nInputs * nComponents);
  rows.forEach((r, i) => {
    if (r.length !== nComponents)
      throw new PreparationError('pca_components rows must all have the same length');
    components.set(r, i * nComponents);
  });
  return { components, nInputs, nComponents };
}

export function componentsToRows(model: PcaModel): number[][] {
  return Array.from({ length: model.nInputs }, (_, i) =>
    Array.from(model.components.subarray(i * model.nComponents, (i + 1) * model.nComponents)),
  );
}
