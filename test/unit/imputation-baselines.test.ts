import { describe, expect, it } from 'vitest';
import {
  channelMean,
  lastObservationCarriedForward,
  linearInterpolation,
} from '../../src-main/imputation/baselines';
import { gaussianProcessInterpolation } from '../../src-main/imputation/gaussianProcessInterpolation';
import { hideStretches } from '../../src-main/imputation/hideGaps';
import { evaluateImputers, hiddenSessionsFor } from '../../src-main/imputation/evaluate';
import {
  entriesFromGapMask,
  ImputationInputError,
  missingRuns,
  requireImputable,
  type MaskedSession,
} from '../../src-main/imputation/missingEntries';
import { SeededRandom } from '../../src-main/numerics/random';

function session(
  T: number,
  C: number,
  f: (t: number, c: number) => number,
  missing?: (t: number, c: number) => boolean,
): MaskedSession {
  const data = new Float32Array(T * C);
  const m = new Uint8Array(T * C);
  for (let t = 0; t < T; t++)
    for (let c = 0; c < C; c++) {
      data[t * C + c] = f(t, c);
      m[t * C + c] = missing?.(t, c) ? 1 : 0;
    }
  return { data, nSamples: T, nChannels: C, ...(missing ? { missing: m } : {}) };
}

describe('baseline imputers', () => {
  const s = session(
    10,
    2,
    (t, c) => (c === 0 ? 2 * t : 5 - t),
    (t, c) => (c === 0 ? t >= 3 && t < 6 : t >= 7),
  );
  it('linear interpolation draws the line between observed neighbours and holds the edge', () => {
    const out = linearInterpolation(s);
    expect([3, 4, 5].map((t) => out[t * 2])).toEqual([6, 8, 10]);
    // Channel 1 is missing to the end: the last observed value (5 − 6 = −1) is held.
    expect([7, 8, 9].map((t) => out[t * 2 + 1])).toEqual([-1, -1, -1]);
    // Observed entries untouched.
    expect(out[2 * 2]).toBe(4);
  });
  it('LOCF carries the last observation; channel mean uses observed values only', () => {
    const locf = lastObservationCarriedForward(s);
    expect([3, 4, 5].map((t) => locf[t * 2])).toEqual([4, 4, 4]);
    const mean = channelMean(s);
    const observed0 = [0, 1, 2, 6, 7, 8, 9].map((t) => 2 * t);
    expect(mean[4 * 2]).toBeCloseTo(observed0.reduce((a, b) => a + b) / observed0.length, 5);
  });
  it('per-channel GP interpolation recovers an oscillation that a straight line cannot', () => {
    const rng = new SeededRandom(3);
    const phase = [0.3, 1.7];
    const sig = session(
      2000,
      2,
      (t, c) => Math.sin(2 * Math.PI * 0.0625 * t + phase[c]!) + 0.01 * rng.normal(),
      (t) => t >= 1000 && t < 1040,
    );
    const truth = session(2000, 2, (t, c) => Math.sin(2 * Math.PI * 0.0625 * t + phase[c]!));
    const rmse = (x: Float32Array) => {
      let s2 = 0;
      for (let i = 2000; i < 2080; i++) s2 += (x[i]! - truth.data[i]!) ** 2;
      return Math.sqrt(s2 / 80);
    };
    const gp = rmse(gaussianProcessInterpolation(sig, { contextSamples: 160 }));
    const lin = rmse(linearInterpolation(sig));
    expect(gp).toBeLessThan(0.05);
    expect(lin).toBeGreaterThan(0.5);
  });
});

describe('missing entries', () => {
  it('expands gap masks and finds runs per channel', () => {
    const m = entriesFromGapMask(Uint8Array.from([0, 1, 1, 0]), 2);
    expect([...m]).toEqual([0, 0, 1, 1, 1, 1, 0, 0]);
    expect(missingRuns({ data: new Float32Array(8), nSamples: 4, nChannels: 2, missing: m })).toEqual([
      { channel: 0, start: 1, end: 3 },
      { channel: 1, start: 1, end: 3 },
    ]);
  });
  it('refuses sessions without gaps, all-missing sessions, dead channels and mismatched masks', () => {
    const data = new Float32Array(8);
    expect(() => requireImputable({ data, nSamples: 4, nChannels: 2 }, 'S1')).toThrow(
      /S1: no values are missing/,
    );
    expect(() =>
      requireImputable({ data, nSamples: 4, nChannels: 2, missing: new Uint8Array(8).fill(1) }, 'S1'),
    ).toThrow(/every value is missing/);
    const dead = Uint8Array.from([1, 0, 1, 0, 1, 0, 1, 0]);
    expect(() => requireImputable({ data, nSamples: 4, nChannels: 2, missing: dead }, 'S1')).toThrow(
      /channel 0 is missing in every sample/,
    );
    expect(() =>
      requireImputable({ data, nSamples: 4, nChannels: 2, missing: new Uint8Array(4) }, 'S1'),
    ).toThrow(ImputationInputError);
    expect(() =>
      requireImputable({ data, nSamples: 4, nChannels: 2, missing: new Uint8Array(4) }, 'S1'),
    ).toThrow(/mask has 4 entries but the data has 8/);
  });
});

describe('hiding stretches for evaluation', () => {
  const s = session(3000, 3, (t, c) => Math.sin(t / 7 + c));
  const options = {
    samplingRate: 100,
    gapLengthsMs: [100, 300],
    gapsPerLength: 3,
    dropoutsPerLength: 2,
    marginSamples: 50,
    seed: 11,
  };
  it('is seeded, places stretches of the asked lengths apart by the margin, and marks only them', () => {
    const a = hideStretches(s, options);
    const b = hideStretches(s, options);
    expect(a.hidden).toEqual(b.hidden);
    expect(a.hidden.filter((h) => h.kind === 'gap')).toHaveLength(6);
    expect(a.hidden.filter((h) => h.kind === 'channel_dropout')).toHaveLength(4);
    for (const h of a.hidden) expect(h.end - h.start).toBe(h.lengthMs / 10);
    for (let i = 1; i < a.hidden.length; i++)
      expect(a.hidden[i]!.start - a.hidden[i - 1]!.end).toBeGreaterThanOrEqual(50);
    const count = a.hiddenEntries.reduce((x, v) => x + v, 0);
    const expected = a.hidden.reduce((x, h) => x + (h.end - h.start) * (h.channel === null ? 3 : 1), 0);
    expect(count).toBe(expected);
    expect(hideStretches(s, { ...options, seed: 12 }).hidden).not.toEqual(a.hidden);
  });
  it('refuses more stretches than fit', () => {
    expect(() => hideStretches(s, { ...options, gapsPerLength: 40 })).toThrow(
      /cannot place 84 hidden stretches/,
    );
  });
  it('scores only hidden entries: a perfect imputer has zero error, the mean does not', async () => {
    const truth = s.data;
    const { table, hidden } = await evaluateImputers(
      [s],
      { perfect: () => Float32Array.from(truth), mean: channelMean },
      options,
    );
    // A model can be trained beforehand on exactly the sessions the evaluation will score.
    const before = hiddenSessionsFor([s], options);
    expect(before[0]!.hidden).toEqual(hidden[0]!.hidden);
    expect(Array.from(before[0]!.session.missing!)).toEqual(Array.from(hidden[0]!.session.missing!));
    expect(table.methods).toEqual(['perfect', 'mean']);
    const all = table.rows.find((r) => r.kind === 'gap' && r.length_ms === null)!;
    expect(all.n_stretches).toBe(6);
    expect(all.n_values).toBe(3 * 10 * 3 + 3 * 30 * 3);
    expect(all.methods.perfect!.rmse).toBe(0);
    expect(all.methods.mean!.rmse).toBeGreaterThan(0.3);
    expect(table.rows.map((r) => `${r.kind}:${r.length_ms}`)).toEqual([
      'channel_dropout:100',
      'channel_dropout:300',
      'channel_dropout:null',
      'gap:100',
      'gap:300',
      'gap:null',
    ]);
  });
});
