import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { SeededRandom } from '../../src-main/numerics/random';
import {
  initialKlFactor,
  klFactorAfterEpoch,
  learningRateForEpoch,
} from '../../src-main/engine/training/schedules';
import {
  batches,
  gapFreeSegments,
  gatherSequences,
  SequenceDataError,
  shuffled,
  trainingSequences,
  validateSessions,
} from '../../src-main/engine/training/sequences';
import { Adam, clipGradients } from '../../src-main/engine/training/adam';
import { predictionWindows } from '../../src-main/engine/models/dynemo/predict';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('KL annealing', () => {
  const tanh = { enabled: true, curve: 'tanh' as const, sharpness: 10, epochs: 20 };
  it('follows the tanh curve after each epoch and reaches 1 at n_kl_annealing_epochs', () => {
    expect(initialKlFactor(tanh)).toBe(0);
    // After epoch e (zero-based) n = e + 1 epochs are done: ½ tanh(10 (n − 10) / 20) + ½.
    expect(klFactorAfterEpoch(tanh, 0)).toBeCloseTo(0.5 * Math.tanh(-4.5) + 0.5, 12);
    expect(klFactorAfterEpoch(tanh, 9)).toBeCloseTo(0.5, 12);
    expect(klFactorAfterEpoch(tanh, 14)).toBeCloseTo(0.5 * Math.tanh(2.5) + 0.5, 12);
    expect(klFactorAfterEpoch(tanh, 18)).toBeCloseTo(0.5 * Math.tanh(4.5) + 0.5, 12);
    expect(klFactorAfterEpoch(tanh, 19)).toBe(1);
    expect(klFactorAfterEpoch(tanh, 50)).toBe(1);
  });
  it('follows the linear curve', () => {
    const lin = { ...tanh, curve: 'linear' as const, epochs: 4 };
    expect([0, 1, 2, 3, 4].map((e) => klFactorAfterEpoch(lin, e))).toEqual([0.25, 0.5, 0.75, 1, 1]);
  });
  it('is 1 throughout without annealing', () => {
    const off = { ...tanh, enabled: false };
    expect(initialKlFactor(off)).toBe(1);
    expect(klFactorAfterEpoch(off, 0)).toBe(1);
  });
});

describe('learning-rate schedule', () => {
  it('is constant during annealing, then decays exponentially from the first epoch after it', () => {
    const s = { learningRate: 0.01, decay: 0.1, decayStartEpoch: 3 };
    expect([0, 1, 2].map((e) => learningRateForEpoch(s, e))).toEqual([0.01, 0.01, 0.01]);
    expect(learningRateForEpoch(s, 3)).toBeCloseTo(0.01 * Math.exp(-0.1), 15);
    expect(learningRateForEpoch(s, 7)).toBeCloseTo(0.01 * Math.exp(-0.5), 15);
  });
  it('decays from the first epoch without annealing', () => {
    expect(learningRateForEpoch({ learningRate: 1, decay: 0.5, decayStartEpoch: 0 }, 0)).toBeCloseTo(
      Math.exp(-0.5),
      15,
    );
  });
});

describe('sequences', () => {
  const C = 2;
  const session = (n: number, gaps: number[] = []) => {
    const data = new Float32Array(n * C).map((_, i) => i);
    const gapMask = new Uint8Array(n);
    for (const g of gaps) gapMask[g] = 1;
    return { data, nSamples: n, nChannels: C, gapMask };
  };

  it('splits sessions at gaps and never lets a sequence cross a gap or session', () => {
    const sessions = [session(23, [10, 11]), session(9)];
    const segments = gapFreeSegments(sessions);
    expect(segments).toEqual([
      { session: 0, start: 0, end: 10 },
      { session: 0, start: 12, end: 23 },
      { session: 1, start: 0, end: 9 },
    ]);
    expect(trainingSequences(segments, 4)).toEqual([
      { session: 0, start: 0 },
      { session: 0, start: 4 },
      { session: 0, start: 12 },
      { session: 0, start: 16 },
      { session: 1, start: 0 },
      { session: 1, start: 4 },
    ]);
    const x = gatherSequences(sessions, [{ session: 0, start: 12 }], 4);
    expect(Array.from(x)).toEqual([24, 25, 26, 27, 28, 29, 30, 31]);
  });

  it('shuffles deterministically from the seeded generator and batches with a smaller last batch', () => {
    const items = Array.from({ length: 10 }, (_, i) => i);
    const a = shuffled(items, new SeededRandom(3));
    const b = shuffled(items, new SeededRandom(3));
    expect(a).toEqual(b);
    expect(a).not.toEqual(items);
    expect([...a].sort((p, q) => p - q)).toEqual(items);
    expect(batches(items, 4).map((g) => g.length)).toEqual([4, 4, 2]);
  });

  it('refuses inconsistent sessions', () => {
    expect(() => validateSessions([], 2)).toThrow(SequenceDataError);
    expect(() => validateSessions([session(5)], 3)).toThrow(/session 0 has 2 channels, the model expects 3/);
    expect(() => validateSessions([{ data: new Float32Array(7), nSamples: 4, nChannels: 2 }], 2)).toThrow(
      /data holds 7 values, expected 4 × 2/,
    );
  });

  it('covers a segment with half-overlapping prediction windows and one aligned to its end', () => {
    const w = predictionWindows({ session: 0, start: 5, end: 5 + 250 }, 100);
    expect(w.map((x) => x.start)).toEqual([5, 55, 105, 155]);
    expect(w.every((x) => x.length === 100)).toBe(true);
    const exact = predictionWindows({ session: 0, start: 0, end: 200 }, 100);
    expect(exact.map((x) => x.start)).toEqual([0, 50, 100]);
    expect(predictionWindows({ session: 1, start: 3, end: 40 }, 100)).toEqual([
      { session: 1, start: 3, length: 37 },
    ]);
  });
});

describe('Adam', () => {
  it('takes Keras-style bias-corrected steps and round-trips its state', () => {
    const w = tf.variable(tf.tensor1d([1, -2]));
    const vars = new Map([['w', w]]);
    const adam = new Adam(vars);
    const g = tf.tensor1d([0.5, -1]);
    adam.apply({ w: g }, 0.1, null);
    // First step: m̂ = g, v̂ = g², so each weight moves by lr · g / (|g| + ε) ≈ lr · sign(g).
    const after1 = Array.from(w.dataSync());
    expect(after1[0]).toBeCloseTo(0.9, 5);
    expect(after1[1]).toBeCloseTo(-1.9, 5);
    const state = adam.getState();
    expect(state.iteration).toBe(1);
    expect(Array.from(state.m.w!)).toEqual([Math.fround(0.05), Math.fround(-0.1)]);
    adam.apply({ w: g }, 0.1, null);
    const after2 = Array.from(w.dataSync());

    w.assign(tf.tensor1d(after1));
    const restored = new Adam(vars);
    restored.setState(state);
    restored.apply({ w: g }, 0.1, null);
    expect(Array.from(w.dataSync())).toEqual(after2);
    expect(() => restored.setState({ iteration: 1, m: {}, v: {} })).toThrow(/m\['w'\] is missing/);
  });

  it('clips per weight (Keras clipnorm) or globally', () => {
    const grads = { a: tf.tensor1d([3, 4]), b: tf.tensor1d([0, 0.5]) };
    const per = clipGradients(grads, { norm: 1, mode: 'per_weight' });
    expect(Array.from(per.a!.dataSync())).toEqual([Math.fround(0.6), Math.fround(0.8)]);
    expect(Array.from(per.b!.dataSync())).toEqual([0, 0.5]);
    const global = clipGradients(grads, { norm: 1, mode: 'global' });
    const total = Math.sqrt(25 + 0.25);
    expect(global.a!.dataSync()[1]).toBeCloseTo(4 / total, 6);
    expect(global.b!.dataSync()[1]).toBeCloseTo(0.5 / total, 6);
    expect(clipGradients(grads, null)).toBe(grads);
  });
});
