import { describe, expect, it } from 'vitest';
import {
  sequenceKlGradReference,
  sequenceKlReference,
} from '../../src-main/engine/ops/sequenceGaussianKlReference';
import { ShapeError } from '../../src-main/engine/ops/floatArrays';
import { dot, finiteDifferences, random64, relativeError } from './engineFixtures';

const positive = (n: number, seed: number) => random64(n, seed).map((v) => 0.3 + Math.abs(v));

describe('sequence Gaussian KL reference', () => {
  it('sums the analytic KL over modes, the posterior one lag after the prior', () => {
    // B = 1, T = 2, K = 2; lag 1 compares q at t = 1 with p at t = 0.
    const p = {
      muQ: new Float64Array([9, 9, 1, 0.3]),
      sdQ: new Float64Array([9, 9, 0.5, 1.2]),
      muP: new Float64Array([0, 0.3, 9, 9]),
      sdP: new Float64Array([2, 1.2, 9, 9]),
    };
    const out = sequenceKlReference({ batch: 1, steps: 2, modes: 2, lag: 1 }, p);
    expect(out.length).toBe(1);
    // Mode 0: KL(N(1, 0.5²) ‖ N(0, 2²)); mode 1: identical distributions, 0.
    expect(out[0]).toBeCloseTo(Math.log(2 / 0.5) + (0.25 + 1) / 8 - 0.5, 14);
  });

  for (const lag of [0, 1, 3]) {
    it(`gradients match float64 central differences (lag ${lag})`, () => {
      const shape = { batch: 2, steps: 5, modes: 3, lag };
      const n = 30;
      const p = { muQ: random64(n, 31), sdQ: positive(n, 32), muP: random64(n, 33), sdP: positive(n, 34) };
      const w = random64(2 * (5 - lag), 35);
      const loss = () => dot(sequenceKlReference(shape, p), w);
      const g = sequenceKlGradReference(shape, p, w);
      expect(relativeError(g.dMuQ, finiteDifferences(p.muQ, loss))).toBeLessThan(1e-4);
      expect(relativeError(g.dSdQ, finiteDifferences(p.sdQ, loss))).toBeLessThan(1e-4);
      expect(relativeError(g.dMuP, finiteDifferences(p.muP, loss))).toBeLessThan(1e-4);
      expect(relativeError(g.dSdP, finiteDifferences(p.sdP, loss))).toBeLessThan(1e-4);
      // The first `lag` posterior steps and the last `lag` prior steps are read by no output.
      for (let b = 0; b < 2; b++)
        for (let t = 0; t < lag; t++)
          for (let k = 0; k < 3; k++) {
            expect(g.dMuQ[(b * 5 + t) * 3 + k]).toBe(0);
            expect(g.dSdP[(b * 5 + 4 - t) * 3 + k]).toBe(0);
          }
    });
  }

  it('rejects a lag outside [0, steps) and inputs of the wrong size', () => {
    const n = 6;
    const p = { muQ: random64(n, 1), sdQ: positive(n, 2), muP: random64(n, 3), sdP: positive(n, 4) };
    expect(() => sequenceKlReference({ batch: 1, steps: 3, modes: 2, lag: 3 }, p)).toThrow(
      /lag must be an integer in \[0, 3\), got 3/,
    );
    expect(() =>
      sequenceKlReference({ batch: 1, steps: 3, modes: 2, lag: 1 }, { ...p, sdP: new Float64Array(5) }),
    ).toThrow(ShapeError);
  });
});
