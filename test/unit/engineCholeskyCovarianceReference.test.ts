import { describe, expect, it } from 'vitest';
import {
  choleskyCovarianceGradReference,
  choleskyCovarianceReference,
  choleskyFactorsReference,
} from '../../src-main/engine/ops/choleskyCovarianceReference';
import { ShapeError } from '../../src-main/engine/ops/floatArrays';
import { dot, finiteDifferences, random64, relativeError } from './engineFixtures';

describe('covariances from Cholesky parameters (reference)', () => {
  it('builds L from the lower triangle with a softplus diagonal, and D = L·Lᵀ + ε·I', () => {
    const shape = { modes: 1, channels: 2, diagonalShift: 1e-5, epsilon: 1e-3 };
    // Upper entry 7 must be ignored.
    const free = new Float64Array([0, 7, 0.5, Math.log(Math.E - 1)]);
    const L = choleskyFactorsReference(shape, free);
    const l00 = Math.log(2) + 1e-5;
    const l11 = 1 + 1e-5;
    expect(L[0]).toBeCloseTo(l00, 14);
    expect(L[1]).toBe(0);
    expect(L[2]).toBe(0.5);
    expect(L[3]).toBeCloseTo(l11, 14);
    const D = choleskyCovarianceReference(shape, free);
    expect(D[0]).toBeCloseTo(l00 * l00 + 1e-3, 14);
    expect(D[1]).toBeCloseTo(0.5 * l00, 14);
    expect(D[2]).toBeCloseTo(0.5 * l00, 14);
    expect(D[3]).toBeCloseTo(0.25 + l11 * l11 + 1e-3, 14);
  });

  it('gradient matches float64 central differences and is zero above the diagonal', () => {
    const shape = { modes: 3, channels: 5, diagonalShift: 1e-5, epsilon: 1e-4 };
    const free = random64(75, 21, 1.5);
    // A non-symmetric upstream gradient: both triangles of G feed dL.
    const w = random64(75, 22);
    const loss = () => dot(choleskyCovarianceReference(shape, free), w);
    const g = choleskyCovarianceGradReference(shape, free, w);
    expect(relativeError(g, finiteDifferences(free, loss))).toBeLessThan(1e-4);
    for (let k = 0; k < 3; k++)
      for (let i = 0; i < 5; i++) for (let j = i + 1; j < 5; j++) expect(g[k * 25 + i * 5 + j]).toBe(0);
  });

  it('rejects a parameter block of the wrong size and a negative epsilon', () => {
    const shape = { modes: 2, channels: 3, diagonalShift: 1e-5, epsilon: 0 };
    expect(() => choleskyCovarianceReference(shape, new Float64Array(17))).toThrow(
      /free has 17 elements, expected 18/,
    );
    expect(() => choleskyCovarianceReference({ ...shape, epsilon: -1 }, new Float64Array(18))).toThrow(
      ShapeError,
    );
  });
});
