import { AnalysisInputError } from './errors';

/** Mode-resolved analyses need at least two modes; one mode has nothing to compare against. */
export function checkModeCount(nModes: number, argument = 'nModes'): void {
  if (!Number.isInteger(nModes) || nModes < 2) {
    throw new AnalysisInputError(argument, `must be an integer ≥ 2, got ${nModes}`);
  }
}

export function checkPositiveInteger(value: number, argument: string): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new AnalysisInputError(argument, `must be a positive integer, got ${value}`);
  }
}

export function checkPositiveFinite(value: number, argument: string): void {
  if (!Number.isFinite(value) || value <= 0) {
    throw new AnalysisInputError(argument, `must be a finite number > 0, got ${value}`);
  }
}

/**
 * A time-major [nSamples × nColumns] array: returns nSamples. Every entry must be finite, because
 * one NaN silently poisons every sum downstream.
 */
export function checkTimeMajor(values: ArrayLike<number>, nColumns: number, argument: string): number {
  if (values.length === 0) throw new AnalysisInputError(argument, 'is empty');
  if (values.length % nColumns !== 0) {
    throw new AnalysisInputError(
      argument,
      `length ${values.length} is not a multiple of ${nColumns} columns`,
    );
  }
  checkFinite(values, nColumns, argument);
  return values.length / nColumns;
}

function checkFinite(values: ArrayLike<number>, nColumns: number, argument: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]!)) {
      const sample = Math.floor(i / nColumns);
      const column = i % nColumns;
      throw new AnalysisInputError(
        argument,
        `entry at sample ${sample}, column ${column} is ${values[i]} (must be finite)`,
      );
    }
  }
}

/** Mixing coefficients: finite and non-negative (they are weights of a convex combination). */
export function checkMixingCoefficients(
  alpha: ArrayLike<number>,
  nModes: number,
  argument = 'alpha',
): number {
  checkModeCount(nModes);
  const nSamples = checkTimeMajor(alpha, nModes, argument);
  for (let i = 0; i < alpha.length; i++) {
    if (alpha[i]! < 0) {
      throw new AnalysisInputError(
        argument,
        `entry at sample ${Math.floor(i / nModes)}, mode ${i % nModes} is negative (${alpha[i]})`,
      );
    }
  }
  return nSamples;
}

/** A state time course: time-major, every entry exactly 0 or 1. */
export function checkBinaryTimeCourse(states: ArrayLike<number>, nModes: number, argument: string): number {
  checkModeCount(nModes);
  const nSamples = checkTimeMajor(states, nModes, argument);
  for (let i = 0; i < states.length; i++) {
    const v = states[i]!;
    if (v !== 0 && v !== 1) {
      throw new AnalysisInputError(
        argument,
        `entry at sample ${Math.floor(i / nModes)}, mode ${i % nModes} is ${v}; a state time course holds only 0 and 1`,
      );
    }
  }
  return nSamples;
}

export function checkSameLength(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  argumentA: string,
  argumentB: string,
): void {
  if (a.length !== b.length) {
    throw new AnalysisInputError(
      argumentB,
      `has ${b.length} entries but ${argumentA} has ${a.length}; the shapes must match`,
    );
  }
}
