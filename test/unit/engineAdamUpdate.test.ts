import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Adam, clipScales } from '../../src-main/engine/training/adam';
import { adamUpdateReference } from '../../src-main/engine/training/adamUpdate';
import { ShapeError } from '../../src-main/engine/ops/floatArrays';
import { random64, relativeError } from './engineFixtures';

const params = { stepSize: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, gradScale: 1 };

describe('fused Adam update', () => {
  it('reference: first step moves each weight by about stepSize · sign(g)', () => {
    const b = {
      param: new Float64Array([1, -2, 0]),
      grad: new Float64Array([0.5, -1, 0]),
      m: new Float64Array(3),
      v: new Float64Array(3),
    };
    adamUpdateReference(b, { ...params, stepSize: 0.1 * (Math.sqrt(0.001) / 0.1) });
    // m = 0.1 g, v = 0.001 g²: the update is stepSize · 0.1 g / (√0.001 |g| + ε).
    expect(b.m[0]).toBeCloseTo(0.05, 15);
    expect(b.v[1]).toBeCloseTo(0.001, 15);
    expect(b.param[0]).toBeCloseTo(0.9, 5);
    expect(b.param[1]).toBeCloseTo(-1.9, 5);
    expect(b.param[2]).toBe(0);
  });

  it('reference: gradScale scales the gradient before the moments', () => {
    const a = {
      param: random64(5, 1),
      grad: random64(5, 2),
      m: random64(5, 3),
      v: random64(5, 4, 0.1).map(Math.abs),
    };
    const b = { param: a.param.slice(), grad: a.grad.map((g) => g * 0.25), m: a.m.slice(), v: a.v.slice() };
    adamUpdateReference(a, { ...params, gradScale: 0.25 });
    adamUpdateReference(b, params);
    expect(relativeError(a.param, b.param)).toBeLessThan(1e-15);
    expect(relativeError(a.v, b.v)).toBeLessThan(1e-15);
  });

  it('rejects moments of the wrong size', () => {
    const b = {
      param: new Float64Array(3),
      grad: new Float64Array(3),
      m: new Float64Array(2),
      v: new Float64Array(3),
    };
    expect(() => adamUpdateReference(b, params)).toThrow(ShapeError);
    expect(() => adamUpdateReference(b, params)).toThrow(/m has 2 elements, the parameter has 3/);
  });

  it('Adam over variables matches the per-variable tfjs formulation for several clipped steps', async () => {
    await tf.setBackend('cpu');
    const shapes: Record<string, number[]> = { a: [3, 4], b: [5], c: [2, 2, 2] };
    const init = (name: string, seed: number) =>
      tf.tensor(Float32Array.from(random64(tf.util.sizeFromShape(shapes[name]!), seed)), shapes[name]);
    const vars = new Map(Object.keys(shapes).map((n, i) => [n, tf.variable(init(n, 10 + i))]));
    const plain = new Map(Object.keys(shapes).map((n, i) => [n, tf.variable(init(n, 10 + i))]));
    const m = new Map(Object.keys(shapes).map((n) => [n, tf.zeros(shapes[n]!)]));
    const v = new Map(Object.keys(shapes).map((n) => [n, tf.zeros(shapes[n]!)]));
    const adam = new Adam(vars);
    const clip = { norm: 0.5, mode: 'global' as const };
    for (let t = 1; t <= 4; t++) {
      const grads = Object.fromEntries(Object.keys(shapes).map((n, i) => [n, init(n, 100 * t + i)]));
      adam.apply(grads, 0.05, clip);
      // The previous implementation: Keras' Adam as ten tfjs ops per variable.
      const scales = clipScales(
        Object.fromEntries(Object.entries(grads).map(([n, g]) => [n, g.dataSync()])),
        clip,
      );
      const step = (0.05 * Math.sqrt(1 - 0.999 ** t)) / (1 - 0.9 ** t);
      for (const [n, g0] of Object.entries(grads)) {
        const g = g0.mul(scales[n]!);
        const mNew = m.get(n)!.add(g.sub(m.get(n)!).mul(0.1));
        const vNew = v.get(n)!.add(g.square().sub(v.get(n)!).mul(0.001));
        m.set(n, mNew);
        v.set(n, vNew);
        plain.get(n)!.assign(plain.get(n)!.sub(mNew.mul(step).div(vNew.sqrt().add(1e-7))));
      }
    }
    for (const n of Object.keys(shapes)) {
      expect(relativeError(vars.get(n)!.dataSync(), plain.get(n)!.dataSync()), n).toBeLessThan(1e-5);
      expect(relativeError(adam.getState().v[n]!, v.get(n)!.dataSync()), n).toBeLessThan(1e-5);
    }
    expect(() => adam.apply({ nope: tf.zeros([1]) }, 0.1, null)).toThrow(/unknown variable 'nope'/);
    expect(adam.getState().iteration).toBe(4);
  });
});
