import { allocLike, requireLength, requirePositiveInteger, ShapeError, type FloatArray } from './floatArrays';

/**
 * The KL term of a sequential VAE between a posterior q(θ_t) = N(μq, σq²) and a prior
 * p(θ_t | θ_<t) = N(μp, σp²) that is predicted one step ahead: for [B, T, K] inputs,
 *   out[b, t] = Σ_k KL(N(μq[b, t+lag, k], σq²) ‖ N(μp[b, t, k], σp²)),  t < T − lag,
 * with KL = log σp − log σq + (σq² + (μq − μp)²) / (2σp²) − ½. The loops are short (B·T·K values),
 * so this TypeScript code is both the float32 kernel and, over float64, the test oracle.
 */
export interface SequenceKlShape {
  batch: number;
  steps: number;
  modes: number;
  /** How many steps the prior runs ahead of the posterior it is compared with (≥ 0, < steps). */
  lag: number;
}

export interface SequenceKlParams<A extends FloatArray> {
  muQ: A;
  sdQ: A;
  muP: A;
  sdP: A;
}

export interface SequenceKlGradients<A extends FloatArray> {
  dMuQ: A;
  dSdQ: A;
  dMuP: A;
  dSdP: A;
}

export function validateSequenceKl<A extends FloatArray>(
  shape: SequenceKlShape,
  p: SequenceKlParams<A>,
): void {
  const { batch: B, steps: T, modes: K, lag } = shape;
  requirePositiveInteger('batch', B);
  requirePositiveInteger('steps', T);
  requirePositiveInteger('modes', K);
  if (!Number.isInteger(lag) || lag < 0 || lag >= T)
    throw new ShapeError(`lag must be an integer in [0, ${T}), got ${lag}`);
  for (const name of ['muQ', 'sdQ', 'muP', 'sdP'] as const)
    requireLength(name, p[name], B * T * K, `[${B}, ${T}, ${K}]`);
}

export function sequenceKlReference<A extends FloatArray>(shape: SequenceKlShape, p: SequenceKlParams<A>): A {
  validateSequenceKl(shape, p);
  const { batch: B, steps: T, modes: K, lag } = shape;
  const S = T - lag;
  const out = allocLike(p.muQ, B * S);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < S; t++) {
      const q = (b * T + t + lag) * K;
      const r = (b * T + t) * K;
      let sum = 0;
      for (let k = 0; k < K; k++) {
        const sq = p.sdQ[q + k]!;
        const sp = p.sdP[r + k]!;
        const d = p.muQ[q + k]! - p.muP[r + k]!;
        sum += Math.log(sp / sq) + (sq * sq + d * d) / (2 * sp * sp) - 0.5;
      }
      out[b * S + t] = sum;
    }
  }
  return out;
}

/** Gradients for an upstream gradient dOut [B, T − lag]; entries no output reads get zero. */
export function sequenceKlGradReference<A extends FloatArray>(
  shape: SequenceKlShape,
  p: SequenceKlParams<A>,
  dOut: A,
): SequenceKlGradients<A> {
  validateSequenceKl(shape, p);
  const { batch: B, steps: T, modes: K, lag } = shape;
  const S = T - lag;
  requireLength('dOut', dOut, B * S, `[${B}, ${S}]`);
  const n = B * T * K;
  const g = {
    dMuQ: allocLike(p.muQ, n),
    dSdQ: allocLike(p.muQ, n),
    dMuP: allocLike(p.muQ, n),
    dSdP: allocLike(p.muQ, n),
  };
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < S; t++) {
      const w = dOut[b * S + t]!;
      const q = (b * T + t + lag) * K;
      const r = (b * T + t) * K;
      for (let k = 0; k < K; k++) {
        const sq = p.sdQ[q + k]!;
        const sp = p.sdP[r + k]!;
        const d = p.muQ[q + k]! - p.muP[r + k]!;
        const inv2 = 1 / (sp * sp);
        g.dMuQ[q + k] = w * d * inv2;
        g.dMuP[r + k] = -w * d * inv2;
        g.dSdQ[q + k] = w * (sq * inv2 - 1 / sq);
        g.dSdP[r + k] = w * (1 / sp - ((sq * sq + d * d) * inv2) / sp);
      }
    }
  }
  return g;
}
