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
