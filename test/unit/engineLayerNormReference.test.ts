import { describe, expect, it } from 'vitest';
import {
  layerNormBackwardReference,
  layerNormForwardReference,
} from '../../src-main/engine/ops/layerNormReference';
import { ShapeError } from '../../src-main/engine/ops/floatArrays';
import { dot, finiteDifferences, random64, relativeError } from './engineFixtures';

describe('layer normalisation reference', () => {
  it('normalises each row to zero mean and unit variance before scale and shift', () => {
    const { y, mean, rstd } = layerNormForwardReference(
      { rows: 2, features: 4, epsilon: 1e-3 },
      {
        x: new Float64Array([1, 2, 3, 4, -1, -1, -1, 3]),
        gamma: new Float64Array([1, 1, 2, 2]),
        beta: new Float64Array([0, 0, 0, 10]),
      },
    );
    expect(Array.from(mean)).toEqual([2.5, 0]);
    // Row 0: variance 1.25; row 1: variance 3.
    expect(rstd[0]).toBeCloseTo(1 / Math.sqrt(1.25 + 1e-3), 12);
    expect(rstd[1]).toBeCloseTo(1 / Math.sqrt(3 + 1e-3), 12);
    expect(y[0]).toBeCloseTo(-1.5 / Math.sqrt(1.251), 12);
    expect(y[2]).toBeCloseTo((2 * 0.5) / Math.sqrt(1.251), 12);
    expect(y[7]).toBeCloseTo((2 * 3) / Math.sqrt(3.001) + 10, 12);
  });

  it('gradients of x, gamma and beta match float64 central differences', () => {
    const shape = { rows: 6, features: 5, epsilon: 1e-3 };
    const p = { x: random64(30, 11, 2), gamma: random64(5, 12), beta: random64(5, 13) };
    const w = random64(30, 14);
    const loss = () => dot(layerNormForwardReference(shape, p).y, w);
    const g = layerNormBackwardReference(shape, p, layerNormForwardReference(shape, p), w);
    expect(relativeError(g.dx, finiteDifferences(p.x, loss))).toBeLessThan(1e-4);
    expect(relativeError(g.dGamma, finiteDifferences(p.gamma, loss))).toBeLessThan(1e-4);
    expect(relativeError(g.dBeta, finiteDifferences(p.beta, loss))).toBeLessThan(1e-4);
  });

  it('a constant row gets y = beta and a finite gradient', () => {
    const shape = { rows: 1, features: 3, epsilon: 1e-3 };
    const p = { x: new Float64Array([2, 2, 2]), gamma: new Float64Array([1, 2, 3]), beta: random64(3, 15) };
    const f = layerNormForwardReference(shape, p);
    expect(relativeError(f.y, p.beta)).toBeLessThan(1e-15);
    const g = layerNormBackwardReference(shape, p, f, new Float64Array([1, -1, 0.5]));
    expect(g.dx.every(Number.isFinite)).toBe(true);
  });

  it('rejects mismatched sizes and a non-positive epsilon', () => {
    const p = { x: new Float64Array(6), gamma: new Float64Array(3), beta: new Float64Array(2) };
    expect(() => layerNormForwardReference({ rows: 2, features: 3, epsilon: 1e-3 }, p)).toThrow(
      /beta has 2 elements, expected 3/,
    );
    expect(() =>
      layerNormForwardReference({ rows: 2, features: 3, epsilon: 0 }, { ...p, beta: new Float64Array(3) }),
    ).toThrow(ShapeError);
  });
});
