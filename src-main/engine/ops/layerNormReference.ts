import { allocLike, requireLength, requirePositiveInteger, ShapeError, type FloatArray } from './floatArrays';

/**
 * Layer normalisation over the last axis of x [rows, features] (Keras LayerNormalization):
 * y = (x − mean) / √(variance + ε) · γ + β, with the biased variance of each row. Plain TypeScript
 * fallback and test oracle of the native kernel.
 */
export interface LayerNormShape {
  rows: number;
  features: number;
  epsilon: number;
}

export interface LayerNormParams<A extends FloatArray> {
  x: A;
  gamma: A;
  beta: A;
}

export interface LayerNormForwardResult<A extends FloatArray> {
  y: A;
  /** Per row, kept for the backward pass. */
  mean: A;
  /** 1 / √(variance + ε) per row. */
  rstd: A;
}

export interface LayerNormGradients<A extends FloatArray> {
  dx: A;
  dGamma: A;
  dBeta: A;
}

export function validateLayerNorm<A extends FloatArray>(shape: LayerNormShape, p: LayerNormParams<A>): void {
  const { rows: M, features: F } = shape;
  requirePositiveInteger('rows', M);
  requirePositiveInteger('features', F);
  if (!(shape.epsilon > 0) || !Number.isFinite(shape.epsilon))
    throw new ShapeError(`layer norm epsilon must be a positive number, got ${shape.epsilon}`);
  requireLength('x', p.x, M * F, `[${M}, ${F}]`);
  requireLength('gamma', p.gamma, F, `[${F}]`);
  requireLength('beta', p.beta, F, `[${F}]`);
}

export function layerNormForwardReference<A extends FloatArray>(
  shape: LayerNormShape,
  p: LayerNormParams<A>,
): LayerNormForwardResult<A> {
  validateLayerNorm(shape, p);
  const { rows: M, features: F, epsilon } = shape;
  const y = allocLike(p.x, M * F);
  const mean = allocLike(p.x, M);
  const rstd = allocLike(p.x, M);
  for (let i = 0; i < M; i++) {
    const o = i * F;
    let s = 0;
    for (let j = 0; j < F; j++) s += p.x[o + j]!;
    const mu = s / F;
    let v = 0;
    for (let j = 0; j < F; j++) v += (p.x[o + j]! - mu) ** 2;
    const r = 1 / Math.sqrt(v / F + epsilon);
    mean[i] = mu;
    rstd[i] = r;
    for (let j = 0; j < F; j++) y[o + j] = (p.x[o + j]! - mu) * r * p.gamma[j]! + p.beta[j]!;
  }
  return { y, mean, rstd };
}

/**
 * With x̂ = (x − mean)·r and g = dy·γ: dx = r·(g − mean(g) − x̂·mean(g·x̂)), dγ = Σ dy·x̂, dβ = Σ dy.
 */
export function layerNormBackwardReference<A extends FloatArray>(
  shape: LayerNormShape,
  p: LayerNormParams<A>,
  forward: Pick<LayerNormForwardResult<A>, 'mean' | 'rstd'>,
  dy: A,
): LayerNormGradients<A> {
  validateLayerNorm(shape, p);
  const { rows: M, features: F } = shape;
  requireLength('dy', dy, M * F, `[${M}, ${F}]`);
  requireLength('mean', forward.mean, M, `[${M}]`);
  requireLength('rstd', forward.rstd, M, `[${M}]`);
  const dx = allocLike(p.x, M * F);
  const dGamma = allocLike(p.x, F);
  const dBeta = allocLike(p.x, F);
  for (let i = 0; i < M; i++) {
    const o = i * F;
    const mu = forward.mean[i]!;
    const r = forward.rstd[i]!;
    let sumG = 0;
    let sumGx = 0;
    for (let j = 0; j < F; j++) {
      const xhat = (p.x[o + j]! - mu) * r;
      const g = dy[o + j]! * p.gamma[j]!;
      sumG += g;
      sumGx += g * xhat;
      dGamma[j]! += dy[o + j]! * xhat;
      dBeta[j]! += dy[o + j]!;
    }
    for (let j = 0; j < F; j++) {
      const xhat = (p.x[o + j]! - mu) * r;
      dx[o + j] = r * (dy[o + j]! * p.gamma[j]! - sumG / F - (xhat * sumGx) / F);
    }
  }
  return { dx, dGamma, dBeta };
}
