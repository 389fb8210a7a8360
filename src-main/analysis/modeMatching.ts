/**
 * Comparing inferred mode time courses with a ground truth (simulations) or with another run:
 * the pairing of modes that maximises the total correlation (osl-dynamics'
 * `modes.match_modes`), the correlation of matched pairs (`metrics.alpha_correlation`) and the
 * Dice coefficient of binary state time courses (`metrics.dice_coefficient`).
 */
import { AnalysisInputError } from './errors';
import { checkBinaryTimeCourse, checkModeCount, checkSameLength, checkTimeMajor } from './inputChecks';
import { minimumCostAssignment } from './linearAssignment';

/**
 * Pearson correlation of every column of `a` with every column of `b` (both [nSamples × nModes]);
 * entry (i, j) correlates a's mode i with b's mode j. A constant column gives NaN.
 */
export function modeCorrelationMatrix(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  nModes: number,
): Float64Array {
  checkModeCount(nModes);
  const nSamples = checkTimeMajor(a, nModes, 'a');
  checkTimeMajor(b, nModes, 'b');
  checkSameLength(a, b, 'a', 'b');
  if (nSamples < 2) throw new AnalysisInputError('a', 'needs at least 2 samples to correlate');
  const centredA = centreColumns(a, nSamples, nModes);
  const centredB = centreColumns(b, nSamples, nModes);
  const normA = columnNorms(centredA, nSamples, nModes);
  const normB = columnNorms(centredB, nSamples, nModes);
  const out = new Float64Array(nModes * nModes);
  for (let i = 0; i < nModes; i++) {
    for (let j = 0; j < nModes; j++) {
      let dot = 0;
      for (let t = 0; t < nSamples; t++) dot += centredA[t * nModes + i]! * centredB[t * nModes + j]!;
      const denominator = normA[i]! * normB[j]!;
      out[i * nModes + j] = denominator > 0 ? dot / denominator : NaN;
    }
  }
  return out;
}

function centreColumns(x: ArrayLike<number>, nSamples: number, nModes: number): Float64Array {
  const out = Float64Array.from(x);
  for (let k = 0; k < nModes; k++) {
    let sum = 0;
    for (let t = 0; t < nSamples; t++) sum += out[t * nModes + k]!;
    const m = sum / nSamples;
    for (let t = 0; t < nSamples; t++) out[t * nModes + k] = out[t * nModes + k]! - m;
  }
  return out;
}

function columnNorms(x: Float64Array, nSamples: number, nModes: number): Float64Array {
  const out = new Float64Array(nModes);
  for (let t = 0; t < nSamples; t++) {
    for (let k = 0; k < nModes; k++) out[k] = out[k]! + x[t * nModes + k]! ** 2;
  }
  return out.map(Math.sqrt);
}

export interface ModeMatch {
  /** order[k] is the estimated mode paired with truth mode k. */
  order: Int32Array;
  /** Truth × estimated correlation matrix (row k: truth mode k), before reordering. */
  correlation: Float64Array;
}

/**
 * The pairing of estimated with truth modes that maximises the summed correlation. As in
 * osl-dynamics, an undefined correlation (a constant column) is treated as one below the smallest
 * defined correlation, so such modes are paired last.
 */
export function matchModes(
  estimated: ArrayLike<number>,
  truth: ArrayLike<number>,
  nModes: number,
): ModeMatch {
  const correlation = modeCorrelationMatrix(truth, estimated, nModes);
  let smallest = Infinity;
  for (const c of correlation) if (!Number.isNaN(c) && c < smallest) smallest = c;
  const fallback = Number.isFinite(smallest) ? smallest - 1 : -1;
  const cost = correlation.map((c) => (Number.isNaN(c) ? -fallback : -c));
  return { order: minimumCostAssignment(cost, nModes), correlation };
}

/** Columns of a time-major array reordered: out[:, k] = x[:, order[k]]. */
export function reorderModes(x: ArrayLike<number>, nModes: number, order: ArrayLike<number>): Float32Array {
  checkModeCount(nModes);
  const nSamples = checkTimeMajor(x, nModes, 'x');
  if (order.length !== nModes) {
    throw new AnalysisInputError('order', `has ${order.length} entries for ${nModes} modes`);
  }
  const seen = new Uint8Array(nModes);
  for (let k = 0; k < nModes; k++) {
    const o = order[k]!;
    if (!Number.isInteger(o) || o < 0 || o >= nModes || seen[o]) {
      throw new AnalysisInputError('order', `is not a permutation of 0..${nModes - 1}`);
    }
    seen[o] = 1;
  }
  const out = new Float32Array(x.length);
  for (let t = 0; t < nSamples; t++) {
    for (let k = 0; k < nModes; k++) out[t * nModes + k] = x[t * nModes + order[k]!]!;
  }
  return out;
}

export interface AlphaCorrelation {
  order: Int32Array;
  /** Correlation of truth mode k with its matched estimated mode (NaN for a constant column). */
  perMode: Float64Array;
  mean: number;
}

export function alphaCorrelation(
  estimated: ArrayLike<number>,
  truth: ArrayLike<number>,
  nModes: number,
): AlphaCorrelation {
  const { order, correlation } = matchModes(estimated, truth, nModes);
  const perMode = new Float64Array(nModes);
  let sum = 0;
  for (let k = 0; k < nModes; k++) {
    perMode[k] = correlation[k * nModes + order[k]!]!;
    sum += perMode[k]!;
  }
  return { order, perMode, mean: sum / nModes };
}

export interface DiceCoefficients {
  /** 2|A ∩ B| / (|A| + |B|) per mode; 1 when the mode is off throughout in both. */
  perMode: Float64Array;
  /**
   * 2 Σ_{t,k} a_tk b_tk / (Σ a + Σ b) over all modes together. For one-hot time courses this is
   * the fraction of samples whose states agree, which is osl-dynamics' dice_coefficient.
   */
  overall: number;
}

/** Both time courses binary [nSamples × nModes] with modes already paired (see matchModes). */
export function dice(a: ArrayLike<number>, b: ArrayLike<number>, nModes: number): DiceCoefficients {
  const nSamples = checkBinaryTimeCourse(a, nModes, 'a');
  checkBinaryTimeCourse(b, nModes, 'b');
  checkSameLength(a, b, 'a', 'b');
  const both = new Float64Array(nModes);
  const total = new Float64Array(nModes);
  for (let t = 0; t < nSamples; t++) {
    for (let k = 0; k < nModes; k++) {
      const x = a[t * nModes + k]!;
      const y = b[t * nModes + k]!;
      both[k] = both[k]! + x * y;
      total[k] = total[k]! + x + y;
    }
  }
  const perMode = new Float64Array(nModes);
  let bothAll = 0;
  let totalAll = 0;
  for (let k = 0; k < nModes; k++) {
    perMode[k] = total[k]! > 0 ? (2 * both[k]!) / total[k]! : 1;
    bothAll += both[k]!;
    totalAll += total[k]!;
  }
  return { perMode, overall: totalAll > 0 ? (2 * bothAll) / totalAll : 1 };
}
