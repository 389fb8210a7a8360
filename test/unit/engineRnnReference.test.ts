import { describe, expect, it } from 'vitest';
import {
  biasLength,
  gateCount,
  rnnBackwardReference,
  rnnForwardReference,
  type RnnCell,
  type RnnParams,
  type RnnShape,
} from '../../src-main/engine/ops/rnnReference';
import { ShapeError } from '../../src-main/engine/ops/floatArrays';
import { dot, finiteDifferences, random64, relativeError } from './engineFixtures';

function makeCase(cell: RnnCell, reverse: boolean, seed: number, withState: boolean) {
  const shape: RnnShape = { cell, batch: 2, steps: 4, inputSize: 3, units: 3, reverse };
  const { batch: B, steps: T, inputSize: I, units: H } = shape;
  const G = gateCount(cell);
  const params: RnnParams<Float64Array> = {
    x: random64(B * T * I, seed),
    kernel: random64(I * G * H, seed + 1, 0.7),
    recurrentKernel: random64(H * G * H, seed + 2, 0.7),
    bias: random64(biasLength(cell, H), seed + 3, 0.3),
    initialH: withState ? random64(B * H, seed + 4, 0.5) : undefined,
    initialC: withState && cell === 'lstm' ? random64(B * H, seed + 5, 0.5) : undefined,
  };
  const weights = random64(B * T * H, seed + 6);
  const loss = () => dot(rnnForwardReference(shape, params).hidden, weights);
  return { shape, params, weights, loss };
}

describe('rnnSequence reference', () => {
  for (const cell of ['lstm', 'gru'] as const) {
    for (const reverse of [false, true]) {
      it(`${cell} ${reverse ? 'reverse' : 'forward'}: gradients match central finite differences`, () => {
        const { shape, params, weights, loss } = makeCase(cell, reverse, 10 + (reverse ? 1 : 0), true);
        const fwd = rnnForwardReference(shape, params);
        const grads = rnnBackwardReference(shape, params, fwd, weights);
        const checks: [string, Float64Array, Float64Array][] = [
          ['x', params.x, grads.dx],
          ['kernel', params.kernel, grads.dKernel],
          ['recurrentKernel', params.recurrentKernel, grads.dRecurrentKernel],
          ['bias', params.bias, grads.dBias],
          ['initialH', params.initialH!, grads.dInitialH],
        ];
        if (cell === 'lstm') checks.push(['initialC', params.initialC!, grads.dInitialC]);
        for (const [name, param, analytic] of checks) {
          const numeric = finiteDifferences(param, loss);
          expect(relativeError(analytic, numeric), name).toBeLessThan(1e-4);
          expect(Math.max(...numeric.map(Math.abs)), name).toBeGreaterThan(1e-3);
        }
      });
    }
  }

  it('an LSTM step matches a hand computation of the Keras gate layout', () => {
    // One unit, one input, one step: z = x·W + b per gate (i, f, c, o); h = o·tanh(i·tanh(z_c)).
    const shape: RnnShape = { cell: 'lstm', batch: 1, steps: 1, inputSize: 1, units: 1, reverse: false };
    const params = {
      x: new Float64Array([0.5]),
      kernel: new Float64Array([0.1, 0.2, 0.3, 0.4]),
      recurrentKernel: new Float64Array([0, 0, 0, 0]),
      bias: new Float64Array([0.01, 0.02, 0.03, 0.04]),
    };
    const sig = (v: number) => 1 / (1 + Math.exp(-v));
    const i = sig(0.05 + 0.01);
    const g = Math.tanh(0.15 + 0.03);
    const o = sig(0.2 + 0.04);
    const { hidden } = rnnForwardReference(shape, params);
    expect(hidden[0]).toBeCloseTo(o * Math.tanh(i * g), 14);
  });

  it('a GRU step matches a hand computation of reset_after = true', () => {
    const shape: RnnShape = { cell: 'gru', batch: 1, steps: 1, inputSize: 1, units: 1, reverse: false };
    const h0 = 0.3;
    const params = {
      x: new Float64Array([0.5]),
      kernel: new Float64Array([0.1, 0.2, 0.3]),
      recurrentKernel: new Float64Array([0.4, 0.5, 0.6]),
      bias: new Float64Array([0.01, 0.02, 0.03, 0.04, 0.05, 0.06]),
      initialH: new Float64Array([h0]),
    };
    const sig = (v: number) => 1 / (1 + Math.exp(-v));
    const z = sig(0.05 + 0.01 + h0 * 0.4 + 0.04);
    const r = sig(0.1 + 0.02 + h0 * 0.5 + 0.05);
    const hh = Math.tanh(0.15 + 0.03 + r * (h0 * 0.6 + 0.06));
    const { hidden } = rnnForwardReference(shape, params);
    expect(hidden[0]).toBeCloseTo(z * h0 + (1 - z) * hh, 14);
  });

  it('a reverse RNN equals a forward RNN on the time-reversed input, stored back in place', () => {
    const a = makeCase('lstm', true, 40, false);
    const { batch: B, steps: T, inputSize: I, units: H } = a.shape;
    const flipped = new Float64Array(a.params.x.length);
    for (let b = 0; b < B; b++)
      for (let t = 0; t < T; t++)
        for (let i = 0; i < I; i++) flipped[(b * T + t) * I + i] = a.params.x[(b * T + (T - 1 - t)) * I + i]!;
    const rev = rnnForwardReference(a.shape, a.params).hidden;
    const fwd = rnnForwardReference({ ...a.shape, reverse: false }, { ...a.params, x: flipped }).hidden;
    for (let b = 0; b < B; b++)
      for (let t = 0; t < T; t++)
        for (let j = 0; j < H; j++) expect(rev[(b * T + t) * H + j]).toBe(fwd[(b * T + (T - 1 - t)) * H + j]);
  });

  it('rejects a kernel of the wrong size with a ShapeError naming it', () => {
    const { shape, params } = makeCase('gru', false, 50, false);
    expect(() => rnnForwardReference(shape, { ...params, kernel: new Float64Array(5) })).toThrow(ShapeError);
    expect(() => rnnForwardReference(shape, { ...params, kernel: new Float64Array(5) })).toThrow(
      /kernel has 5/,
    );
    expect(() => rnnForwardReference(shape, { ...params, initialC: new Float64Array(6) })).toThrow(
      /only meaningful/,
    );
  });
});
