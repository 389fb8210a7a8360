import { describe, expect, it } from 'vitest';
import { denseGradReference, denseReference } from '../../src-main/engine/ops/denseReference';
import { ShapeError } from '../../src-main/engine/ops/floatArrays';
import { dot, finiteDifferences, random64, relativeError } from './engineFixtures';

describe('dense reference', () => {
  it('computes x·W + b', () => {
    const out = denseReference(
      { rows: 2, inputs: 2, outputs: 1 },
      {
        x: new Float64Array([1, 2, 3, 4]),
        kernel: new Float64Array([10, 100]),
        bias: new Float64Array([0.5]),
      },
    );
    expect(Array.from(out)).toEqual([210.5, 430.5]);
  });

  for (const withBias of [true, false]) {
    it(`gradients match finite differences (${withBias ? 'with' : 'without'} bias)`, () => {
      const shape = { rows: 5, inputs: 4, outputs: 3 };
      const p = {
        x: random64(20, 1),
        kernel: random64(12, 2),
        bias: withBias ? random64(3, 3) : undefined,
      };
      const w = random64(15, 4);
      const loss = () => dot(denseReference(shape, p), w);
      const g = denseGradReference(shape, p, w);
      expect(relativeError(g.dx, finiteDifferences(p.x, loss))).toBeLessThan(1e-4);
      expect(relativeError(g.dKernel, finiteDifferences(p.kernel, loss))).toBeLessThan(1e-4);
      if (p.bias) expect(relativeError(g.dBias, finiteDifferences(p.bias, loss))).toBeLessThan(1e-4);
      else expect(g.dBias.length).toBe(0);
    });
  }

  it('rejects a bias of the wrong length', () => {
    expect(() =>
      denseReference(
        { rows: 1, inputs: 2, outputs: 2 },
        { x: new Float64Array(2), kernel: new Float64Array(4), bias: new Float64Array(3) },
      ),
    ).toThrow(ShapeError);
  });
});
