import { describe, expect, it } from 'vitest';
import { gmmBinarise } from '../../src-main/analysis';

describe('gmmBinarise with a saturated mode', () => {
  it('treats a mode whose α is 1 throughout as constant (never on) instead of failing the mixture', () => {
    // Three modes where the softmax saturated: mode 2 holds all the weight at every sample. Its
    // clamped logit is the same number everywhere, whose mean picks up rounding error.
    const n = 3000;
    const alpha = new Float32Array(n * 3);
    for (let t = 0; t < n; t++) alpha[t * 3 + 2] = 1;
    const { states, modes } = gmmBinarise(alpha, 3);
    expect(modes.map((m) => m.fit)).toEqual([null, null, null]);
    expect(modes.map((m) => m.threshold)).toEqual([Infinity, Infinity, Infinity]);
    expect(states.every((s) => s === 0)).toBe(true);
  });
});

describe('gmmBinarise one mode at a time', () => {
  it('gives each mode the same states and threshold as fitting all modes together', () => {
    const n = 800;
    const alpha = new Float64Array(n * 3);
    for (let t = 0; t < n; t++) {
      const w = [Math.exp(3 * Math.sin(t / 17)), Math.exp(3 * Math.cos(t / 23)), 1];
      const s = w[0]! + w[1]! + w[2]!;
      for (let k = 0; k < 3; k++) alpha[t * 3 + k] = w[k]! / s;
    }
    const all = gmmBinarise(alpha, 3);
    for (let k = 0; k < 3; k++) {
      const one = gmmBinarise(alpha, 3, { modes: [k] });
      expect(one.modes[k]!.threshold).toBe(all.modes[k]!.threshold);
      for (let j = 0; j < 3; j++) {
        const column = (x: Uint8Array) => Array.from({ length: n }, (_, t) => x[t * 3 + j]);
        if (j === k) expect(column(one.states)).toEqual(column(all.states));
        else expect(column(one.states).every((v) => v === 0)).toBe(true);
      }
      expect(one.modes.filter((m) => m.fit !== null)).toHaveLength(1);
    }
    expect(() => gmmBinarise(alpha, 3, { modes: [3] })).toThrow(
      /modes: holds 3, which is not a mode index in 0..2/,
    );
  });
});
