/**
 * Discrete state time courses: a Markov chain (HMM) and a semi-Markov chain with gamma-distributed
 * lifetimes (HSMM), as osl-dynamics' HMM and HSMM classes generate them.
 */
import type { SeededRandom } from '../../numerics/random';

/** Transition matrix (row-major K × K, rows sum to 1) from osl-dynamics' named constructions. */
export function transitionMatrix(
  kind: 'sequence' | 'uniform' | number[][],
  nStates: number,
  stayProb: number,
): Float64Array {
  const K = nStates;
  const m = new Float64Array(K * K);
  if (Array.isArray(kind)) {
    kind.forEach((row, i) => m.set(row, i * K));
    return m;
  }
  if (K === 1) return Float64Array.of(1);
  for (let i = 0; i < K; i++) {
    if (kind === 'sequence') {
      // Stay, or move on to the next state (the last wraps to the first).
      m[i * K + i] = stayProb;
      m[i * K + ((i + 1) % K)] = 1 - stayProb;
    } else {
      for (let j = 0; j < K; j++) m[i * K + j] = i === j ? stayProb : (1 - stayProb) / (K - 1);
    }
  }
  return m;
}

/** Markov chain starting in state 0 (as osl-dynamics). */
export function markovStates(
  rng: SeededRandom,
  trans: Float64Array,
  nStates: number,
  nSamples: number,
): Int32Array {
  const states = new Int32Array(nSamples);
  for (let t = 1; t < nSamples; t++) {
    const from = states[t - 1]!;
    states[t] = rng.categorical(trans.subarray(from * nStates, (from + 1) * nStates));
  }
  return states;
}

/** Rows normalised with a zero diagonal: where the chain goes when a state's lifetime ends. */
export function offDiagonalTransitions(nStates: number, given: number[][] | undefined): Float64Array {
  const K = nStates;
  const m = new Float64Array(K * K);
  for (let i = 0; i < K; i++) {
    let sum = 0;
    for (let j = 0; j < K; j++) {
      const v = i === j ? 0 : given ? given[i]![j]! : 1;
      m[i * K + j] = v;
      sum += v;
    }
    for (let j = 0; j < K; j++) m[i * K + j]! /= sum;
  }
  return m;
}

/**
 * Semi-Markov chain: a uniformly random first state, then visits whose lengths are
 * round(Gamma(shape, scale)) samples (at least 1, where osl-dynamics would skip a zero-length
 * visit), each followed by a jump drawn from the off-diagonal transition matrix.
 */
export function semiMarkovStates(
  rng: SeededRandom,
  offDiagonal: Float64Array,
  nStates: number,
  nSamples: number,
  gammaShape: number,
  gammaScale: number,
): { states: Int32Array; lifetimes: number[] } {
  const states = new Int32Array(nSamples);
  const lifetimes: number[] = [];
  let state = rng.integerBelow(nStates);
  let position = 0;
  while (position < nSamples) {
    const lifetime = Math.max(1, Math.round(rng.gamma(gammaShape, gammaScale)));
    states.fill(state, position, Math.min(nSamples, position + lifetime));
    lifetimes.push(lifetime);
    position += lifetime;
    state = rng.categorical(offDiagonal.subarray(state * nStates, (state + 1) * nStates));
  }
  return { states, lifetimes };
}

export function oneHot(states: Int32Array, nStates: number): Float32Array {
  const alpha = new Float32Array(states.length * nStates);
  states.forEach((s, t) => (alpha[t * nStates + s] = 1));
  return alpha;
}
